"""Import jobs: the record of every run (file, hash, who, when, counts) and its row errors.

An importer opens a job, does its work inside a savepoint, and closes the job. A bad file
(wrong header, not a CSV, a truncated archive) fails the job with a clear message and rolls
the savepoint back, so nothing of the file is written but the job's record of the failure. A
dry run rolls the savepoint back on purpose and keeps the counts of what would change.
"""

from __future__ import annotations

import csv
import hashlib
import io
import mmap
import os
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from accord.access import permissions
from accord.access.principal import Principal
from accord.audit import trail
from accord.audit.trail import SYSTEM, Actor
from accord.db.base import utcnow
from accord.errors import Conflict, InvalidInput, NotFound
from accord.importer.models import ImportJob, ImportRowError, ImportStatus

COUNTS = ("read", "created", "updated", "unchanged", "rejected")
#: row errors are written in batches of this many
ERROR_BATCH = 1_000


class _DryRun(Exception):
    """Rolls a dry run's savepoint back."""


class BadFile(InvalidInput):
    """The file cannot be imported at all; the failed job is kept, nothing else."""

    persist = True


#: what a damaged CSV, text encoding or compressed stream raises while it is read
READ_ERRORS: tuple[type[Exception], ...] = (
    UnicodeDecodeError,
    csv.Error,
    zlib.error,
    EOFError,
    zipfile.BadZipFile,
)
#: the key a row that does not have the header's width carries (with its width)
WIDTH = "__width__"


