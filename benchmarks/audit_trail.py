"""The cost of the hash-chained audit trail, beside plain writes and reads of the same rows.

Writes: N territories created, then renamed, through the ORM with the audit trail written
from session events (accord.audit.trail), against the same ORM work with the trail's
listener removed, the same rows written as plain SQL, and N raw INSERTs into a bare table.
Reads: `verify_chain` over the whole chain against a bare SELECT of the same rows.
Every unit of work holds BATCH rows and commits, as a bulk import would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from rich.console import Console
from rich.table import Table
from sqlalchemy import bindparam, event, func, insert, select, text, update
from sqlalchemy.orm import Session

from accord.audit import trail
from accord.audit.models import AuditEntry
from accord.audit.service import verify_chain
from accord.audit.trail import Actor, set_actor
from accord.db.session import Database, unit_of_work
from accord.territory import service as territory_service
from accord.territory.models import Territory, TerritoryLevel
from benchmarks import BenchDatabase, Timer, rate

BATCH = 1_000
ACTOR = Actor(id=None, name="benchmark")
BARE_TABLE = "bench_bare"


@dataclass(frozen=True)
class Figure:
    name: str
    rows: int
    entries: int
    seconds: float


# --- helpers -------------------------------------------------------------------------------


def chunks(items: Sequence[int], size: int = BATCH) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@contextmanager
def audit_trail_off() -> Iterator[None]:
    """Remove the trail's after_flush listener for a reference run, then put it back."""
    event.remove(Session, "after_flush", trail._after_flush)
    try:
        yield
    finally:
        event.listen(Session, "after_flush", trail._after_flush)


@contextmanager
def unit(database: Database) -> Iterator[Session]:
    with unit_of_work(database.session_factory) as session:
        set_actor(session, ACTOR)
        session.info["reason"] = "benchmark"
        yield session


def count_entries(database: Database) -> int:
    with database.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def make_region(database: Database) -> int:
    """A nation and a region of the benchmark, through the service (audited)."""
    with unit(database) as session:
        nation = territory_service.create_territory(
            session, code="BENCH", name="Benchmark", level=TerritoryLevel.nation, parent=None
        )
        region = territory_service.create_territory(
            session,
            code="BENCH-R",
            name="Benchmark region",
            level=TerritoryLevel.region,
            parent=nation,
        )
        session.flush()
        return region.id


def territory_ids(database: Database, prefix: str) -> list[int]:
    with database.session_factory() as session:
        stmt = select(Territory.id).where(Territory.code.like(f"{prefix}-%")).order_by(Territory.id)
        return list(session.scalars(stmt))


# --- writes --------------------------------------------------------------------------------


def orm_create(database: Database, n: int, region_id: int, prefix: str) -> float:
    with Timer() as timer:
        for start in range(0, n, BATCH):
            with unit(database) as session:
                session.add_all(
                    [
                        Territory(
                            code=f"{prefix}-{i:07d}",
                            name=f"Territory {prefix} {i}",
                            level=TerritoryLevel.territory,
                            parent_id=region_id,
                        )
                        for i in range(start, min(n, start + BATCH))
                    ]
                )
    return timer.seconds


def sql_insert(database: Database, n: int, region_id: int, prefix: str) -> float:
    table = Territory.__table__
    with Timer() as timer:
        for start in range(0, n, BATCH):
            with database.engine.begin() as conn:
                conn.execute(
                    insert(table),
                    [
                        {
                            "code": f"{prefix}-{i:07d}",
                            "name": f"Territory {prefix} {i}",
                            "level": TerritoryLevel.territory,
                            "parent_id": region_id,
                        }
                        for i in range(start, min(n, start + BATCH))
                    ],
                )
    return timer.seconds


def orm_update(database: Database, ids: Sequence[int], suffix: str) -> float:
    with Timer() as timer:
        for chunk in chunks(ids):
            with unit(database) as session:
                for territory in session.scalars(select(Territory).where(Territory.id.in_(chunk))):
                    territory.name = f"Territory {territory.id} {suffix}"
    return timer.seconds


