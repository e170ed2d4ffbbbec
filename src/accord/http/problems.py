"""Errors as RFC 9457 problem details for /api, and as friendly pages for the web UI."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord.errors import AppError, MergedAway, Unauthorized

log = logging.getLogger("accord.errors")

PROBLEM_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    415: "Unsupported media type",
    422: "Invalid input",
    423: "Locked",
    429: "Too many requests",
    500: "Internal server error",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or "text/html" not in request.headers.get(
        "accept", ""
    )


def problem(
    request: Request,
    status: int,
    detail: str,
    *,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
    }
    if extra:
        body.update(extra)
    if not wants_json(request):
        from accord.web.render import render_error

        return render_error(request, status, body["title"], detail, headers=headers)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie", "form")]
    return ".".join(parts) or str(loc[-1] if loc else "")


async def app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if isinstance(exc, Unauthorized) and not wants_json(request) and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    extra: dict[str, Any] | None = {"field": exc.field} if exc.field else None
    if isinstance(exc, MergedAway):
        extra = {**(extra or {}), "merged_into": exc.merged_into}
    return problem(request, exc.status, exc.message, title=exc.title, extra=extra, headers=headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        field = _field_of(err.get("loc", ()))
        message = str(err.get("msg", "is invalid"))
        errors.append({"field": field, "message": message})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid input"
    return problem(request, 422, detail, extra={"errors": errors})


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing at {request.url.path}"
    return problem(request, exc.status_code, detail, headers=getattr(exc, "headers", None))


async def unexpected_error(request: Request, exc: Exception) -> Response:
    """The 500 answer; RequestContextMiddleware calls it so the request id is in context."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        request,
        500,
        "something went wrong on our side; the request id identifies it in the logs",
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
