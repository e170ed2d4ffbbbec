"""Import jobs and their row-level errors."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base, code_string, str_enum, utcnow


class ImportStatus(enum.StrEnum):
    queued = "queued"  # uploaded, waiting for a worker
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ImportJob(Base):
    """One run of an importer on one file: what it read and what it changed. The changes
    themselves are in the audit trail; this is the run's record."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # nppes, nucc, npi_json, fhir, ...
    source_name: Mapped[str] = mapped_column(String(400))
    source_sha256: Mapped[str] = mapped_column(String(64))
    source_bytes: Mapped[int] = mapped_column(Integer)
    dry_run: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ImportStatus] = mapped_column(str_enum(ImportStatus, 16))
    started_by: Mapped[str] = mapped_column(String(100))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: when an upload was received; None for a run started from the CLI
    queued_at: Mapped[datetime | None]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    read: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(Text)
    #: an upload's file name inside the upload folder, until the run deletes it
    stored_file: Mapped[str | None] = mapped_column(String(200))


class ImportRowError(Base):
    """A row (or one value of it) the importer refused, and why."""

    __tablename__ = "import_row_error"
    __table_args__ = (Index("ix_import_row_error_job_id_row_number", "job_id", "row_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    row_number: Mapped[int]
    column: Mapped[str | None] = mapped_column(String(120))
    value: Mapped[str | None] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(String(500))


class NppesRecord(Base):
    """The digest of an NPI's normalised NPPES record as last applied (with the type and
    territory it resolved to). A later file's row with the same digest changes nothing and
    goes no further: a monthly re-import of the registry diffs only the records CMS changed.
    Bookkeeping of the importer, not stakeholder data (no audit entries)."""

    __tablename__ = "nppes_record"

    npi: Mapped[str] = mapped_column(code_string(10), primary_key=True)
    digest: Mapped[int] = mapped_column(BigInteger)
    import_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_job.id", ondelete="SET NULL")
    )
