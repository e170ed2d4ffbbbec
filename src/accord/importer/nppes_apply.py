"""Stages the normalised NPPES rows about stakeholders the database already holds (COPY on
PostgreSQL, executemany on SQLite) and applies them with set-based SQL: the same statements on
both databases, so their results cannot drift. New stakeholders do not pass through here:
`nppes_new` writes them straight into their tables as the chunks are read.

Audit design (docs/importing.md, "Audit of bulk imports"): every value changed on a
stakeholder that existed before the job gets its own chained entry (old, new, the job as
reason), computed by set-based diffs and written with `trail.append_entries`; stakeholders
the job creates carry its id in `stakeholder.import_job_id` and the job writes one chained
entry naming the file's SHA-256 and the counts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any, cast

import polars as pl
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from accord.audit import trail
from accord.audit.models import AuditAction
from accord.db.base import code_string, utcnow
from accord.db.bulk import append_frame
from accord.importer.models import ImportRowError, NppesRecord
from accord.importer.nppes_new import (
    BLOCK,
    SOURCE,
    STAKEHOLDER_FIELDS,
    NewRows,
    later_claims,
)
from accord.importer.service import Run
from accord.stakeholder.models import (
    Address,
    AuthorizedOfficial,
    Specialty,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderSpecialty,
)
from accord.territory.models import TerritoryAlignment

ADDRESS = cast(Table, Address.__table__)
OFFICIAL = cast(Table, AuthorizedOfficial.__table__)
SPECIALTY = cast(Table, Specialty.__table__)
STAKEHOLDER = cast(Table, Stakeholder.__table__)
IDENTIFIER = cast(Table, StakeholderIdentifier.__table__)
STAKEHOLDER_SPECIALTY = cast(Table, StakeholderSpecialty.__table__)
ALIGNMENT = cast(Table, TerritoryAlignment.__table__)


AUDITED = {trail.AUDITED_BULK: True}

STAGED_TEXT = tuple(f for f in STAKEHOLDER_FIELDS if f != "status")
STAGE_COLUMNS = ("row_number", "npi", "only_status", *STAGED_TEXT, "status", "updated_on")
ADDRESS_FIELDS = ("is_primary", "line1", "line2", "city", "state", "postal_code", "phone")
OFFICIAL_FIELDS = ("last_name", "first_name", "middle_name", "title", "credentials", "phone")

SPECIALTY_SCHEMA = {"row_number": pl.Int64, "code": pl.String, "is_primary": pl.Boolean}
IDENTIFIER_SCHEMA = {"row_number": pl.Int64, "system": pl.String, "value": pl.String}
ADDRESS_SCHEMA = {
    "row_number": pl.Int64,
    "kind": pl.String,
    "is_primary": pl.Boolean,
    **{f: pl.String for f in ADDRESS_FIELDS if f != "is_primary"},
}
OFFICIAL_SCHEMA = {"row_number": pl.Int64, **{f: pl.String for f in OFFICIAL_FIELDS}}

# --- the staging tables (temporary: private to the connection, gone with it) ---------------

_meta = MetaData()
_TEMP = ["TEMPORARY"]
stage = Table(
    "nppes_stage",
    _meta,
    Column("row_number", Integer),
    Column("npi", code_string()),
    Column("only_status", Boolean),
    *[Column(f, String) for f in STAGED_TEXT],
    Column("status", String),
    Column("updated_on", Date),
    #: the record's digest (nppes_new), stored once the row is applied
    Column("digest", BigInteger),
    prefixes=_TEMP,
)
stage_specialty = Table(
    "nppes_stage_specialty",
    _meta,
    Column("row_number", Integer),
    Column("specialty_code", String),
    Column("is_primary", Boolean),
    prefixes=_TEMP,
)
stage_identifier = Table(
    "nppes_stage_identifier",
    _meta,
    Column("row_number", Integer),
    Column("system", code_string()),
    Column("value", code_string()),
    prefixes=_TEMP,
)
stage_address = Table(
    "nppes_stage_address",
    _meta,
    Column("row_number", Integer),
    Column("kind", String),
    Column("is_primary", Boolean),
    *[Column(f, String) for f in ADDRESS_FIELDS if f != "is_primary"],
    prefixes=_TEMP,
)
stage_official = Table(
    "nppes_stage_official",
    _meta,
    Column("row_number", Integer),
    *[Column(f, String) for f in OFFICIAL_FIELDS],
    prefixes=_TEMP,
)
stage_error = Table(
    "nppes_stage_error",
    _meta,
    Column("row_number", Integer),
    prefixes=_TEMP,
)
#: which stakeholder each staged row is about
target = Table(
    "nppes_target",
    _meta,
    Column("row_number", Integer, primary_key=True),
    Column("stakeholder_id", Integer, index=True),
    prefixes=_TEMP,
)
#: the stakeholder columns each full row asks for (type and territory resolved)
want = Table(
    "nppes_want",
    _meta,
    # not a key: a stakeholder merged from two NPIs is asked for by two rows
    Column("id", Integer, index=True),
    Column("row_number", Integer),
    # the stakeholder's own column types: compared with them, collations included
    *[Column(f, STAKEHOLDER.c[f].type) for f in STAKEHOLDER_FIELDS],
    Column("territory_id", Integer),
    prefixes=_TEMP,
)
#: the identifiers the file asks for with their current holder; those nobody holds yet are
#: ranked: the first row asking for one gets it
fresh_identifier = Table(
    "nppes_fresh_identifier",
    _meta,
    Column("row_number", Integer),
    Column("stakeholder_id", Integer),
    Column("system", code_string()),
    Column("value", code_string()),
    #: the stakeholder already holding the identifier (null when nobody does)
    Column("owner", Integer),
    Column("rank", Integer),
    prefixes=_TEMP,
)
changed_table = Table(
    "nppes_changed", _meta, Column("stakeholder_id", Integer, primary_key=True), prefixes=_TEMP
)
STAGING = (stage, stage_specialty, stage_identifier, stage_address, stage_official, stage_error)
WORK = (target, want, fresh_identifier, changed_table)

# --- loading frames -------------------------------------------------------------------------


def _is_postgres(session: Session) -> bool:
    return session.connection().dialect.name == "postgresql"


def load_frame(session: Session, table: str, frame: pl.DataFrame) -> None:
    append_frame(session, table, frame, block_rows=BLOCK)


class Staging:
    """One job's rows: chunks go in as they are read (new stakeholders written at once, the
    others staged), then `apply` runs once. `expected_rows` (an estimate of the file's rows)
    lets a first import set the tables' indexes aside."""

    def __init__(self, run: Run, *, expected_rows: int | None = None) -> None:
        self.run = run
        self.session = run.session
        self.now = utcnow()
        #: seconds per phase, for the benchmark and the curious
        self.timings: dict[str, float] = {}
        for table in (*STAGING, *WORK):
            table.drop(self.session.connection(), checkfirst=True)
        for table in STAGING:
            table.create(self.session.connection())
        with self.timed("read the NPIs held"):
            self.new_rows = NewRows(run, expected_rows=expected_rows, now=self.now)

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - started

    def add(self, chunk: Any) -> None:
        """Take one normalised chunk (nppes.Chunk): write its new stakeholders, stage the
        rest; its row errors go straight to the job."""
        with self.timed("write new stakeholders"):
            rest = self.new_rows.take(chunk)
        with self.timed("stage (COPY / executemany)"):
            self._add(rest)

    def _add(self, chunk: Any) -> None:
        errors: pl.DataFrame = chunk.errors
        rejected = errors.filter(pl.col("rejected"))
        self.run.job.rejected += rejected.height
        load_frame(
            self.session,
            ImportRowError.__tablename__,
            errors.select(
                pl.lit(self.run.job.id).alias("job_id"), "row_number", "column", "value", "reason"
            ),
        )
        load_frame(self.session, stage.name, chunk.stakeholders)
        load_frame(
            self.session,
            stage_specialty.name,
            chunk.specialties.rename({"code": "specialty_code"}),
        )
        load_frame(self.session, stage_identifier.name, chunk.identifiers)
        load_frame(self.session, stage_address.name, chunk.addresses)
        load_frame(self.session, stage_official.name, chunk.officials)

    def record_digests(self) -> None:
        """The applied rows' digests become the ones a later file is compared with; a
        deactivation forgets the NPI's (its next full record is diffed again)."""
        record = cast(Table, NppesRecord.__table__)
        self.session.execute(
            delete(record).where(record.c.npi.in_(select(stage.c.npi).where(stage.c.only_status)))
        )
        dialect_insert = postgresql_insert if _is_postgres(self.session) else sqlite_insert
        statement = dialect_insert(record).from_select(
            ["npi", "digest", "import_job_id"],
            select(stage.c.npi, stage.c.digest, literal(self.run.job.id)).where(
                stage.c.digest.is_not(None)
            ),
        )
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[record.c.npi],
                set_={
                    "digest": statement.excluded.digest,
                    "import_job_id": statement.excluded.import_job_id,
                },
            )
        )

    def apply(self, reason: str) -> None:
        with self.timed("write new stakeholders"):
            self.new_rows.flush()
        applier = Applier(self, reason)
        applier.apply()
        with self.timed("rebuild indexes and keys"):
            self.new_rows.rebuild()
        # after the rebuild: the few identifiers left to check are looked up in the index
        with self.timed("move new identifiers"):
            self.new_rows.finish()
        with self.timed("record digests"):
            self.record_digests()
        applier.close(self.new_rows.created, self.new_rows.unchanged)


