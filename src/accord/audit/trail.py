"""Writes the audit trail from SQLAlchemy session events, once, for every audited model.

Services do not write audit rows themselves: `after_flush` sees every insert, update and
delete of an `Audited` model and appends one entry per changed field, in the same
transaction, chained to the previous entry by SHA-256.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.base import NO_VALUE

from accord.audit.mixin import Audited
from accord.audit.models import AuditAction, AuditEntry, AuditHead
from accord.db.base import utcnow

REDACTED = '"[redacted]"'
HEAD_ID = 1


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the audit trail records it."""

    id: int | None
    name: str


SYSTEM = Actor(id=None, name="system")


def set_actor(session: Session, actor: Actor) -> None:
    session.info["actor"] = actor


def set_request_id(session: Session, request_id: str | None) -> None:
    session.info["request_id"] = request_id


@contextmanager
def reason(session: Session, text: str) -> Iterator[None]:
    """Record `text` as the reason of every change flushed inside the block."""
    previous = session.info.get("reason")
    session.info["reason"] = text
    try:
        yield
        session.flush()
    finally:
        session.info["reason"] = previous


def encode_value(value: Any) -> str | None:
    """A stable JSON text for a column value (None stays NULL)."""
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    elif isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat(timespec="microseconds")
    elif isinstance(value, date):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    elif isinstance(value, bytes):
        value = hashlib.sha256(value).hexdigest()
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def entry_hash(row: dict[str, Any]) -> str:
    """SHA-256 over the entry's content and the previous entry's hash."""
    occurred = row["occurred_at"]
    payload = [
        row["seq"],
        occurred.astimezone(UTC).isoformat(timespec="microseconds"),
        row["actor_id"],
        row["actor"],
        str(row["action"]),
        row["entity"],
        row["entity_id"],
        row["field"],
        row["old_value"],
        row["new_value"],
        row["reason"],
        row["request_id"],
        row["prev_hash"],
    ]
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _entity_id(obj: Any) -> str:
    # after_flush runs before new objects receive their identity key; their primary key is
    # already populated by the INSERT, so read it from the instance instead
    identity = inspect(obj).identity or inspect(type(obj)).primary_key_from_instance(obj)
    if identity is None or any(part is None for part in identity):
        return "?"
    return ",".join(str(part) for part in identity)


def _columns(obj: Any) -> Iterator[str]:
    mapper = inspect(type(obj))
    for attr in mapper.column_attrs:
        yield attr.key


def _changes(session: Session) -> list[tuple[AuditAction, Any, str | None, str | None, str | None]]:
    """(action, object, field, old, new) for every audited change in this flush."""
    out: list[tuple[AuditAction, Any, str | None, str | None, str | None]] = []

    def encoded(obj: Audited, key: str, value: Any) -> str | None:
        if key in obj.__audit_redact__:
            return None if value is None else REDACTED
        return encode_value(value)

    for obj in session.new:
        if not isinstance(obj, Audited):
            continue
        state = inspect(obj)
        for key in _columns(obj):
            if key in obj.__audit_exclude__:
                continue
            value = state.attrs[key].loaded_value
            if value is NO_VALUE or value is None:
                continue
            out.append((AuditAction.create, obj, key, None, encoded(obj, key, value)))
    for obj in session.dirty:
        if not isinstance(obj, Audited) or obj in session.deleted:
            continue
        state = inspect(obj)
        for key in _columns(obj):
            if key in obj.__audit_exclude__:
                continue
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            out.append(
                (AuditAction.update, obj, key, encoded(obj, key, old), encoded(obj, key, new))
            )
    for obj in session.deleted:
        if not isinstance(obj, Audited):
            continue
        state = inspect(obj)
        for key in _columns(obj):
            if key in obj.__audit_exclude__:
                continue
            value = state.attrs[key].loaded_value
            if value is NO_VALUE or value is None:
                continue
            out.append((AuditAction.delete, obj, key, encoded(obj, key, value), None))
    return out


