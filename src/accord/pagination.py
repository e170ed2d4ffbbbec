"""Keyset pagination: every list answers `{"items": [...], "next_cursor": str | None}`."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from accord.errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(key: Any) -> str:
    raw = json.dumps({"k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return data["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise InvalidInput(
            "cursor is not one this API issued; pass next_cursor from the previous page",
            field="cursor",
        ) from None


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


def paginate(
    session: Session,
    stmt: Select[T],
    *,
    key: ColumnElement[int] | InstrumentedAttribute[int],
    key_of: Any,
    limit: int | None,
    cursor: str | None,
    descending: bool = False,
) -> Page[T]:
    """One page of `stmt` ordered by the unique integer `key`; `key_of(item)` reads it back."""
    size = check_limit(limit)
    if cursor:
        after = decode_cursor(cursor)
        if not isinstance(after, int):
            raise InvalidInput("cursor is malformed", field="cursor")
        stmt = stmt.where(key < after if descending else key > after)
    stmt = stmt.order_by(key.desc() if descending else key.asc()).limit(size + 1)
    rows: list[T] = list(session.scalars(stmt).all())
    more = len(rows) > size
    items = rows[:size]
    return Page(items=items, next_cursor=encode_cursor(key_of(items[-1])) if more else None)


class ListResponse(BaseModel, Generic[T]):
    """The one shape of every list the API returns."""

    items: list[T]
    next_cursor: str | None = None
