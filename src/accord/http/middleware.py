"""Request id and security headers, as plain ASGI middleware."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.logs import request_id_var

log = logging.getLogger("accord.request")

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
REQUEST_ID_HEADER = "X-Request-ID"


class RequestContextMiddleware:
    """Gives every request an id (the caller's X-Request-ID when it is sane), puts it in every
    log line and on every response, and logs one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                # the server's own time to the first byte, for browsers' dev tools and the
                # benchmarks (W3C Server Timing)
                elapsed_ms = (time.perf_counter() - started) * 1000
                headers["Server-Timing"] = f"app;dur={elapsed_ms:.2f}"
            await send(message)

        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send_with_headers(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            # answer here rather than in Starlette's outermost error middleware, so the 500 too
            # carries the request id (response and log line) and the security headers
            if response_started:
                raise
            from starlette.requests import Request

            from accord.http.problems import unexpected_error

            response = await unexpected_error(Request(scope, receive), error)
            await response(scope, receive, send_with_headers)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            log.info("%s %s -> %s in %.1f ms", scope["method"], scope["path"], status, elapsed)
            request_id_var.reset(token)
