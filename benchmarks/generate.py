"""The demo data generator: computing and bulk-loading a whole dataset, beside a raw COPY of the
same interaction rows into a bare table.

Runs `accord.demo.generator.load.generate` at the generator's own size (S: 10,000
stakeholders and 100,000 interactions; M: 100,000 and 2,000,000; L: 1,000,000 and
20,000,000) in one transaction, timing the computing of the frames, the load of each table
and the rebuild of indexes and foreign keys. The reference then reads the interaction rows
back and writes them again into a bare table with no index, no key and no constraint: COPY
on PostgreSQL, one executemany on SQLite. Their ratio is what Accord's schema (keys, indexes,
foreign keys) and the generator's CSV encoding cost over the floor of writing those rows.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from accord.audit.trail import Actor, set_actor
from accord.db.session import unit_of_work
from accord.demo.generator import SIZES
from accord.demo.generator.load import generate
from benchmarks import BenchDatabase, Timer, rate

BARE_TABLE = "bench_bare_interaction"
COLUMNS = (
    "id, stakeholder_id, owner_id, function, channel, purpose, occurred_at, outcome, topics, "
    "notes, created_at"
)
SEED = 42


def _bare_copy(bench: BenchDatabase) -> tuple[int, float]:
    """The same interaction rows, read back, then written into a bare table; (rows, s)."""
    database = bench.database
    with database.engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        if database.is_sqlite:
            conn.exec_driver_sql(
                f"CREATE TABLE {BARE_TABLE} AS SELECT {COLUMNS} FROM interaction WHERE 0"
            )
            rows = conn.exec_driver_sql(f"SELECT {COLUMNS} FROM interaction").all()
            with Timer() as timer:
                raw.executemany(
                    f"INSERT INTO {BARE_TABLE} VALUES ({', '.join('?' * 11)})",
                    [tuple(r) for r in rows],
                )
            return len(rows), timer.seconds
        conn.exec_driver_sql(
            f"CREATE TABLE {BARE_TABLE} AS SELECT {COLUMNS} FROM interaction WITH NO DATA"
        )
        buffer = io.BytesIO()
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY interaction ({COLUMNS}) TO STDOUT WITH (FORMAT csv)") as copy,
        ):
            for block in copy:
                buffer.write(block)
        data = buffer.getvalue()
        block = 8 << 20
        sql = f"COPY {BARE_TABLE} FROM STDIN WITH (FORMAT csv)"
        with Timer() as timer, raw.cursor() as cursor, cursor.copy(sql) as copy:
            for start in range(0, len(data), block):
                copy.write(data[start : start + block])
        count = conn.exec_driver_sql(f"SELECT count(*) FROM {BARE_TABLE}").scalar_one()
        return int(count), timer.seconds


def run(bench: BenchDatabase, size_name: str, console: Console) -> None:
    size = SIZES[size_name]
    database = bench.database
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(step: str) -> None:
        marks.setdefault(step, time.perf_counter() - started)

    def advance(table: str, done: int, total: int) -> None:
        marks.setdefault(f"start {table}", time.perf_counter() - started)
        if done >= total:
            marks[f"end {table}"] = time.perf_counter() - started

    with console.status(f"generating size {size.name}"):
        with unit_of_work(database.session_factory) as session:
            set_actor(session, Actor(id=None, name="benchmark"))
            report = generate(
                session,
                size,
                SEED,
                now=datetime.now(UTC),
                progress=progress,
                advance=advance,
            )
            marks["before commit"] = time.perf_counter() - started
        total_s = time.perf_counter() - started
    with console.status("bare COPY of the interaction rows"):
        bare_rows, bare_s = _bare_copy(bench)

    first_table = next(iter(report.rows))
    compute_s = marks[f"start {first_table}"]
    load_s = marks.get("indexes and foreign keys", marks["before commit"]) - compute_s
    rebuild_s = marks["before commit"] - marks.get(
        "indexes and foreign keys", marks["before commit"]
    )
    interactions = report.rows["interaction"]
    interaction_s = marks["end interaction"] - marks["start interaction"]
    rows = sum(report.rows.values())

    table = Table(
        title=f"Generator, size {size.name} ({size.stakeholders:,} stakeholders, "
        f"{size.interactions:,} interactions, seed {SEED}), one transaction",
        caption="xbare: time per interaction row relative to the bare COPY of the same rows",
        title_justify="left",
    )
    table.add_column("figure", no_wrap=True)
    for column in ("rows", "s", "rows/s", "xbare"):
        table.add_column(column, justify="right", no_wrap=True)
    per_bare = bare_s / bare_rows if bare_rows else 0.0

    def ratio(count: int, seconds: float) -> str:
        return f"{seconds / count / per_bare:.1f}" if count and per_bare else "-"

    table.add_row(
        "generate + load, all tables",
        f"{rows:,}",
        f"{total_s:.1f}",
        rate(rows, total_s),
        "-",
        style="bold",
    )
    table.add_row(
        "  computing the frames", f"{rows:,}", f"{compute_s:.1f}", rate(rows, compute_s), "-"
    )
    table.add_row(
        "  loading (COPY / executemany)", f"{rows:,}", f"{load_s:.1f}", rate(rows, load_s), "-"
    )
    table.add_row(
        "  rebuilding indexes and keys", "-", f"{rebuild_s:.1f}", "-", "-", end_section=True
    )
    table.add_row(
        "load of interaction",
        f"{interactions:,}",
        f"{interaction_s:.1f}",
        rate(interactions, interaction_s),
        ratio(interactions, interaction_s),
        style="bold",
    )
    table.add_row(
        "bare COPY, same interaction rows",
        f"{bare_rows:,}",
        f"{bare_s:.1f}",
        rate(bare_rows, bare_s),
        "1.0",
    )
    console.print(table)
    with database.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {BARE_TABLE}"))
