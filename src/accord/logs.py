"""Logging: one line per record, each carrying the request id of the request it belongs to."""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


FORMAT = "%(asctime)s %(levelname)s [req=%(request_id)s] %(name)s: %(message)s"


def configure_logging(level: str) -> None:
    """Install the request-id filter on the root handler (idempotent)."""
    root = logging.getLogger()
    root.setLevel(level)
    handler = next((h for h in root.handlers if getattr(h, "_accord", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler._accord = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "dramatiq"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # uvicorn's own access log lacks the request id; Accord logs each request itself
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
