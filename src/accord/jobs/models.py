"""Claims of scheduled runs: the first scheduler to insert (job, day) runs that night's job,
so any number of workers on any number of machines start it once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base


class ScheduledRun(Base):
    __tablename__ = "scheduled_run"

    job_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    run_on: Mapped[date] = mapped_column(primary_key=True)
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str] = mapped_column(String(200))