def append_entries(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    """Chain and insert entries (dicts with actor/action/entity/entity_id/field/values/reason).

    Takes a row lock on the chain head (PostgreSQL), so concurrent writers append in turn.
    """
    if not entries:
        return
    conn = session.connection()
    head = conn.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID).with_for_update()
    ).one()
    seq, prev = head.seq, head.hash
    rows = []
    for entry in entries:
        seq += 1
        row = dict(entry, seq=seq, prev_hash=prev)
        row["hash"] = prev = entry_hash(row)
        rows.append(row)
    conn.execute(insert(AuditEntry), rows)
    conn.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=seq, hash=prev))


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    changes = _changes(session)
    if not changes:
        return
    actor: Actor = session.info.get("actor", SYSTEM)
    now = utcnow()
    common = {
        "occurred_at": now,
        "actor_id": actor.id,
        "actor": actor.name,
        "reason": session.info.get("reason"),
        "request_id": session.info.get("request_id"),
    }
    entries = [
        dict(
            common,
            action=action,
            entity=type(obj).__tablename__,
            entity_id=_entity_id(obj),
            field=field,
            old_value=old,
            new_value=new,
        )
        for action, obj, field, old, new in changes
    ]
    append_entries(session, entries)


def record_read(session: Session, *, entity: str, entity_id: str, field: str | None) -> None:
    """Audit a read (reads of medical-only data by compliance or admin are themselves audited)."""
    actor: Actor = session.info.get("actor", SYSTEM)
    append_entries(
        session,
        [
            {
                "occurred_at": utcnow(),
                "actor_id": actor.id,
                "actor": actor.name,
                "action": AuditAction.read,
                "entity": entity,
                "entity_id": entity_id,
                "field": field,
                "old_value": None,
                "new_value": None,
                "reason": session.info.get("reason"),
                "request_id": session.info.get("request_id"),
            }
        ],
    )


def record_bulk(
    session: Session,
    *,
    action: AuditAction | str,
    entity: str,
    new_value: object,
    reason: str,
    field: str | None = None,
    actor: Actor | None = None,
    occurred_at: datetime | None = None,
) -> None:
    """One chained entry for rows a bulk path wrote (COPY, executemany): entity id "*", the
    counts in `new_value`. Per-row entries would cost more than the write itself; the rows
    carry what ties them to it (an import job, a snapshot, a seed)."""
    who: Actor = actor or session.info.get("actor", SYSTEM)
    append_entries(
        session,
        [
            {
                "occurred_at": occurred_at or utcnow(),
                "actor_id": who.id,
                "actor": who.name,
                "action": action,
                "entity": entity,
                "entity_id": "*",
                "field": field,
                "old_value": None,
                "new_value": new_value if isinstance(new_value, str) else encode_value(new_value),
                "reason": reason,
                "request_id": session.info.get("request_id"),
            }
        ],
    )


class AuditBypassError(RuntimeError):
    """A bulk ORM statement would change audited rows without writing their audit entries."""


#: execution option a bulk path sets once it writes its own audit entries (append_entries)
AUDITED_BULK = "accord_audited_bulk"


def _refuse_unaudited_bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if state.execution_options.get(AUDITED_BULK):
        return
    mapper = state.bind_mapper
    if mapper is not None and issubclass(mapper.class_, Audited):
        raise AuditBypassError(
            f"bulk {'insert' if state.is_insert else 'update' if state.is_update else 'delete'} "
            f"of audited {mapper.class_.__name__} would skip the audit trail; change the "
            "objects through the session, or write the entries with append_entries() and pass "
            f"execution_options({AUDITED_BULK}=True)"
        )


_installed = False


def install() -> None:
    """Listen on every Session (idempotent)."""
    global _installed
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _refuse_unaudited_bulk)
        _installed = True


install()
