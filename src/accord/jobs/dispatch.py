"""Job declaration, the broker, and sending after commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import dramatiq
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import event
from sqlalchemy.orm import Session

from accord.audit.trail import Actor, set_actor
from accord.db.session import get_database, unit_of_work

log = logging.getLogger("accord.jobs")

JobArg = int | str | None
_PENDING = "accord_pending_jobs"

_broker: dramatiq.Broker | None = None
_in_process = True
_redis_url: str | None = None
_registry: dict[str, Job] = {}
#: in-process, background jobs run one at a time on this thread (one writer, as SQLite wants)
_background: ThreadPoolExecutor | None = None
_running: list[Future[None]] = []


def configure_broker(redis_url: str | None) -> dramatiq.Broker:
    """Set the Dramatiq broker: Redis when a URL is given, else in-process execution."""
    global _broker, _in_process, _redis_url
    _redis_url = redis_url or None
    if redis_url:
        from dramatiq.brokers.redis import RedisBroker

        broker: dramatiq.Broker = RedisBroker(url=redis_url)  # type: ignore[no-untyped-call]
        _in_process = False
    else:
        broker = StubBroker()
        _in_process = True
    dramatiq.set_broker(broker)
    _broker = broker
    for declared in _registry.values():
        declared.bind(broker)
    return broker


def get_broker() -> dramatiq.Broker:
    if _broker is None:
        from accord.config import get_settings

        return configure_broker(get_settings().redis_url)
    return _broker


def runs_in_process() -> bool:
    get_broker()
    return _in_process


def broker_redis_url() -> str | None:
    """The Redis URL of the broker, None in-process (jobs and their progress share Redis)."""
    get_broker()
    return _redis_url


def _run_logged(declared: Job, args: tuple[JobArg, ...]) -> None:
    try:
        declared.fn(*args)
    except Exception:
        # a worker would log and retry; in-process, the request that committed must not
        # fail because its follow-up work did
        log.exception("job %s%r failed in-process", declared.name, args)


def wait_for_background(timeout: float | None = None) -> None:
    """Wait for the background jobs started in-process so far (tests, shutdown)."""
    while _running:
        _running.pop(0).result(timeout=timeout)


class Job:
    """A background job: a function of ids, idempotent, tolerant of a row that is gone."""

    def __init__(
        self, fn: Callable[..., None], *, queue: str, max_retries: int, background: bool = False
    ) -> None:
        self.fn = fn
        self.name = f"{fn.__module__}.{fn.__name__}"
        self.queue = queue
        self.max_retries = max_retries
        self.background = background
        self._actor: dramatiq.Actor[..., None] | None = None

    def bind(self, broker: dramatiq.Broker) -> None:
        self._actor = dramatiq.Actor(
            self.fn,
            broker=broker,
            actor_name=self.name,
            queue_name=self.queue,
            priority=0,
            options={"max_retries": self.max_retries},
        )

    @property
    def actor(self) -> dramatiq.Actor[..., None]:
        if self._actor is None or self._actor.broker is not get_broker():
            self.bind(get_broker())
        assert self._actor is not None
        return self._actor

    def send_now(self, *args: JobArg) -> None:
        """Send (Redis) or run (in-process) right away; use `enqueue` inside a unit of work."""
        if runs_in_process():
            if self.background:
                # a long job (an import) must not hold the request that queued it: it runs on
                # the process's background thread and the request answers at once
                global _background
                if _background is None:
                    _background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="job")
                _running[:] = [f for f in _running if not f.done()]
                _running.append(_background.submit(_run_logged, self, args))
            else:
                _run_logged(self, args)
        else:
            self.actor.send(*args)

    def __call__(self, *args: JobArg) -> None:
        self.fn(*args)


def job(
    *, queue: str = "default", max_retries: int = 5, background: bool = False
) -> Callable[[Callable[..., None]], Job]:
    """Declare a job. Its arguments must be ids or short strings, never ORM objects.
    `background`: in-process, run it on a background thread instead of right after the commit
    (for work that takes minutes); on Redis every job runs in a worker anyway."""

    def wrap(fn: Callable[..., None]) -> Job:
        declared = Job(fn, queue=queue, max_retries=max_retries, background=background)
        _registry[declared.name] = declared
        if _broker is not None:
            declared.bind(_broker)
        return declared

    return wrap


def registered_jobs() -> dict[str, Job]:
    return dict(_registry)


def enqueue(session: Session, declared: Job, *args: JobArg) -> None:
    """Send `declared(*args)` once the session's transaction commits; never if it rolls back."""
    session.info.setdefault(_PENDING, []).append((declared, args))


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    pending: list[tuple[Job, tuple[JobArg, ...]]] = session.info.pop(_PENDING, [])
    for declared, args in pending:
        declared.send_now(*args)


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


@contextmanager
def job_scope(name: str, *, writes: bool = False) -> Iterator[Session]:
    """The unit of work of one job run (`writes`: see unit_of_work)."""
    with unit_of_work(get_database().session_factory, writes=writes) as session:
        set_actor(session, Actor(id=None, name=f"job:{name}"))
        yield session