def sql_update(database: Database, ids: Sequence[int], suffix: str) -> float:
    table = Territory.__table__
    stmt = update(table).where(table.c.id == bindparam("b_id")).values(name=bindparam("b_name"))
    with Timer() as timer:
        for chunk in chunks(ids):
            with database.engine.begin() as conn:
                conn.execute(
                    stmt, [{"b_id": i, "b_name": f"Territory {i} {suffix}"} for i in chunk]
                )
    return timer.seconds


def bare_insert(database: Database, n: int) -> float:
    with database.engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {BARE_TABLE} (id INTEGER PRIMARY KEY, name VARCHAR(120))"))
    stmt = text(f"INSERT INTO {BARE_TABLE} (id, name) VALUES (:id, :name)")
    try:
        with Timer() as timer:
            for start in range(0, n, BATCH):
                with database.engine.begin() as conn:
                    conn.execute(
                        stmt,
                        [
                            {"id": i, "name": f"row {i}"}
                            for i in range(start, min(n, start + BATCH))
                        ],
                    )
    finally:
        with database.engine.begin() as conn:
            conn.execute(text(f"DROP TABLE {BARE_TABLE}"))
    return timer.seconds


def written(database: Database, name: str, rows: int, run: Callable[[], float]) -> Figure:
    """Run a write and count the audit entries it added."""
    before = count_entries(database)
    seconds = run()
    return Figure(name, rows, count_entries(database) - before, seconds)


# --- reads ---------------------------------------------------------------------------------


def verify_once(database: Database) -> tuple[int, float]:
    with database.session_factory() as session, Timer() as timer:
        report = verify_chain(session)
    if not report.intact:
        raise SystemExit(f"the chain is broken after the benchmark: {report.message}")
    return report.entries_checked, timer.seconds


def select_once(database: Database) -> tuple[int, float]:
    """The query verify_chain runs, every row fetched, nothing checked."""
    columns = list(AuditEntry.__table__.columns)
    stmt = select(*columns).order_by(AuditEntry.id).execution_options(yield_per=5000)
    with database.session_factory() as session, Timer() as timer:
        count = 0
        for _row in session.execute(stmt):
            count += 1
    return count, timer.seconds


def best_of(
    repeats: int, measure: Callable[[Database], tuple[int, float]], database: Database
) -> tuple[int, float]:
    runs = [measure(database) for _ in range(repeats)]
    return min(runs, key=lambda r: r[1])


# --- report --------------------------------------------------------------------------------


def times(seconds: float, reference: float) -> str:
    return f"x{seconds / reference:.1f}" if reference > 0 else "-"


def rounds_for(n: int) -> int:
    """Best of 3 where a figure takes well under a second; once at L."""
    return 3 if n <= 20_000 else 1


def best(figures: list[Figure]) -> Figure:
    counts = {f.entries for f in figures}
    assert len(counts) == 1, f"{figures[0].name}: entries differ between rounds: {counts}"
    return min(figures, key=lambda f: f.seconds)


def measure_writes(database: Database, n: int, rounds: int, console: Console) -> list[Figure]:
    """Every write figure, interleaved round by round; the fastest round of each."""
    region_id = make_region(database)
    by_name: dict[str, list[Figure]] = {}

    def record(name: str, run: Callable[[], float], *, trail_on: bool = True) -> None:
        with console.status(f"{name}, round {len(by_name.get(name, [])) + 1} of {rounds}"):
            if trail_on:
                figure = written(database, name, n, run)
            else:
                with audit_trail_off():
                    figure = written(database, name, n, run)
        by_name.setdefault(name, []).append(figure)

    updated: list[int] = []
    for r in range(rounds):
        record(CREATE_ON, partial(orm_create, database, n, region_id, f"A{r}"))
        record(CREATE_OFF, partial(orm_create, database, n, region_id, f"O{r}"), trail_on=False)
        record(CREATE_SQL, partial(sql_insert, database, n, region_id, f"S{r}"))
        if not updated:  # every round renames the same N rows, those of the first create
            updated = territory_ids(database, "A0")
            assert len(updated) == n
        record(UPDATE_ON, partial(orm_update, database, updated, f"on {r}"))
        record(UPDATE_OFF, partial(orm_update, database, updated, f"off {r}"), trail_on=False)
        record(UPDATE_SQL, partial(sql_update, database, updated, f"sql {r}"))
        record(BARE_INSERT, partial(bare_insert, database, n))
    figures = [best(runs) for runs in by_name.values()]
    for figure in figures:
        if figure.name not in (CREATE_ON, UPDATE_ON):
            assert figure.entries == 0, f"{figure.name} wrote audit entries"
        else:
            assert figure.entries >= n, f"{figure.name} wrote too few audit entries"
    return figures


