"""Background jobs: one real job through Redis and a worker process gives the same result as
the same job in-process; enqueueing is tied to the commit; jobs are idempotent and tolerate a
row that is gone; `accord worker` refuses to start without a broker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accord.access.principal import Principal
from accord.access.scope import load_principal
from accord.audit import service as audit_service
from accord.audit.jobs import verify_audit_chain
from accord.audit.models import AuditVerification, VerificationStatus
from accord.audit.trail import set_actor
from accord.cli import app as cli_app
from accord.config import get_settings
from accord.db.base import utcnow
from accord.db.session import Database, set_database, unit_of_work
from accord.jobs import enqueue, job
from accord.jobs.dispatch import configure_broker, get_broker
from accord.territory import service as territory_service
from accord.territory.models import TerritoryLevel
from accord.user import service as user_service
from tests.backends import REDIS_URL, fresh_database, unavailable

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKER_TIMEOUT_S = 30.0

#: calls of the probe job below, in-process
probe_calls: list[int] = []


@job(queue="accord_test_probe", max_retries=0)
def probe(n: int) -> None:
    """A job that only records that it ran."""
    probe_calls.append(n)


# --- helpers -------------------------------------------------------------------------------


def redis_client() -> redis.Redis:
    """The test Redis database (db 15), emptied; skips (fails under CI) when unreachable."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis at {REDIS_URL} is unreachable: {error.__class__.__name__}")
    client.flushdb()
    return client


def as_persona(session: Session, username: str) -> Principal:
    user = user_service.get_by_username(session, username)
    assert user is not None, f"no demo persona {username}"
    principal = load_principal(session, user)
    set_actor(session, principal.actor)
    return principal


def write_audited_changes(database: Database) -> None:
    """A few audited changes beyond the demo seed, so the chain has something to check."""
    with unit_of_work(database.session_factory) as session:
        as_persona(session, "admin")
        region = territory_service.get_by_code(session, "US-W")
        for code, name in (("US-W-PDX", "Portland"), ("US-W-DEN", "Denver")):
            territory_service.create_territory(
                session, code=code, name=name, level=TerritoryLevel.territory, parent=region
            )


def request_run(database: Database) -> int:
    """Request a verification as compliance, commit, and return the run's id."""
    with unit_of_work(database.session_factory) as session:
        principal = as_persona(session, "compliance")
        run = audit_service.request_verification(session, principal)
        run_id = run.id
    return run_id


class RequestFailed(Exception):
    """Raised inside a unit of work to make it roll back."""


def fail_after(database: Database, work: Callable[[Session], object]) -> None:
    """Do `work` inside a unit of work that then fails, so it rolls back."""
    with unit_of_work(database.session_factory) as session:
        work(session)
        raise RequestFailed("the request failed after its work")


def count_runs(database: Database) -> int:
    with database.session_factory() as session:
        return len(session.scalars(select(AuditVerification.id)).all())


def load_run(database: Database, run_id: int) -> AuditVerification | None:
    with database.session_factory() as session:
        return session.get(AuditVerification, run_id)


def expected_report(database: Database) -> audit_service.ChainReport:
    with database.session_factory() as session:
        return audit_service.verify_chain(session)


def wait_until_done(database: Database, run_id: int, log: Path) -> AuditVerification:
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    while time.monotonic() < deadline:
        run = load_run(database, run_id)
        assert run is not None
        if run.status == VerificationStatus.done:
            return run
        time.sleep(0.2)
    raise AssertionError(
        f"the worker did not finish verification {run_id} in {WORKER_TIMEOUT_S:.0f} s; "
        f"its output:\n{log.read_text(errors='replace')}"
    )


