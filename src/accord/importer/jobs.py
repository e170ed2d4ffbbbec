"""Background work of imports: running an uploaded file."""

from __future__ import annotations

import logging

from accord.errors import AppError
from accord.importer import service_upload
from accord.jobs.dispatch import job, job_scope

log = logging.getLogger("accord.importer")


@job(queue="imports", max_retries=0, background=True)
def run_uploaded_import(job_id: int, keep_file: int = 0) -> None:
    """Run a queued upload: mark it running (committed, so readers see it), import in one
    transaction, and delete the stored file. Not retried: a failed import is a failed job
    with its reason, to be looked at and uploaded again, not run twice."""
    log.info("import job %s: starting", job_id)
    with job_scope("run_uploaded_import") as session:
        started = service_upload.begin_upload_run(session, job_id)
        stored = started.stored_file if started else None
    if started is None:
        log.info("import job %s: gone or already run", job_id)
        return
    try:
        with job_scope("run_uploaded_import") as session:
            service_upload.run_upload(session, job_id)
    except AppError as error:
        if not error.persist:  # a bad file already failed its job, and that was kept
            with job_scope("run_uploaded_import") as session:
                service_upload.fail_upload_run(session, job_id, error.message)
    except Exception as error:
        log.exception("import job %s stopped", job_id)
        with job_scope("run_uploaded_import") as session:
            service_upload.fail_upload_run(
                session, job_id, f"the import stopped: {error.__class__.__name__}: {error}"
            )
    finally:
        service_upload.finish_upload(job_id, stored, keep_file=bool(keep_file))
        log.info("import job %s: ended", job_id)
