"""Uploaded imports: the job is recorded as queued when the file arrives, and a background
job runs the kind's importer on the stored file (running → succeeded or failed)."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session

from accord.access import permissions
from accord.access.principal import Principal
from accord.audit.trail import Actor, set_actor
from accord.db.base import utcnow
from accord.errors import InvalidInput
from accord.importer import service as import_service
from accord.importer.kinds import import_kind
from accord.importer.models import ImportJob, ImportStatus
from accord.importer.progress import Progress, Ticker, progress_store
from accord.importer.upload import StoredUpload
from accord.jobs import enqueue

log = logging.getLogger("accord.importer")

TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
FALSE_WORDS = frozenset({"", "0", "false", "off", "no"})


def parse_flag(value: str | None, *, name: str) -> bool:
    """A form's checkbox or an API's boolean field; anything else is a 400 naming it."""
    text = (value or "").strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise InvalidInput(f"{name} is true or false, not {value!r}", field=name)


def check_upload(actor: Principal) -> None:
    """Before a byte of an upload is stored: the caller may run imports."""
    permissions.require(actor, permissions.IMPORT_RUN)


def queue_upload(
    session: Session,
    actor: Principal,
    *,
    upload: StoredUpload,
    kind: str,
    dry_run: bool,
    keep_file: bool,
) -> ImportJob:
    """Record the received file as a queued import job and send its run after the commit.
    The job exists at once (its id answers the upload); a worker, or the process's background
    thread in-process, runs it."""
    permissions.require(actor, permissions.IMPORT_RUN)
    chosen = import_kind(kind)
    if upload.path is None:
        raise InvalidInput("choose a file to import", field="file")
    name = upload.filename or upload.path.name
    if upload.size == 0:
        raise InvalidInput(f"{name} is empty", field="file")
    if not chosen.accepts(name):
        raise InvalidInput(
            f"{name} is not a file the {chosen.label} import reads "
            f"(it takes {', '.join(chosen.suffixes)})",
            field="file",
        )
    now = utcnow()
    job = ImportJob(
        kind=chosen.name,
        source_name=name[:400],
        source_sha256=upload.sha256,
        source_bytes=upload.size,
        dry_run=dry_run,
        status=ImportStatus.queued,
        started_by=actor.username,
        started_by_id=actor.user_id,
        queued_at=now,
        started_at=now,
        stored_file=str(upload.path.resolve()),
    )
    session.add(job)
    session.flush()
    from accord.importer import jobs as import_jobs  # the job module imports this service

    enqueue(session, import_jobs.run_uploaded_import, job.id, int(keep_file))
    return job


def begin_upload_run(session: Session, job_id: int) -> ImportJob | None:
    """Mark a queued upload running, in its own short transaction so that every reader sees
    it at once. None when the job is gone or has already run (a job is idempotent)."""
    job = session.get(ImportJob, job_id)
    if job is None or job.status != ImportStatus.queued:
        return None
    job.status = ImportStatus.running
    job.started_at = utcnow()
    session.flush()
    return job


def run_upload(session: Session, job_id: int) -> ImportJob | None:
    """Run the kind's importer on the stored file of a running upload job: the counts, the
    error report and every change land in this transaction; progress goes to the progress
    store meanwhile. A bad file raises BadFile (the failed job is kept, nothing else)."""
    job = session.get(ImportJob, job_id)
    if job is None or job.status != ImportStatus.running or job.finished_at is not None:
        return None
    if not job.stored_file or not Path(job.stored_file).is_file():
        job.status = ImportStatus.failed
        job.finished_at = utcnow()
        job.message = "the uploaded file is no longer in the upload folder"
        session.flush()
        return job
    path = Path(job.stored_file)
    # the audit trail names who uploaded the file, as it names who ran a CLI import
    set_actor(session, Actor(id=job.started_by_id, name=job.started_by))
    ticker = Ticker(job.id, job.source_bytes)
    with import_service.run_job(
        session, kind=job.kind, path=path, job=job, report=ticker.tick
    ) as run:
        import_kind(job.kind).run(run, path)
    return job


def fail_upload_run(session: Session, job_id: int, message: str) -> None:
    """A run that broke (not a bad file: those fail inside the run) leaves its job failed
    with the reason, never running forever."""
    job = session.get(ImportJob, job_id)
    if job is None or job.finished_at is not None:
        return
    job.status = ImportStatus.failed
    job.finished_at = utcnow()
    job.message = message[:2000]
    session.flush()


def finish_upload(job_id: int, stored_file: str | None, *, keep_file: bool) -> None:
    """After the run: the progress is no longer needed, and the stored file is deleted
    unless the settings keep uploads."""
    progress_store().clear(job_id)
    if stored_file and not keep_file:
        Path(stored_file).unlink(missing_ok=True)


def progress_of(job: ImportJob) -> Progress | None:
    """A running job's progress (None once it has ended: its counts are in the row)."""
    if job.status not in (ImportStatus.queued, ImportStatus.running):
        return None
    return progress_store().read(job.id)