# --- applying -------------------------------------------------------------------------------


def _value(column: Any, value: Any) -> Any:
    """A value read through a staging column, typed as the model column would hold it."""
    if value is None:
        return None
    if isinstance(column.type, Boolean):
        return bool(value)
    if isinstance(column.type, Date) and isinstance(value, str):
        return date.fromisoformat(value)
    return value


class Applier:
    """The set-based statements of one job, in order; collects the audit entries."""

    def __init__(self, staging: Staging, reason: str) -> None:
        self.run = staging.run
        self.timed = staging.timed
        self.session = staging.run.session
        self.reason = reason
        self.now = utcnow()
        self.today = self.now.date()
        self.actor: trail.Actor = self.session.info.get("actor", trail.SYSTEM)
        self.changed: set[int] = set()
        self.staged = 0
        self.postgres = _is_postgres(self.session)

    # helpers

    def execute(self, statement: Any, params: Any = None) -> Any:
        return self.session.execute(statement, params, execution_options=AUDITED)

    def entry(
        self,
        action: AuditAction,
        entity: str,
        entity_id: object,
        field: str | None,
        old: Any,
        new: Any,
    ) -> dict[str, Any]:
        return {
            "occurred_at": self.now,
            "actor_id": self.actor.id,
            "actor": self.actor.name,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "field": field,
            "old_value": trail.encode_value(old),
            "new_value": trail.encode_value(new),
            "reason": self.reason,
            "request_id": self.session.info.get("request_id"),
        }

    def audit(self, entries: Sequence[dict[str, Any]]) -> None:
        trail.append_entries(self.session, entries)

    def row_entries(self, action: AuditAction, table: Table, rows: Iterable[Any]) -> None:
        """Create or delete entries for whole rows: one per non-null column, as the
        session's after_flush writes them."""
        entries = []
        for row in rows:
            for column in table.columns:
                value = row._mapping[column.name]
                if value is None or column.name == "updated_at":
                    continue
                old, new = (None, value) if action == AuditAction.create else (value, None)
                entries.append(self.entry(action, table.name, row.id, column.name, old, new))
        self.audit(entries)

    def count(self, table: Table, *where: ColumnElement[bool]) -> int:
        return int(self.session.scalar(select(func.count()).select_from(table).where(*where)) or 0)

    # the steps

    def apply(self) -> None:
        conn = self.session.connection()
        with self.timed("analyze staging"):
            if self.postgres:
                # the child staging tables are only scanned whole; their sizes come from
                # their pages without ANALYZE
                self.session.execute(_analyze(stage))
            for table in WORK:
                table.create(conn)
        self.staged = self.count(stage)
        if not self.staged:
            return  # a first import: every row was new
        with self.timed("find targets"):
            self.find_targets()
        with self.timed("add unknown specialties"):
            self.add_unknown_specialties()
        with self.timed("resolve wanted"):
            self.resolve_wanted()
        with self.timed("update stakeholders"):
            self.update_stakeholders()
        with self.timed("deactivate"):
            self.deactivate()
        with self.timed("sync identifiers"):
            self.sync_identifiers()
        with self.timed("sync addresses"):
            self.sync_children(ADDRESS, stage_address, ("kind",), ADDRESS_FIELDS, own_only=True)
        with self.timed("sync specialties"):
            self.sync_children(
                STAKEHOLDER_SPECIALTY,
                stage_specialty,
                ("specialty_code",),
                ("is_primary",),
                own_only=False,
            )
        with self.timed("sync officials"):
            self.sync_children(
                OFFICIAL, stage_official, (), OFFICIAL_FIELDS, own_only=False, remove_absent=False
            )
        with self.timed("redate npis"):
            self.redate_npis()

    def close(self, created: int, unchanged: int) -> None:
        """The job's counts, and one chained entry for the stakeholders it created."""
        job = self.run.job
        job.created += created
        job.updated += len(self.changed)
        job.unchanged += self.staged - len(self.changed) + unchanged
        if created:
            self.audit(
                [
                    self.entry(
                        AuditAction.create,
                        "import_job",
                        job.id,
                        "stakeholders",
                        None,
                        {
                            "file": job.source_name,
                            "sha256": job.source_sha256,
                            "read": job.read,
                            "created": created,
                            "updated": len(self.changed),
                            "rejected": job.rejected,
                            "created_rows": "every stakeholder whose import_job_id is this "
                            "job, with its identifiers, addresses, specialties and official",
                        },
                    )
                ]
            )
        conn = self.session.connection()
        for table in (*WORK, *STAGING):
            table.drop(conn)

    def find_targets(self) -> None:
        npi = IDENTIFIER
        self.session.execute(
            insert(target).from_select(
                ["row_number", "stakeholder_id"],
                select(stage.c.row_number, npi.c.stakeholder_id).join(
                    npi, and_(npi.c.system == "npi", npi.c.value == stage.c.npi)
                ),
            )
        )
        if self.postgres:
            self.session.execute(_analyze(target))

    def add_unknown_specialties(self) -> None:
        """A code NPPES cites that the loaded NUCC list lacks (retired, or no list loaded)."""
        spec = SPECIALTY
        codes = (
            select(stage_specialty.c.specialty_code)
            .where(~exists().where(spec.c.code == stage_specialty.c.specialty_code))
            .distinct()
            .subquery()
        )
        self.session.execute(
            insert(spec).from_select(
                ["code", "grouping", "classification", "specialization", "display_name"],
                select(
                    codes.c.specialty_code,
                    literal("(unknown)"),
                    literal("(not in the loaded NUCC code set)"),
                    literal(None, String),
                    codes.c.specialty_code,
                ),
            )
        )

    def resolve_wanted(self) -> None:
        """Type (hospital when the primary taxonomy is in the NUCC Hospitals grouping) and
        territory (the city's alignment, else the state's) for every full row."""
        spec = SPECIALTY
        ta = ALIGNMENT
        by_city = ta.alias("by_city")
        by_state = ta.alias("by_state")
        org_type = case(
            (stage.c.kind == "person", literal("hcp")),
            (spec.c.grouping == "Hospitals", literal("hospital")),
            else_=literal("clinic"),
        )
        columns: dict[str, ColumnElement[Any]] = {f: stage.c[f] for f in STAKEHOLDER_FIELDS}
        columns["type"] = org_type
        query = (
            select(
                target.c.stakeholder_id,
                stage.c.row_number,
                *[columns[f] for f in STAKEHOLDER_FIELDS],
                func.coalesce(by_city.c.territory_id, by_state.c.territory_id),
            )
            .select_from(stage)
            .join(target, target.c.row_number == stage.c.row_number)
            .outerjoin(spec, spec.c.code == stage.c.primary_specialty_code)
            .outerjoin(
                by_city,
                and_(by_city.c.state == stage.c.state, by_city.c.city == func.lower(stage.c.city)),
            )
            .outerjoin(by_state, and_(by_state.c.state == stage.c.state, by_state.c.city.is_(None)))
            .where(~stage.c.only_status)
        )
        self.session.execute(
            insert(want).from_select(
                ["id", "row_number", *STAKEHOLDER_FIELDS, "territory_id"], query
            )
        )
        if self.postgres:
            self.session.execute(_analyze(want))

    def update_stakeholders(self) -> None:
        """Only the rows whose values differ are written, each changed field audited."""
        st = STAKEHOLDER
        fields = (*STAKEHOLDER_FIELDS, "territory_id")
        differs = or_(*[st.c[f].is_distinct_from(want.c[f]) for f in fields])
        rows = self.session.execute(
            select(
                st.c.id, *[st.c[f] for f in fields], *[want.c[f].label(f"new_{f}") for f in fields]
            )
            .join(want, want.c.id == st.c.id)
            .where(differs)
        ).all()
        entries = []
        for row in rows:
            values = row._mapping
            for f in fields:
                old, new = values[st.c[f]], values[f"new_{f}"]
                if old != new:
                    entries.append(self.entry(AuditAction.update, st.name, row.id, f, old, new))
            self.changed.add(row.id)
        self.audit(entries)
        if rows:
            self.execute(
                update(st)
                .where(st.c.id == want.c.id, differs)
                .values({**{f: want.c[f] for f in fields}, "updated_at": self.now})
            )

    def deactivate(self) -> None:
        st = STAKEHOLDER
        rows = self.session.execute(
            select(st.c.id, st.c.status)
            .join(target, target.c.stakeholder_id == st.c.id)
            .join(stage, stage.c.row_number == target.c.row_number)
            .where(stage.c.only_status, st.c.status != "inactive")
        ).all()
        self.audit(
            [
                self.entry(AuditAction.update, st.name, r.id, "status", r.status, "inactive")
                for r in rows
            ]
        )
        ids = [r.id for r in rows]
        self.changed.update(ids)
        for start in range(0, len(ids), BLOCK):
            self.execute(
                update(st)
                .where(st.c.id.in_(ids[start : start + BLOCK]))
                .values(status="inactive", updated_at=self.now)
            )

    def sync_identifiers(self) -> None:
        """Identifiers are added, never removed; one held by another stakeholder is left
        with it and noted on the row."""
        si = IDENTIFIER
        wanted = (
            select(
                stage_identifier.c.row_number,
                target.c.stakeholder_id,
                stage_identifier.c.system,
                stage_identifier.c.value,
            )
            .join(target, target.c.row_number == stage_identifier.c.row_number)
            .subquery()
        )
        # one outer join finds every identifier's holder (the (system, value) lookups in the
        # table's collation are the costly part: they are made once)
        self.session.execute(
            insert(fresh_identifier).from_select(
                ["row_number", "stakeholder_id", "system", "value", "owner", "rank"],
                select(*wanted.c, si.c.stakeholder_id, literal(1)).outerjoin(
                    si, and_(si.c.system == wanted.c.system, si.c.value == wanted.c.value)
                ),
            )
        )
        fi = fresh_identifier
        held = self.session.execute(
            select(fi.c.row_number, fi.c.system, fi.c.value, fi.c.owner).where(
                fi.c.owner.is_not(None), fi.c.owner != fi.c.stakeholder_id
            )
        ).all()
        for number, system, value, owner in held:
            self.run.note(
                number, system, value, f"identifier already belongs to stakeholder {owner}"
            )
        # the first row asking for an identifier nobody holds gets it (rank 1)
        losers = self.session.execute(
            later_claims(fresh_identifier, fresh_identifier.c.owner.is_(None))
        ).all()
        for start in range(0, len(losers), BLOCK):
            block = losers[start : start + BLOCK]
            self.session.execute(
                update(fresh_identifier)
                .where(
                    fresh_identifier.c.row_number == bindparam("number"),
                    fresh_identifier.c.system == bindparam("sys"),
                    fresh_identifier.c.value == bindparam("val"),
                )
                .values(rank=2),
                [{"number": n, "sys": sy, "val": v} for n, sy, v, _ in block],
            )
        for number, system, value, owner in losers:
            self.run.note(
                number, system, value, f"identifier already belongs to stakeholder {owner}"
            )
        self.run.flush_errors()
        today = bindparam("today", self.today, type_=si.c.recorded_on.type)
        before = self.session.scalar(select(func.coalesce(func.max(si.c.id), 0)))
        self.execute(
            insert(si).from_select(
                ["stakeholder_id", "system", "value", "source", "recorded_on"],
                select(
                    fresh_identifier.c.stakeholder_id,
                    fresh_identifier.c.system,
                    fresh_identifier.c.value,
                    literal(SOURCE),
                    func.coalesce(stage.c.updated_on, today),
                )
                .join(stage, stage.c.row_number == fresh_identifier.c.row_number)
                .where(fresh_identifier.c.rank == 1, fresh_identifier.c.owner.is_(None)),
            )
        )
        added = self.session.execute(
            select(si).where(
                si.c.id > before,
                si.c.source == SOURCE,
                exists().where(
                    fresh_identifier.c.system == si.c.system,
                    fresh_identifier.c.value == si.c.value,
                    fresh_identifier.c.rank == 1,
                    fresh_identifier.c.owner.is_(None),
                ),
            )
        ).all()
        self.row_entries(AuditAction.create, si, added)
        self.changed.update(r.stakeholder_id for r in added)

    def sync_children(
        self,
        table: Table,
        staged: Table,
        keys: tuple[str, ...],
        fields: tuple[str, ...],
        *,
        own_only: bool,
        remove_absent: bool = True,
    ) -> None:
        """Bring a child table in line with the file: update the rows whose fields differ,
        remove the NPPES rows the file no longer lists, add the missing ones. Rows from
        other sources are left alone."""
        # materialised (and analysed) so that the anti-joins below are planned as joins
        wanted = Table(
            f"nppes_want_{table.name}",
            MetaData(),
            Column("sid", Integer),
            *[Column(c, staged.c[c].type) for c in (*keys, *fields)],
            Index(None, "sid", *keys),
            prefixes=_TEMP,
        )
        conn = self.session.connection()
        wanted.drop(conn, checkfirst=True)
        wanted.create(conn)
        self.session.execute(
            insert(wanted).from_select(
                ["sid", *keys, *fields],
                select(
                    target.c.stakeholder_id,
                    *[staged.c[k] for k in keys],
                    *[staged.c[f] for f in fields],
                ).join(target, target.c.row_number == staged.c.row_number),
            )
        )
        if self.postgres:
            self.session.execute(_analyze(wanted))
        try:
            self._sync_children(table, staged, wanted, keys, fields, own_only, remove_absent)
        finally:
            wanted.drop(conn)

    def _sync_children(
        self,
        table: Table,
        staged: Table,
        wanted: Table,
        keys: tuple[str, ...],
        fields: tuple[str, ...],
        own_only: bool,
        remove_absent: bool,
    ) -> None:
        same = [table.c.stakeholder_id == wanted.c.sid, *[table.c[k] == wanted.c[k] for k in keys]]
        if own_only:
            same.append(table.c.source == SOURCE)
        differs = or_(*[table.c[f].is_distinct_from(wanted.c[f]) for f in fields])
        rows = self.session.execute(
            select(
                table.c.id,
                table.c.stakeholder_id,
                *[table.c[f] for f in fields],
                *[wanted.c[f].label(f"new_{f}") for f in fields],
            )
            .join(wanted, and_(*same))
            .where(differs)
        ).all()
        entries = []
        for row in rows:
            values = row._mapping
            for f in fields:
                old, new = values[table.c[f]], _value(table.c[f], values[f"new_{f}"])
                if old != new:
                    entries.append(self.entry(AuditAction.update, table.name, row.id, f, old, new))
            self.changed.add(row.stakeholder_id)
        self.audit(entries)
        ids = [r.id for r in rows]
        for start in range(0, len(ids), BLOCK):
            self.execute(
                update(table)
                .where(*same, table.c.id.in_(ids[start : start + BLOCK]))
                .values({f: wanted.c[f] for f in fields})
            )
        if remove_absent:
            full_existing = (
                select(target.c.stakeholder_id)
                .join(stage, stage.c.row_number == target.c.row_number)
                .where(~stage.c.only_status)
            )
            gone = self.session.execute(
                select(table).where(
                    table.c.source == SOURCE,
                    table.c.stakeholder_id.in_(full_existing),
                    ~exists().where(*same),
                )
            ).all()
            self.row_entries(AuditAction.delete, table, gone)
            self.changed.update(r.stakeholder_id for r in gone)
            gone_ids = [r.id for r in gone]
            for start in range(0, len(gone_ids), BLOCK):
                self.execute(delete(table).where(table.c.id.in_(gone_ids[start : start + BLOCK])))
        names = ["stakeholder_id", *keys, *fields, "source"]
        before = self.session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
        query = select(
            wanted.c.sid,
            *[wanted.c[k] for k in keys],
            *[wanted.c[f] for f in fields],
            literal(SOURCE),
        ).where(~exists().where(*same))
        self.execute(insert(table).from_select(names, query))
        added = self.session.execute(
            select(table).where(
                table.c.id > before, table.c.stakeholder_id.in_(select(target.c.stakeholder_id))
            )
        ).all()
        self.row_entries(AuditAction.create, table, added)
        self.changed.update(r.stakeholder_id for r in added)

    def redate_npis(self) -> None:
        """A changed stakeholder's NPI takes the file's Last Update Date."""
        if not self.changed:
            return
        si = IDENTIFIER
        self.session.execute(
            insert(changed_table), [{"stakeholder_id": sid} for sid in sorted(self.changed)]
        )
        if self.postgres:
            self.session.execute(_analyze(changed_table))
        match = and_(
            si.c.system == "npi",
            si.c.value == stage.c.npi,
            si.c.stakeholder_id == target.c.stakeholder_id,
            target.c.row_number == stage.c.row_number,
            target.c.stakeholder_id == changed_table.c.stakeholder_id,
            stage.c.updated_on.is_not(None),
            si.c.recorded_on.is_distinct_from(stage.c.updated_on),
        )
        rows = self.session.execute(
            select(si.c.id, si.c.recorded_on, stage.c.updated_on).where(match)
        ).all()
        self.audit(
            [
                self.entry(
                    AuditAction.update,
                    si.name,
                    r.id,
                    "recorded_on",
                    r.recorded_on,
                    _value(si.c.recorded_on, r.updated_on),
                )
                for r in rows
            ]
        )
        if rows:
            self.execute(
                update(si)
                .where(
                    si.c.system == "npi",
                    si.c.value == stage.c.npi,
                    si.c.stakeholder_id == changed_table.c.stakeholder_id,
                    stage.c.updated_on.is_not(None),
                    si.c.recorded_on.is_distinct_from(stage.c.updated_on),
                )
                .values(recorded_on=stage.c.updated_on)
            )


def _analyze(table: Table) -> Any:
    """Temporary tables are never analysed by autovacuum; the planner needs their sizes."""
    return text(f'ANALYZE "{table.name}"')
