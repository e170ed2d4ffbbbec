"""Merging two stakeholder records into one, keeping every source value, and undoing it."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Enum,
    Numeric,
    Table,
    TypeDecorator,
    UniqueConstraint,
    and_,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.principal import Principal
from accord.audit import trail
from accord.audit.models import AuditAction
from accord.db.base import Base, utcnow
from accord.errors import Conflict, InvalidInput, NotFound, RuleViolation
from accord.matching.models import CandidateStatus, MatchCandidate, StakeholderMerge
from accord.stakeholder.models import (
    PERSON_TYPES,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderStatus,
)

#: identifier systems that name one person for life: two records holding different values are
#: two people, whatever their names say
EXCLUSIVE_SYSTEMS = ("npi", "orcid")

#: the tables that describe matching itself; their rows stay with the pair they are about
_OWN_TABLES = frozenset({"match_candidate", "stakeholder_merge"})

#: master fields the survivor takes from the merged record when its own is empty
_FILLED_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "credentials",
    "sex",
    "primary_specialty_code",
    "tier",
    "other_name",
    "parent_organization_name",
)
#: the primary location moves as one: a state from one record and a city from the other
#: would place the stakeholder nowhere
_LOCATION_FIELDS = ("state", "city", "territory_id")


def references() -> list[tuple[Table, Column[Any]]]:
    """Every (table, column) holding a stakeholder id, read from the metadata so that a table
    added later is moved too; the stakeholder's own `merged_into_id` and matching's tables
    excepted."""
    out: list[tuple[Table, Column[Any]]] = []
    for table in Base.metadata.sorted_tables:
        if table.name in _OWN_TABLES or table.name == "stakeholder":
            continue
        for fk in sorted(table.foreign_keys, key=lambda f: f.parent.name):
            if fk.column.table.name == "stakeholder" and fk.column.name == "id":
                out.append((table, fk.parent))
    return out


def _primary_key(table: Table) -> Column[Any]:
    columns = list(table.primary_key.columns)
    if len(columns) != 1:
        raise RuntimeError(f"{table.name} has no single-column primary key; cannot move its rows")
    return columns[0]


def _unique_sets(table: Table, column: Column[Any]) -> list[list[Column[Any]]]:
    """The other columns of each unique constraint or index that includes `column`."""
    sets: list[list[Column[Any]]] = []
    if column.unique:
        sets.append([])
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint) and column.name in constraint.columns:
            sets.append([c for c in constraint.columns if c.name != column.name])
    for index in table.indexes:
        if index.unique and column.name in index.columns:
            sets.append([c for c in index.columns if c.name != column.name])
    return sets


def _encode_row(row: dict[str, Any]) -> dict[str, str | None]:
    return {key: trail.encode_value(value) for key, value in row.items()}


def _decode_value(column: Column[Any], text: str | None) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    kind = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Numeric) and kind.asdecimal and isinstance(value, str):
        return Decimal(value)
    return value


class _Entries:
    """Audit entries of the bulk statements a merge runs, appended in one go."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        action: AuditAction,
        table: str,
        row_id: Any,
        field: str,
        old: str | None,
        new: str | None,
    ) -> None:
        actor: trail.Actor = self.session.info.get("actor", trail.SYSTEM)
        self.rows.append(
            {
                "occurred_at": utcnow(),
                "actor_id": actor.id,
                "actor": actor.name,
                "action": action,
                "entity": table,
                "entity_id": str(row_id),
                "field": field,
                "old_value": old,
                "new_value": new,
                "reason": self.session.info.get("reason"),
                "request_id": self.session.info.get("request_id"),
            }
        )

    def write(self) -> None:
        trail.append_entries(self.session, self.rows)
        self.rows = []


def exclusive_identifiers(session: Session, stakeholder_ids: list[int]) -> dict[int, set[str]]:
    """Per stakeholder, the exclusive systems (npi, orcid) it holds a value of."""
    rows = session.execute(
        select(StakeholderIdentifier.stakeholder_id, StakeholderIdentifier.system).where(
            StakeholderIdentifier.stakeholder_id.in_(stakeholder_ids),
            StakeholderIdentifier.system.in_(EXCLUSIVE_SYSTEMS),
        )
    ).all()
    out: dict[int, set[str]] = {i: set() for i in stakeholder_ids}
    for stakeholder_id, system in rows:
        out[stakeholder_id].add(system)
    return out


