"""JSON routes of import jobs: the record of each run and its row-level error report."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.importer import service as import_service
from accord.importer.models import ImportJob
from accord.pagination import ListResponse

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])


class ImportJobRead(BaseModel):
    id: int
    kind: str
    source_name: str
    source_sha256: str
    source_bytes: int
    dry_run: bool
    status: str
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    message: str | None


def _read(job: ImportJob) -> ImportJobRead:
    return ImportJobRead(
        id=job.id,
        kind=job.kind,
        source_name=job.source_name,
        source_sha256=job.source_sha256,
        source_bytes=job.source_bytes,
        dry_run=job.dry_run,
        status=job.status.value,
        started_by=job.started_by,
        started_at=job.started_at,
        finished_at=job.finished_at,
        read=job.read,
        created=job.created,
        updated=job.updated,
        unchanged=job.unchanged,
        rejected=job.rejected,
        message=job.message,
    )


@router.get("", response_model=ListResponse[ImportJobRead], summary="The latest import jobs")
def list_jobs(session: SessionDep, principal: CurrentPrincipal) -> ListResponse[ImportJobRead]:
    """Administrators (data stewards) only."""
    jobs = import_service.list_jobs(session, principal)
    return ListResponse(items=[_read(j) for j in jobs], next_cursor=None)


@router.get("/{job_id}", response_model=ImportJobRead, summary="One import job")
def get_job(session: SessionDep, principal: CurrentPrincipal, job_id: int) -> ImportJobRead:
    return _read(import_service.get_job(session, principal, job_id))


@router.get(
    "/{job_id}/errors.csv",
    summary="The job's row-level error report",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def job_errors(session: SessionDep, principal: CurrentPrincipal, job_id: int) -> Response:
    """row, column, value, reason: one line per refused row or left-out value."""
    job = import_service.get_job(session, principal, job_id)
    return Response(
        content=import_service.errors_csv(session, job),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="import-{job.id}-errors.csv"'},
    )