CREATE_ON = "ORM create, trail on"
CREATE_OFF = "ORM create, trail off"
CREATE_SQL = "SQL INSERT"
UPDATE_ON = "ORM update, trail on"
UPDATE_OFF = "ORM update, trail off"
UPDATE_SQL = "SQL UPDATE"
BARE_INSERT = "bare INSERT"


def run(bench: BenchDatabase, n: int, console: Console) -> None:
    database = bench.database
    rounds = rounds_for(n)
    figures = {f.name: f for f in measure_writes(database, n, rounds, console)}
    with console.status("verify_chain"):
        entries, verify_s = best_of(rounds, verify_once, database)
    with console.status("bare SELECT"):
        selected, select_s = best_of(rounds, select_once, database)
    assert selected == entries

    bare = figures[BARE_INSERT]
    writes = Table(
        title=f"Writes: {n:,} rows, {BATCH:,} per transaction, best of {rounds}",
        caption="xSQL, xbare: time relative to plain SQL of the same rows, to bare INSERT",
        title_justify="left",
    )
    writes.add_column("figure", no_wrap=True)
    for column in ("audit entries", "s", "rows/s", "entries/s", "xSQL", "xbare"):
        writes.add_column(column, justify="right", no_wrap=True)

    def add(name: str, plain: str | None, *, end_section: bool = False) -> None:
        figure = figures[name]
        reference = figures[plain].seconds if plain else 0.0
        writes.add_row(
            figure.name,
            f"{figure.entries:,}",
            f"{figure.seconds:.3f}",
            rate(figure.rows, figure.seconds),
            rate(figure.entries, figure.seconds) if figure.entries else "-",
            times(figure.seconds, reference) if plain else "-",
            times(figure.seconds, bare.seconds),
            style="bold" if figure.entries else None,
            end_section=end_section,
        )

    add(CREATE_ON, CREATE_SQL)
    add(CREATE_OFF, CREATE_SQL)
    add(CREATE_SQL, CREATE_SQL, end_section=True)
    add(UPDATE_ON, UPDATE_SQL)
    add(UPDATE_OFF, UPDATE_SQL)
    add(UPDATE_SQL, UPDATE_SQL, end_section=True)
    add(BARE_INSERT, None)
    console.print(writes)

    def cost(on: Figure, off: Figure) -> str:
        extra = on.seconds - off.seconds
        return (
            f"{extra / on.rows * 1e6:,.0f} us per row, {extra / on.entries * 1e6:,.0f} us per entry"
        )

    console.print("The audit trail's own cost (trail on minus trail off):")
    console.print(f"  create: {cost(figures[CREATE_ON], figures[CREATE_OFF])}")
    console.print(f"  update: {cost(figures[UPDATE_ON], figures[UPDATE_OFF])}")
    console.print()

    reads = Table(
        title=f"Reads: the whole chain, {entries:,} entries, best of {rounds}",
        caption="xSELECT: time relative to the bare SELECT",
        title_justify="left",
    )
    reads.add_column("figure", no_wrap=True)
    for column in ("entries", "s", "entries/s", "xSELECT"):
        reads.add_column(column, justify="right", no_wrap=True)
    reads.add_row(
        "verify_chain",
        f"{entries:,}",
        f"{verify_s:.3f}",
        rate(entries, verify_s),
        times(verify_s, select_s),
        style="bold",
    )
    reads.add_row(
        "bare SELECT, same rows",
        f"{selected:,}",
        f"{select_s:.3f}",
        rate(selected, select_s),
        "x1.0",
    )
    console.print(reads)
