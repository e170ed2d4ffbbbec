"""JSON routes of import jobs: the record of each run and its row-level error report."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from accord.access.deps import CurrentPrincipal, SessionDep
from accord.access.principal import Principal
from accord.config import Settings
from accord.importer import service as import_service
from accord.importer import service_upload
from accord.importer.kinds import KINDS
from accord.importer.models import ImportJob
from accord.importer.upload import StoredUpload, TooLarge, UploadReceiver, store_file
from accord.pagination import ListResponse

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])

#: what a multipart body adds around the file (boundaries, part headers, the other fields)
MULTIPART_OVERHEAD = 64 * 1024


class ProgressRead(BaseModel):
    phase: str = Field(description="checking (the stored file), reading (rows), finishing")
    rows_read: int
    bytes_read: int | None
    total_bytes: int
    percent: int | None = Field(description="bytes read as a share of the file")


class ImportJobRead(BaseModel):
    id: int
    kind: str
    source_name: str
    source_sha256: str
    source_bytes: int
    dry_run: bool
    status: str = Field(description="queued, running, succeeded or failed")
    started_by: str
    queued_at: datetime | None
    started_at: datetime
    finished_at: datetime | None
    read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    message: str | None
    progress: ProgressRead | None = Field(
        default=None, description="while queued or running, where the import stands"
    )


def _read(job: ImportJob, *, with_progress: bool = False) -> ImportJobRead:
    progress = service_upload.progress_of(job) if with_progress else None
    return ImportJobRead(
        id=job.id,
        kind=job.kind,
        source_name=job.source_name,
        source_sha256=job.source_sha256,
        source_bytes=job.source_bytes,
        dry_run=job.dry_run,
        status=job.status.value,
        started_by=job.started_by,
        queued_at=job.queued_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        read=job.read,
        created=job.created,
        updated=job.updated,
        unchanged=job.unchanged,
        rejected=job.rejected,
        message=job.message,
        progress=None
        if progress is None
        else ProgressRead(
            phase=progress.phase,
            rows_read=progress.rows_read,
            bytes_read=progress.bytes_read,
            total_bytes=progress.total_bytes,
            percent=progress.percent,
        ),
    )


async def receive_upload(request: Request, settings: Settings) -> StoredUpload:
    """The multipart body's file streamed to the upload folder, and its other fields. A form
    the CSRF check already parsed (a browser's cookie-authenticated post) is copied from the
    framework's spooled file instead; either way never whole in memory."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.upload_max_bytes + MULTIPART_OVERHEAD:
        raise TooLarge(
            f"the upload is larger than the {settings.upload_max_bytes:,} bytes allowed "
            "(ACCORD_UPLOAD_MAX_BYTES)",
            field="file",
        )
    receiver = UploadReceiver(
        request.headers.get("content-type", ""), settings.upload_dir, settings.upload_max_bytes
    )
    try:
        async for chunk in request.stream():
            if chunk:
                await run_in_threadpool(receiver.feed, chunk)
    except RuntimeError:  # the body was read already: the form is parsed and cached
        receiver.abort()
        return await _from_parsed_form(request, settings)
    return receiver.finish()


async def _from_parsed_form(request: Request, settings: Settings) -> StoredUpload:
    form = await request.form()
    upload = StoredUpload()
    file = form.get("file")
    if file is not None and not isinstance(file, str) and file.filename:
        upload = await run_in_threadpool(
            store_file,
            file.file,
            file.filename,
            settings.upload_dir,
            settings.upload_max_bytes,
        )
    upload.fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return upload


async def queue_from_request(
    request: Request, session: SessionDep, principal: Principal
) -> ImportJob:
    """Check the caller, store the body's file, record the queued job; the stored file is
    removed again when the upload is refused."""
    settings: Settings = request.app.state.settings
    # refused before a byte is stored
    service_upload.check_upload(principal)
    upload = await receive_upload(request, settings)
    try:
        fields = upload.fields
        return await run_in_threadpool(
            lambda: service_upload.queue_upload(
                session,
                principal,
                upload=upload,
                kind=fields.get("kind", ""),
                dry_run=service_upload.parse_flag(fields.get("dry_run"), name="dry_run"),
                keep_file=settings.upload_keep,
            )
        )
    except BaseException:
        upload.discard()
        raise


@router.post(
    "",
    status_code=202,
    response_model=ImportJobRead,
    summary="Upload a file to import, as a background job",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["kind", "file"],
                        "properties": {
                            "kind": {"type": "string", "enum": list(KINDS)},
                            "file": {"type": "string", "format": "binary"},
                            "dry_run": {"type": "boolean", "default": False},
                        },
                    }
                }
            },
        }
    },
)
async def upload_import(
    request: Request, session: SessionDep, principal: CurrentPrincipal, response: Response
) -> ImportJobRead:
    """multipart/form-data with `kind` (one of accord.importer.kinds.KINDS), `file`
    and optionally `dry_run`. The file is streamed to the upload folder with its SHA-256; the
    job is recorded as `queued` and answered at once (202, Location); a worker runs it.
    Administrators (data stewards, import:run) only."""
    job = await queue_from_request(request, session, principal)
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    return _read(job)


@router.get("", response_model=ListResponse[ImportJobRead], summary="The latest import jobs")
def list_jobs(session: SessionDep, principal: CurrentPrincipal) -> ListResponse[ImportJobRead]:
    """Administrators (data stewards) only."""
    jobs = import_service.list_jobs(session, principal)
    return ListResponse(items=[_read(j) for j in jobs], next_cursor=None)


@router.get("/{job_id}", response_model=ImportJobRead, summary="One import job")
def get_job(session: SessionDep, principal: CurrentPrincipal, job_id: int) -> ImportJobRead:
    """With `progress` while the job is queued or running."""
    return _read(import_service.get_job(session, principal, job_id), with_progress=True)


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
