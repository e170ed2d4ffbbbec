"""The imports page: upload a file to import, and follow the jobs with their progress."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from accord.access import permissions
from accord.access.deps import CurrentPrincipal, SessionDep
from accord.access.principal import Principal
from accord.errors import AppError
from accord.importer import service as import_service
from accord.importer import service_upload
from accord.importer.api import queue_from_request
from accord.importer.kinds import KINDS
from accord.importer.models import ImportJob
from accord.web.render import flash, render

router = APIRouter(include_in_schema=False)

KIND_LABELS = {name: kind.label for name, kind in KINDS.items()}
#: the form's fields, to place an error beside the right one
FORM_FIELDS = ("kind", "file", "dry_run")


def _page(
    request: Request,
    session: SessionDep,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    jobs = import_service.list_jobs(session, principal, limit=50)
    return render(
        request,
        "importer/index.html",
        principal=principal,
        page_title="Imports",
        status_code=status_code,
        kinds=list(KINDS.values()),
        kind_labels=KIND_LABELS,
        jobs=[(job, service_upload.progress_of(job)) for job in jobs],
        errors=errors or {},
        values=values or {},
    )


@router.get("/imports", response_class=HTMLResponse)
def imports(request: Request, session: SessionDep, principal: CurrentPrincipal) -> HTMLResponse:
    """The upload form and the latest jobs."""
    permissions.require(principal, permissions.IMPORT_RUN)
    return _page(request, session, principal)


@router.post("/imports", response_class=HTMLResponse)
async def upload(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    """Store the file and queue its import; a refused upload shows the form again with the
    error beside its field."""
    try:
        job: ImportJob = await queue_from_request(request, session, principal)
    except AppError as error:
        if error.status == 403 or error.field not in FORM_FIELDS:
            raise
        try:  # the browser's form, parsed by the CSRF check, to show it again as sent
            form = await request.form()
            values = {k: v for k, v in form.items() if isinstance(v, str)}
        except RuntimeError:  # streamed (the CSRF token came as a header): not kept
            values = {}
        return _page(
            request,
            session,
            principal,
            errors={error.field or "file": error.message},
            values=values,
            status_code=error.status,
        )
    what = "dry run" if job.dry_run else "import"
    flash(request, "success", f"{job.source_name} is uploaded; its {what} is job {job.id}.")
    return RedirectResponse(f"/imports#job-{job.id}", status_code=303)


@router.get("/imports/{job_id}/row", response_class=HTMLResponse)
def job_row(
    request: Request, session: SessionDep, principal: CurrentPrincipal, job_id: int
) -> HTMLResponse:
    """One job's row of the table: htmx polls it every second while the job runs and stops
    when the row it gets back is no longer running."""
    job = import_service.get_job(session, principal, job_id)
    return render(
        request,
        "importer/_job_row.html",
        principal=principal,
        page_title="Imports",
        job=job,
        progress=service_upload.progress_of(job),
        kind_labels=KIND_LABELS,
    )
