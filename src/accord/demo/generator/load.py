"""Writing generated frames into the database in bulk, inside the caller's transaction.

PostgreSQL: COPY ... FROM STDIN (CSV) through psycopg 3, in blocks Polars writes column-wise.
SQLite: executemany in large batches. Rows are never ORM objects, so the per-field audit
trail does not see them; instead one summary entry per table is appended to the hash chain
(`trail.append_entries`) in the same transaction, naming the size and the seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import polars as pl
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from accord.audit import trail
from accord.audit.models import AuditAction, AuditEntry
from accord.db.base import utcnow
from accord.db.bulk import copy_frame, set_aside_postgres
from accord.demo.catalog import PRODUCTS, SPECIALTIES
from accord.demo.generator import Size
from accord.demo.generator.frames import TABLES, Context, PersonaUser, generate_frames
from accord.demo.generator.vocabulary import EXTRA_SPECIALTIES
from accord.demo.personas import DEMO_PASSWORD, PERSONAS, ensure_demo_users
from accord.errors import Conflict
from accord.product.models import Product, TherapeuticArea
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import StakeholderIdentifier
from accord.territory.models import Territory, TerritoryAlignment, UserTerritory
from accord.user.models import User
from accord.user.passwords import hash_password

#: rows per COPY block or executemany batch
BLOCK = 200_000

#: what a table's rows are called in the audit reason
NOUNS = {
    "user": "users",
    "user_territory": "territory assignments",
    "stakeholder": "stakeholders",
    "stakeholder_identifier": "identifiers",
    "stakeholder_specialty": "stakeholder specialties",
    "address": "addresses",
    "affiliation": "affiliations",
    "stakeholder_product": "stakeholder products",
    "consent": "consents",
    "engagement_status": "engagement statuses",
    "channel_preference": "channel preferences",
    "interaction": "interactions",
    "interaction_product": "interaction products",
    "request": "requests",
    "insight": "insights",
    "event": "events",
    "event_participant": "event participants",
    "referral": "referrals",
    "publication": "publications",
    "publication_author": "publication authors",
    "clinical_trial": "clinical trials",
    "trial_official": "trial officials",
    "trial_site": "trial sites",
    "trial_site_investigator": "trial site investigators",
}
GENERATED_REASON = "generated "


@dataclass(frozen=True)
class Report:
    """What one run wrote: rows per table, in the order written."""

    size: Size
    seed: int
    rows: dict[str, int]


#: (table, rows done so far, rows in total) after each block
Advance = Callable[[str, int, int], None]


def already_generated(session: Session) -> str | None:
    """The audit reason of an earlier generation into this database, if there was one."""
    return session.scalar(
        select(AuditEntry.reason)
        .where(
            AuditEntry.entity == "stakeholder",
            AuditEntry.entity_id == "*",
            AuditEntry.action == AuditAction.create,
            AuditEntry.reason.like(GENERATED_REASON + "%"),
        )
        .order_by(AuditEntry.seq)
        .limit(1)
    )


def _next_id(session: Session, table: str) -> int:
    quoted = f'"{table}"'
    return int(session.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {quoted}")).scalar_one())  # noqa: S608 - table names are ours


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    """Argon2 is slow on purpose: hash `demo` once and give every generated user that hash."""
    return hash_password(DEMO_PASSWORD)


def build_context(session: Session, now: datetime) -> Context:
    """The demo territories, products and personas (created when missing) and the next free
    ids, as the generator needs them."""
    ensure_demo_users(session)
    stakeholder_service.ensure_specialties(session, (*SPECIALTIES, *EXTRA_SPECIALTIES))
    territories = session.execute(select(Territory.id, Territory.code, Territory.parent_id)).all()
    code_of = {t.id: t.code for t in territories}
    area_of = {code: area for code, _, area, _ in PRODUCTS}
    products = {
        p.code: (p.id, p.name, p.lifecycle_stage, area_of[p.code])
        for p in session.scalars(select(Product).where(Product.code.in_(area_of)))
    }
    usernames = [p.username for p in PERSONAS]
    assigned: dict[int, list[str]] = {}
    for user_id, territory_id in session.execute(
        select(UserTerritory.user_id, UserTerritory.territory_id)
    ):
        assigned.setdefault(user_id, []).append(code_of[territory_id])
    personas = tuple(
        PersonaUser(u.id, u.username, u.function, u.role, tuple(sorted(assigned.get(u.id, []))))
        for u in session.scalars(select(User).where(User.username.in_(usernames)).order_by(User.id))
    )
    return Context(
        now=now,
        territories={t.code: (t.id, code_of.get(t.parent_id or -1)) for t in territories},
        alignment={
            (a.state, a.city): a.territory_id
            for a in session.execute(
                select(
                    TerritoryAlignment.state,
                    TerritoryAlignment.city,
                    TerritoryAlignment.territory_id,
                )
            )
        },
        products=products,
        personas=personas,
        first_ids={t: _next_id(session, t) for t in TABLES if t != "interaction_product"},
        taken_npis=frozenset(
            session.scalars(
                select(StakeholderIdentifier.value).where(StakeholderIdentifier.system == "npi")
            )
        ),
        password_hash=_demo_password_hash(),
        areas={
            code: area_id
            for code, area_id in session.execute(select(TherapeuticArea.code, TherapeuticArea.id))
        },
    )


def _sqlite_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """SQLite stores what SQLAlchemy would: naive UTC datetimes as text with microseconds,
    dates as ISO text, booleans as 0/1."""
    conversions = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            conversions.append(pl.col(name).dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
        elif dtype == pl.Date:
            conversions.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean:
            conversions.append(pl.col(name).cast(pl.Int8))
    return frame.with_columns(conversions) if conversions else frame


def _insert_sqlite(session: Session, table: str, frame: pl.DataFrame, advance: Advance) -> None:
    raw: Any = session.connection().connection.driver_connection
    columns = ", ".join(f'"{c}"' for c in frame.columns)
    marks = ", ".join("?" * frame.width)
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'  # noqa: S608 - our names
    done = 0
    cursor = raw.cursor()
    try:
        for block in frame.iter_slices(BLOCK):
            cursor.executemany(sql, _sqlite_rows(block).iter_rows())
            done += block.height
            advance(table, done, frame.height)
    finally:
        cursor.close()


def generate(
    session: Session,
    size: Size,
    seed: int,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    advance: Advance | None = None,
) -> Report:
    """Generate `size` with `seed` into the session's transaction (the caller commits).

    Refused (Conflict) when this database already holds generated stakeholders: a second run
    would double every count and mix two seeds, and nothing could tell the two apart.
    """
    earlier = already_generated(session)
    if earlier is not None:
        raise Conflict(
            f"this database already holds generated data ({earlier}); generate into an "
            "empty database instead",
            field="database",
        )
    context = build_context(session, now or utcnow())
    frames = generate_frames(size, seed, context, progress)
    step = advance or (lambda _t, _d, _n: None)
    postgres = session.get_bind().dialect.name == "postgresql"
    session.flush()
    restore: list[str] = []
    if postgres:
        session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        restore = set_aside_postgres(session, list(frames))
    for table, frame in frames.items():
        if postgres:

            def copied(done: int, table: str = table, total: int = frame.height) -> None:
                step(table, done, total)

            copy_frame(session, table, frame, block_rows=BLOCK, on_block=copied)
        else:
            _insert_sqlite(session, table, frame, step)
        step(table, frame.height, frame.height)
    if postgres:
        if progress:
            progress("indexes and foreign keys")
        for statement in restore:
            session.execute(text(statement))
        for table in frames:
            if "id" in frames[table].columns:
                sequence = f"pg_get_serial_sequence('\"{table}\"', 'id')"
                restart = f'SELECT setval({sequence}, (SELECT MAX(id) FROM "{table}"))'  # noqa: S608
                session.execute(text(restart))
        for table in frames:
            session.execute(text(f'ANALYZE "{table}"'))
    for table, frame in frames.items():
        ids = frame["id"] if "id" in frame.columns and not frame.is_empty() else None
        trail.record_bulk(
            session,
            action=AuditAction.create,
            entity=table,
            new_value={
                "rows": frame.height,
                "first_id": None if ids is None else int(ids.min()),  # type: ignore[arg-type]
                "last_id": None if ids is None else int(ids.max()),  # type: ignore[arg-type]
            },
            reason=f"{GENERATED_REASON}{frame.height:,} {NOUNS[table]} "
            f"(size {size.name}, seed {seed})",
        )
    return Report(size, seed, {table: frame.height for table, frame in frames.items()})


def count_stakeholders(session: Session) -> int:
    from accord.stakeholder.models import Stakeholder

    return int(session.scalar(select(func.count()).select_from(Stakeholder)) or 0)