def csv_rows(
    reader: Iterator[list[str]], header: list[str], name: str, close: Callable[[], None]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows after the header as dicts with their line numbers; blank lines skipped; a
    row of the wrong width comes as {WIDTH: its width} for the importer to reject; a stream
    that breaks mid-file raises BadFile naming the row it reached."""
    number = 1
    try:
        for values in reader:
            number += 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                yield number, {WIDTH: str(len(values))}
                continue
            yield number, dict(zip(header, values, strict=True))
    except READ_ERRORS as error:
        raise BadFile(f"{name} is damaged after row {number}: {error}", field="file") from None
    finally:
        close()


def file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, or of a folder's files (their relative names and contents,
    in name order)."""
    digest = hashlib.sha256()
    size = 0
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(str(file.relative_to(path)).encode() + b"\0")
        with file.open("rb") as handle:
            length = os.fstat(handle.fileno()).st_size
            if length:
                # hashed straight from the page cache: reading a large file into Python
                # blocks first would copy every byte once more
                with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                    digest.update(mapped)
            size += length
    return digest.hexdigest(), size


@dataclass
class Run:
    """A job in progress: counts, and row errors waiting to be written."""

    session: Session
    job: ImportJob
    pending: list[dict[str, object]] = field(default_factory=list)
    progress: Callable[[int], None] | None = None
    #: where the importer is in the file, in bytes, when it told us (see watch)
    position: Callable[[], int] | None = None

    def watch(self, handle: object) -> None:
        """Follow the byte position of the file the importer reads (for progress); `handle` is
        the binary file underneath the text the importer decodes."""

        tell: Callable[[], int] = getattr(handle, "tell")  # noqa: B009 - any binary file

        def position() -> int:
            try:
                return int(tell())
            except (OSError, ValueError):  # closed at the end of the file
                return self.job.source_bytes

        self.position = position

    def bytes_read(self) -> int | None:
        return self.position() if self.position else None

    def count(self, outcome: str, n: int = 1) -> None:
        setattr(self.job, outcome, getattr(self.job, outcome) + n)

    def reject(self, row: int, column: str | None, value: object, reason: str) -> None:
        """Refuse one row (the rest of the file goes on)."""
        self.job.rejected += 1
        self.note(row, column, value, reason)

    def note(self, row: int, column: str | None, value: object, reason: str) -> None:
        """Report a value that was left out while the row itself was imported."""
        shown = None if value is None else str(value)[:400]
        self.pending.append(
            {
                "job_id": self.job.id,
                "row_number": row,
                "column": column,
                "value": shown,
                "reason": reason[:500],
            }
        )
        if len(self.pending) >= ERROR_BATCH:
            self.flush_errors()

    def record_bulk_write(self, entity: str, reason: str) -> None:
        """One chained audit entry for the `entity` rows this job wrote in bulk (each of them
        carries the job's id): per-row entries would cost more than the import itself."""
        trail.record_bulk(
            self.session,
            action="create",
            entity=entity,
            new_value=f"{self.job.created} created, {self.job.updated} updated",
            reason=reason,
            actor=trail.Actor(id=self.job.started_by_id, name=self.job.started_by),
            occurred_at=self.job.started_at,
        )

    def flush_errors(self) -> None:
        if self.pending:
            self.session.execute(insert(ImportRowError), self.pending)
            self.pending = []


#: what a progress report receives: phase, rows read, bytes read (None when unknown)
Report = Callable[[str, int, int | None], None]


@contextmanager
def run_job(
    session: Session,
    *,
    kind: str,
    path: Path,
    dry_run: bool = False,
    actor: Actor | None = None,
    progress: Callable[[int], None] | None = None,
    report: Report | None = None,
    job: ImportJob | None = None,
) -> Iterator[Run]:
    """Open a job for `path` (or continue `job`, an upload already recorded as queued or
    running), run the body in a savepoint, close the job. `progress` hears the rows read;
    `report` also hears the phase and the bytes read."""
    if not path.exists():
        raise InvalidInput(f"{path} does not exist", field="file")
    if report:
        report("checking", 0, 0)
    sha256, size = file_digest(path)
    if job is None:
        who = actor or session.info.get("actor", SYSTEM)
        job = ImportJob(
            kind=kind,
            source_name=path.name,
            source_sha256=sha256,
            source_bytes=size,
            dry_run=dry_run,
            status=ImportStatus.running,
            started_by=who.name,
            started_by_id=who.id,
            started_at=utcnow(),
        )
        session.add(job)
        session.flush()
    else:
        _continue(job, sha256)
    run = Run(session, job)
    if progress or report:

        def tick(rows: int) -> None:
            if progress:
                progress(rows)
            if report:
                report("reading", rows, run.bytes_read())

        run.progress = tick
    counts: dict[str, int] = {}
    try:
        with session.begin_nested():
            yield run
            if report:
                report("finishing", job.read, job.source_bytes)
            run.flush_errors()
            if dry_run or job.dry_run:
                counts = {k: getattr(job, k) for k in COUNTS}
                raise _DryRun
    except _DryRun:
        # rolling the savepoint back also took back the counts flushed inside it
        for key, value in counts.items():
            setattr(job, key, value)
        job.message = "dry run: nothing was written"
    except BadFile as error:
        job.status = ImportStatus.failed
        job.finished_at = utcnow()
        job.message = error.message
        session.flush()
        raise
    job.status = ImportStatus.succeeded
    job.finished_at = utcnow()
    session.flush()


def _continue(job: ImportJob, sha256: str) -> None:
    """An uploaded job runs once, on the very file that was received."""
    if job.status not in (ImportStatus.queued, ImportStatus.running) or job.finished_at:
        raise Conflict(f"import job {job.id} has already run ({job.status.value})", field="job")
    if sha256 != job.source_sha256:
        job.status = ImportStatus.failed
        job.finished_at = utcnow()
        job.message = (
            f"the stored upload of job {job.id} is not the file that was received "
            f"(SHA-256 {sha256[:12]}… instead of {job.source_sha256[:12]}…)"
        )
        raise BadFile(job.message, field="file")
    if job.status == ImportStatus.queued:
        job.status = ImportStatus.running
        job.started_at = utcnow()


def recent_jobs(session: Session, *, limit: int = 50) -> list[ImportJob]:
    """The latest jobs, newest first (the CLI acts with the database's rights)."""
    return list(session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)))


def find_job(session: Session, job_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"no import job {job_id}")
    return job


def list_jobs(session: Session, actor: Principal, *, limit: int = 50) -> list[ImportJob]:
    permissions.require(actor, permissions.IMPORT_RUN)
    return recent_jobs(session, limit=limit)


def get_job(session: Session, actor: Principal, job_id: int) -> ImportJob:
    permissions.require(actor, permissions.IMPORT_RUN)
    return find_job(session, job_id)


def errors_csv(session: Session, job: ImportJob) -> str:
    """The job's row-level error report: row number, column, value, reason."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "column", "value", "reason"])
    rows = session.execute(
        select(
            ImportRowError.row_number,
            ImportRowError.column,
            ImportRowError.value,
            ImportRowError.reason,
        )
        .where(ImportRowError.job_id == job.id)
        .order_by(ImportRowError.row_number, ImportRowError.id)
    )
    for row in rows:
        writer.writerow(list(row))
    return out.getvalue()
