"""The nightly recompute: due after its time of day, claimed once per day in the database
however many schedulers ask."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from accord.jobs import schedule
from accord.jobs.catalog import import_all_jobs
from accord.jobs.dispatch import registered_jobs


class TestNightly:
    def test_due_after_its_time_of_day_and_never_when_turned_off(self) -> None:
        assert not schedule.due("02:00", datetime(2026, 12, 3, 1, 59, tzinfo=UTC))
        assert schedule.due("02:00", datetime(2026, 12, 3, 2, 0, tzinfo=UTC))
        assert not schedule.due("", datetime(2026, 12, 3, 23, 0, tzinfo=UTC))

    def test_one_claim_per_job_and_day(self, session: Session) -> None:
        night = datetime(2026, 12, 3, 2, 5, tzinfo=UTC)
        assert schedule.claim(session, "network.recompute", night, "worker-a:1")
        assert not schedule.claim(session, "network.recompute", night, "worker-b:7")
        assert schedule.claim(
            session, "network.recompute", datetime(2026, 12, 4, 2, 5, tzinfo=UTC), "worker-b:7"
        )

    def test_the_network_recompute_is_a_nightly_job_workers_know(self) -> None:
        import_all_jobs()
        _at, declared = schedule.NIGHTLY["network.recompute"]
        assert declared().name in registered_jobs()
        assert declared().name == "accord.network.jobs.recompute_network"