def identifier_conflict(held: dict[int, set[str]], a: int, b: int) -> str | None:
    """The system both records hold a value of. Values are unique across stakeholders, so
    two holders of an NPI hold different NPIs: different people, never merged."""
    shared = held.get(a, set()) & held.get(b, set())
    return min(shared) if shared else None


def choose_survivor(
    session: Session, a: Stakeholder, b: Stakeholder
) -> tuple[Stakeholder, Stakeholder]:
    """(survivor, merged) by the documented rule: the record carrying an NPI from NPPES keeps
    its identity; else one carrying any NPI; else the most recently updated; else the older
    record (lower id)."""
    sources = dict(
        session.execute(
            select(StakeholderIdentifier.stakeholder_id, StakeholderIdentifier.source).where(
                StakeholderIdentifier.stakeholder_id.in_([a.id, b.id]),
                StakeholderIdentifier.system == "npi",
            )
        ).all()
    )

    def rank(s: Stakeholder) -> tuple[int, int, datetime, int]:
        source = sources.get(s.id)
        return (
            1 if source is not None and "nppes" in source.lower() else 0,
            1 if source is not None else 0,
            s.updated_at,
            -s.id,
        )

    return (a, b) if rank(a) >= rank(b) else (b, a)


def _fill_value(field: str, kept: Any, other: Any) -> Any:
    """The survivor's value after the merge: non-empty beats empty; a full middle name beats
    its own initial."""
    if kept is None or kept == "":
        return other if other not in (None, "") else kept
    if (
        field == "middle_name"
        and isinstance(kept, str)
        and isinstance(other, str)
        and len(kept.rstrip(".")) == 1
        and len(other) > 1
        and other[0].upper() == kept[0].upper()
    ):
        return other
    return kept


def _overwrite_survivor(survivor: Stakeholder, merged: Stakeholder) -> dict[str, Any]:
    source = f"stakeholder {merged.id}"
    changes: dict[str, Any] = {}
    for field in _FILLED_FIELDS:
        old = getattr(survivor, field)
        new = _fill_value(field, old, getattr(merged, field))
        if new != old:
            changes[field] = {"old": trail.encode_value(old), "new": trail.encode_value(new)}
            setattr(survivor, field, new)
    if survivor.state is None and merged.state is not None:
        for field in _LOCATION_FIELDS:
            old, new = getattr(survivor, field), getattr(merged, field)
            if new != old:
                changes[field] = {"old": trail.encode_value(old), "new": trail.encode_value(new)}
                setattr(survivor, field, new)
    if survivor.type in PERSON_TYPES and changes.keys() & {
        "first_name",
        "middle_name",
        "last_name",
        "credentials",
    }:
        parts = [survivor.first_name, survivor.middle_name, survivor.last_name]
        name = " ".join(p for p in parts if p)
        display = f"{name}, {survivor.credentials}" if survivor.credentials else name
        sort = f"{survivor.last_name or ''} {survivor.first_name or ''}".strip().lower()
        for field, value in (("name", display), ("sort_name", sort)):
            old = getattr(survivor, field)
            if value != old:
                changes[field] = {"old": trail.encode_value(old), "new": trail.encode_value(value)}
                setattr(survivor, field, value)
    for change in changes.values():
        change["source"] = source
    return changes