def start_worker(database: Database, log: Path) -> subprocess.Popen[bytes]:
    """`accord worker` in its own process group (Dramatiq forks worker processes)."""
    env = dict(os.environ)
    env.update(
        ACCORD_REDIS_URL=REDIS_URL,
        ACCORD_DATABASE_URL=database.url,
        ACCORD_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "accord", "worker", "--processes", "1", "--threads", "1"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the worker's process group, then SIGKILL whatever is left."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


@pytest.fixture
def fresh(backend: str, tmp_path: Path) -> Iterator[Database]:
    """A committed, migrated, seeded database of its own (a file on SQLite, a schema on
    PostgreSQL) that a worker process can open; installed as the process's database."""
    with fresh_database(backend, tmp_path) as database:
        set_database(database)
        configure_broker(None)
        try:
            yield database
        finally:
            set_database(None)
            configure_broker(None)


@pytest.fixture
def in_process(test_database: Database) -> Iterator[Database]:
    """The shared test database (rolled back after the test) with jobs run in-process."""
    configure_broker(None)
    probe_calls.clear()
    yield test_database
    probe_calls.clear()
    configure_broker(None)


# --- the acceptance test -------------------------------------------------------------------


class TestOneJobThroughRedisAndInProcess:
    """A verification run through Redis and a worker process gives the same result as the
    same run in-process."""

    @pytest.mark.redis
    def test_gives_the_same_result(self, fresh: Database, tmp_path: Path) -> None:
        write_audited_changes(fresh)
        expected = expected_report(fresh)
        assert expected.intact, expected.message
        assert expected.entries_checked > 0

        # in-process: the job runs right after the commit of the request
        configure_broker(None)
        local_id = request_run(fresh)
        local = load_run(fresh, local_id)
        assert local is not None
        assert local.status == VerificationStatus.done
        assert local.finished_at is not None
        assert (local.intact, local.entries_checked) == (True, expected.entries_checked)

        # through Redis: the commit sends a message; a real `accord worker` runs it
        client = redis_client()
        log = tmp_path / "worker.log"
        worker = start_worker(fresh, log)
        try:
            configure_broker(REDIS_URL)
            remote_id = request_run(fresh)
            assert remote_id != local_id
            remote = wait_until_done(fresh, remote_id, log)
        finally:
            stop_worker(worker)
            configure_broker(None)
            client.flushdb()
            client.close()

        assert remote.finished_at is not None
        assert (remote.intact, remote.entries_checked, remote.first_broken_seq) == (
            local.intact,
            local.entries_checked,
            local.first_broken_seq,
        )
        assert remote.message == local.message
        # nothing else wrote in between: the worker checked the same chain
        assert expected_report(fresh).entries_checked == expected.entries_checked


# --- enqueue and the transaction -----------------------------------------------------------


class TestEnqueueInsideAUnitOfWork:
    """A job enqueued inside a unit of work is sent after it commits, never if it rolls back."""

    def test_runs_once_after_commit(self, in_process: Database) -> None:
        with unit_of_work(in_process.session_factory) as session:
            enqueue(session, probe, 1)
            assert probe_calls == [], "sent before the commit"
        assert probe_calls == [1]

    def test_sends_nothing_when_the_unit_rolls_back(self, in_process: Database) -> None:
        with pytest.raises(RequestFailed):
            fail_after(in_process, lambda session: enqueue(session, probe, 2))
        assert probe_calls == []

        # the next unit of work on a fresh session carries nothing over either
        with unit_of_work(in_process.session_factory) as session:
            enqueue(session, probe, 3)
        assert probe_calls == [3]

    def test_a_rolled_back_verification_never_runs(self, in_process: Database) -> None:
        before = count_runs(in_process)

        def request(session: Session) -> None:
            audit_service.request_verification(session, as_persona(session, "compliance"))

        with pytest.raises(RequestFailed):
            fail_after(in_process, request)
        assert count_runs(in_process) == before

    @pytest.mark.redis
    def test_puts_no_message_in_redis_when_the_unit_rolls_back(self, in_process: Database) -> None:
        client = redis_client()
        try:
            configure_broker(REDIS_URL)
            with pytest.raises(RequestFailed):
                fail_after(in_process, lambda session: enqueue(session, probe, 4))
            assert client.keys("*") == []

            # the same unit committed does put its message in the queue
            with unit_of_work(in_process.session_factory) as s:
                enqueue(s, probe, 5)
            assert client.hlen(f"dramatiq:{probe.queue}.msgs") == 1
            assert probe_calls == []
        finally:
            get_broker().close()
            configure_broker(None)
            client.flushdb()
            client.close()


# --- idempotence and missing rows ----------------------------------------------------------


def pending_run(session: Session) -> int:
    principal = as_persona(session, "compliance")
    run = AuditVerification(
        requested_by_id=principal.user_id,
        requested_by=principal.username,
        requested_at=utcnow(),
        status=VerificationStatus.pending,
    )
    session.add(run)
    session.commit()
    return run.id


class TestJobsAreIdempotent:
    """Running a job twice for the same id leaves the first result as it was."""

    def test_a_second_verification_run_changes_nothing(self, in_process: Database) -> None:
        with in_process.session_factory() as session:
            run_id = pending_run(session)

        verify_audit_chain(run_id)
        first = load_run(in_process, run_id)
        assert first is not None
        assert first.status == VerificationStatus.done
        assert first.intact is True

        # the chain grows in between: a second run would see a different count
        with unit_of_work(in_process.session_factory) as session:
            as_persona(session, "admin")
            territory_service.create_territory(
                session,
                code="US-W-BOI",
                name="Boise",
                level=TerritoryLevel.territory,
                parent=territory_service.get_by_code(session, "US-W"),
            )

        verify_audit_chain(run_id)
        second = load_run(in_process, run_id)
        assert second is not None
        assert second.finished_at == first.finished_at
        assert (second.status, second.intact, second.entries_checked, second.message) == (
            first.status,
            first.intact,
            first.entries_checked,
            first.message,
        )


class TestAJobForAMissingRow:
    """A job whose row is gone does nothing and does not raise."""

    def test_verification_of_a_missing_run_does_not_raise(self, in_process: Database) -> None:
        before = count_runs(in_process)
        verify_audit_chain(987_654_321)
        assert count_runs(in_process) == before
        assert load_run(in_process, 987_654_321) is None

    def test_sent_in_process_it_does_not_raise(self, in_process: Database) -> None:
        verify_audit_chain.send_now(987_654_321)


# --- the worker command --------------------------------------------------------------------


class TestWorkerCommandWithoutABroker:
    """`accord worker` without ACCORD_REDIS_URL exits non-zero and says why."""

    def test_exits_non_zero_naming_the_setting(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("ACCORD_REDIS_URL", raising=False)
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(cli_app, ["worker", "--processes", "1"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code != 0
        assert "ACCORD_REDIS_URL is not set" in result.output
