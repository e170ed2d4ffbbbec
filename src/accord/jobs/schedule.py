"""Nightly jobs. Every worker (and `accord serve` when jobs run in-process) runs a small
scheduler thread; when a job's time of day has passed, the first scheduler to insert the claim
(job, day) into the database sends it, so the job starts once a night however many workers on
however many machines run."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, time

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.config import get_settings
from accord.db.session import get_database, unit_of_work
from accord.jobs.dispatch import Job
from accord.jobs.models import ScheduledRun

log = logging.getLogger("accord.jobs.schedule")

#: nightly jobs: name -> (time of day setting reader, the job)
NIGHTLY: dict[str, tuple[Callable[[], str], Callable[[], Job]]] = {}


def _network_job() -> Job:
    from accord.network.jobs import recompute_network

    return recompute_network


NIGHTLY["network.recompute"] = (lambda: get_settings().network_nightly_at, _network_job)


def due(at: str, now: datetime) -> bool:
    """Whether a job set for `at` (HH:MM UTC, empty for never) is due today at `now`."""
    if not at:
        return False
    hour, minute = (int(p) for p in at.split(":"))
    return now.astimezone(UTC).time() >= time(hour, minute)


def claim(session: Session, name: str, now: datetime, who: str) -> bool:
    """Insert the claim for today's run; False when another scheduler holds it."""
    try:
        with session.begin_nested():
            session.add(
                ScheduledRun(
                    job_name=name,
                    run_on=now.astimezone(UTC).date(),
                    claimed_at=now,
                    claimed_by=who[:200],
                )
            )
    except IntegrityError:
        return False
    return True


def tick(now: datetime | None = None) -> list[str]:
    """Send every nightly job that is due and not yet claimed today; returns their names."""
    now = now or datetime.now(UTC)
    who = f"{socket.gethostname()}:{os.getpid()}"
    started: list[str] = []
    for name, (at, declared) in NIGHTLY.items():
        if not due(at(), now):
            continue
        with unit_of_work(get_database().session_factory, writes=True) as session:
            if not claim(session, name, now, who):
                continue
        declared().send_now("nightly")
        started.append(name)
        log.info("nightly %s sent by %s", name, who)
    return started


class Scheduler(threading.Thread):
    """Calls `tick` every `interval` seconds until stopped."""

    def __init__(self, interval: float = 60.0) -> None:
        super().__init__(name="accord-scheduler", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                tick()
            except Exception:
                log.exception("scheduler tick failed")
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