def _move_rows(
    session: Session, entries: _Entries, survivor_id: int, merged_id: int
) -> tuple[dict[str, list[Any]], dict[str, list[dict[str, str | None]]]]:
    """Point every child row of the merged record at the survivor. A row the survivor already
    has by a unique constraint (the same specialty code, product, function) is removed and kept
    whole in the merge record."""
    moved: dict[str, list[Any]] = {}
    removed: dict[str, list[dict[str, str | None]]] = {}
    demoted: dict[str, list[Any]] = {}
    conn = session.connection()
    for table, column in references():
        pk = _primary_key(table)
        rows = [dict(r._mapping) for r in conn.execute(select(table).where(column == merged_id))]
        if not rows:
            continue
        clashing: set[Any] = set()
        for others in _unique_sets(table, column):
            kept = {
                tuple(r._mapping[c.name] for c in others)
                for r in conn.execute(select(*others).where(column == survivor_id))
            }
            if not others and conn.execute(select(pk).where(column == survivor_id)).first():
                kept = {()}
            clashing |= {r[pk.name] for r in rows if tuple(r[c.name] for c in others) in kept}
        gone = [r for r in rows if r[pk.name] in clashing]
        if gone:
            conn.execute(
                table.delete().where(pk.in_([r[pk.name] for r in gone])),
                execution_options={trail.AUDITED_BULK: True},
            )
            removed[table.name] = []
            for row in gone:
                encoded = _encode_row(row)
                removed[table.name].append(encoded)
                for name, value in encoded.items():
                    if value is not None:
                        entries.add(AuditAction.delete, table.name, row[pk.name], name, value, None)
        ids = sorted(r[pk.name] for r in rows if r[pk.name] not in clashing)
        if not ids:
            continue
        conn.execute(
            update(table).where(pk.in_(ids)).values({column.name: survivor_id}),
            execution_options={trail.AUDITED_BULK: True},
        )
        moved[f"{table.name}.{column.name}"] = ids
        for row_id in ids:
            entries.add(
                AuditAction.update,
                table.name,
                row_id,
                column.name,
                trail.encode_value(merged_id),
                trail.encode_value(survivor_id),
            )
        # the survivor's primary address, specialty or affiliation stays the primary one
        if "is_primary" in table.c and column.name == "stakeholder_id":
            had_primary = conn.execute(
                select(pk).where(
                    column == survivor_id, table.c.is_primary.is_(True), pk.not_in(ids)
                )
            ).first()
            if had_primary:
                lowered = sorted(r[pk.name] for r in rows if r[pk.name] in ids and r["is_primary"])
                if lowered:
                    conn.execute(
                        update(table).where(pk.in_(lowered)).values(is_primary=False),
                        execution_options={trail.AUDITED_BULK: True},
                    )
                    demoted[table.name] = lowered
                    for row_id in lowered:
                        entries.add(
                            AuditAction.update, table.name, row_id, "is_primary", "true", "false"
                        )
    if demoted:
        moved["_demoted"] = [[name, ids] for name, ids in sorted(demoted.items())]
    return moved, removed


def merge_stakeholders(
    session: Session,
    actor: Principal,
    *,
    survivor_id: int,
    merged_id: int,
    reason: str,
    candidate: MatchCandidate | None = None,
) -> StakeholderMerge:
    """Merge `merged_id` into `survivor_id`: every child row moves to the survivor, empty
    survivor fields take the merged record's values (each old and new value kept with its
    source), and the merged record stays, hidden, with status `merged` and a pointer to the
    survivor. Two records holding different NPIs (or ORCIDs) are never merged. Audited in the
    same transaction; `undo_merge` restores exactly."""
    survivor = gate.get_visible_stakeholder(session, actor, survivor_id)
    merged = gate.get_visible_stakeholder(session, actor, merged_id)
    permissions.require(actor, permissions.STAKEHOLDER_MERGE)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why these records are the same stakeholder", field="reason")
    if survivor_id == merged_id:
        raise InvalidInput("a stakeholder cannot be merged into itself", field="merged_id")
    if survivor.kind != merged.kind:
        raise RuleViolation(
            f"a {survivor.kind.value} and an {merged.kind.value} are never the same stakeholder",
            field="merged_id",
        )
    conflict = identifier_conflict(
        exclusive_identifiers(session, [survivor_id, merged_id]), survivor_id, merged_id
    )
    if conflict:
        raise RuleViolation(
            f"stakeholders {survivor_id} and {merged_id} hold different {conflict.upper()}s: "
            "they are different people and are never merged",
            field="merged_id",
        )
    with trail.reason(session, f"merge of stakeholder {merged_id} into {survivor_id}: {reason}"):
        before = {
            "status": trail.encode_value(merged.status),
            "updated_at": trail.encode_value(merged.updated_at),
            "survivor_updated_at": trail.encode_value(survivor.updated_at),
        }
        overwritten = _overwrite_survivor(survivor, merged)
        overwritten["_merged"] = before
        merged.status = StakeholderStatus.merged
        merged.merged_into_id = survivor.id
        session.flush()
        entries = _Entries(session)
        moved, removed = _move_rows(session, entries, survivor.id, merged.id)
        entries.write()
        record = StakeholderMerge(
            survivor_id=survivor.id,
            merged_id=merged.id,
            candidate_id=candidate.id if candidate else None,
            reason=reason,
            merged_by_id=actor.user_id or None,
            merged_by=actor.username,
            moved=moved,
            removed=removed,
            overwritten=overwritten,
        )
        session.add(record)
        session.flush()
    session.expire_all()
    return record


def get_merge(session: Session, actor: Principal, merge_id: int) -> StakeholderMerge:
    permissions.require(actor, permissions.STAKEHOLDER_MERGE)
    record = session.get(StakeholderMerge, merge_id)
    if record is None:
        raise NotFound(f"no merge {merge_id}")
    gate.get_visible_stakeholder(session, actor, record.survivor_id, include_merged=True)
    return record


def undo_merge(
    session: Session, actor: Principal, *, merge_id: int, reason: str
) -> StakeholderMerge:
    """Put both records back exactly as they were before the merge: rows moved back, rows
    removed for a clash restored with their ids, survivor fields and the merged record's
    status reset. The pair goes back to the stewards' queue, never to be merged automatically."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("say why the merge is undone", field="reason")
    record = get_merge(session, actor, merge_id)
    if record.undone_at is not None:
        raise Conflict(f"merge {merge_id} was already undone", field="merge_id")
    survivor = gate.get_visible_stakeholder(session, actor, record.survivor_id, include_merged=True)
    merged = gate.get_visible_stakeholder(session, actor, record.merged_id, include_merged=True)
    if survivor.status == StakeholderStatus.merged:
        raise Conflict(
            f"stakeholder {survivor.id} was itself merged later; undo that merge first",
            field="merge_id",
        )
    later = session.scalars(
        select(StakeholderMerge.id).where(
            StakeholderMerge.survivor_id == survivor.id,
            StakeholderMerge.id > record.id,
            StakeholderMerge.undone_at.is_(None),
        )
    ).first()
    if later is not None:
        raise Conflict(
            f"merge {later} into the same survivor came later; undo it first", field="merge_id"
        )
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    with trail.reason(session, f"undo of merge {merge_id}: {reason}"):
        entries = _Entries(session)
        conn = session.connection()
        for name, ids in record.moved.get("_demoted", []):
            table = tables[name]
            pk = _primary_key(table)
            conn.execute(
                update(table).where(pk.in_(ids)).values(is_primary=True),
                execution_options={trail.AUDITED_BULK: True},
            )
            for row_id in ids:
                entries.add(AuditAction.update, name, row_id, "is_primary", "false", "true")
        for key, ids in record.moved.items():
            if key.startswith("_"):
                continue
            table_name, column_name = key.split(".")
            table = tables[table_name]
            pk, column = _primary_key(table), table.c[column_name]
            conn.execute(
                update(table)
                .where(and_(pk.in_(ids), column == survivor.id))
                .values({column_name: merged.id}),
                execution_options={trail.AUDITED_BULK: True},
            )
            for row_id in ids:
                entries.add(
                    AuditAction.update,
                    table_name,
                    row_id,
                    column_name,
                    trail.encode_value(survivor.id),
                    trail.encode_value(merged.id),
                )
        for table_name, rows in record.removed.items():
            table = tables[table_name]
            pk = _primary_key(table)
            for encoded in rows:
                values = {k: _decode_value(table.c[k], v) for k, v in encoded.items()}
                conn.execute(
                    insert(table).values(values), execution_options={trail.AUDITED_BULK: True}
                )
                for k, v in encoded.items():
                    if v is not None:
                        entries.add(AuditAction.create, table_name, values[pk.name], k, None, v)
        entries.write()
        session.expire_all()
        stakeholder_table = Stakeholder.__table__
        assert isinstance(stakeholder_table, Table)
        before = record.overwritten.get("_merged", {})
        for field, change in record.overwritten.items():
            if field.startswith("_"):
                continue
            setattr(survivor, field, _decode_value(stakeholder_table.c[field], change["old"]))
        merged.status = _decode_value(stakeholder_table.c["status"], before.get("status"))
        merged.merged_into_id = None
        session.flush()
        # restore the clocks last: the updates above would otherwise stamp them with now
        if before.get("survivor_updated_at"):
            survivor.updated_at = _decode_value(
                stakeholder_table.c["updated_at"], before["survivor_updated_at"]
            )
        if before.get("updated_at"):
            merged.updated_at = _decode_value(
                stakeholder_table.c["updated_at"], before["updated_at"]
            )
        record.undone_at = utcnow()
        record.undone_by = actor.username
        record.undo_reason = reason
        if record.candidate_id is not None:
            candidate = session.get(MatchCandidate, record.candidate_id)
            if candidate is not None:
                candidate.status = CandidateStatus.pending
                candidate.decided_by_id = None
                candidate.decided_by = None
                candidate.decided_at = None
                candidate.reason = f"merge {record.id} undone: {reason}"
        session.flush()
    return record
