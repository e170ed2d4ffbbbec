"""The NPPES import beside a raw COPY of the same file into a bare 330-text-column table.

The file is generated in the V.2 layout with the real header (all 330 columns) from the shape
of the real sample (../shared/data/nppes-csv): every generated row takes a sample row as its
template (entity mix, deactivated rows, taxonomies, empty columns as they are) and draws its
names and practice place from other sample rows, with a fresh Luhn-valid NPI and identifiers
made unique. Then, in the same run and the same database: the raw COPY (the reference), the
Accord import into the empty migrated schema, the same file again (all unchanged), and a
weekly-style incremental file (5% of the rows: some changed, some new).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from accord.audit.service import verify_chain
from accord.db.session import Database, unit_of_work
from accord.importer import service as import_service
from accord.importer.models import ImportJob
from accord.importer.nppes import import_nppes
from accord.importer.nucc import import_nucc
from benchmarks import BenchDatabase, Timer, rate

#: rows of the generated file per size
ROWS = {"S": 10_000, "M": 100_000, "L": 1_000_000}
SAMPLE = "nppes-csv/npidata_pfile_2025-04_first1000.csv"
NUCC = "nucc-taxonomy/nucc_taxonomy_251.csv"
SEED = 20261123
BARE_TABLE = "bench_nppes_raw"


def shared_data() -> Path:
    override = os.environ.get("ACCORD_SHARED_DATA")
    path = Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not (path / SAMPLE).is_file():
        raise SystemExit(f"the NPPES sample {path / SAMPLE} is missing (set ACCORD_SHARED_DATA)")
    return path


def npis(count: int, rng: np.random.Generator, low: int = 100_000_000) -> list[str]:
    """`count` distinct NPIs with their Luhn check digit (80840 prefix), the first nine
    digits drawn from [low, low + 200,000,000)."""
    drawn = np.unique(rng.integers(0, 200_000_000, int(count * 1.1) + 10))
    while drawn.size < count:  # practically never: 10% spare draws cover the collisions
        drawn = np.unique(np.concatenate([drawn, rng.integers(0, 200_000_000, count)]))
    body = low + rng.permutation(drawn)[:count]
    digits = np.stack([(body // 10**p) % 10 for p in range(8, -1, -1)], axis=1)
    doubled = digits[:, 0::2] * 2
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = 24 + doubled.sum(axis=1) + digits[:, 1::2].sum(axis=1)
    check = (10 - total % 10) % 10
    return [f"{b}{c}" for b, c in zip(body.tolist(), check.tolist(), strict=True)]


def generate_file(sample: Path, rows: int, out: Path, seed: int = SEED) -> int:
    """Write `rows` generated rows in the sample's layout, 100,000 at a time; returns the
    file's size."""
    rng = np.random.default_rng(seed)
    template = pl.read_csv(sample, infer_schema=False)
    numbers = npis(rows, rng)
    with out.open("wb") as handle:
        for start in range(0, rows, 100_000):
            count = min(100_000, rows - start)
            block = _generated_block(template, rng, numbers[start : start + count], start)
            block.write_csv(handle, quote_style="always", null_value="", include_header=start == 0)
    return out.stat().st_size


def _generated_block(
    template: pl.DataFrame, rng: np.random.Generator, numbers: list[str], start: int
) -> pl.DataFrame:
    header = template.columns
    n = template.height
    rows = len(numbers)
    picked = template[rng.integers(0, n, rows).tolist()]
    names = template[rng.integers(0, n, rows).tolist()]
    places = template[rng.integers(0, n, rows).tolist()]
    index = pl.Series("i", np.arange(start, start + rows)).cast(pl.String)
    swaps: list[pl.Expr] = [pl.Series("NPI", numbers).alias("NPI")]
    # names go from individual to individual, so every person keeps a last name
    person = pl.col("Entity Type Code").str.starts_with("1").fill_null(False)
    named = names["Entity Type Code"].str.starts_with("1").fill_null(False)
    for column in ("Provider Last Name (Legal Name)", "Provider First Name"):
        swaps.append(
            pl.when(person & named).then(names[column]).otherwise(pl.col(column)).alias(column)
        )
    place = [c for c in header if "Business Practice Location Address" in c]
    for column in place:
        both = pl.col("Entity Type Code").is_not_null() & places["Entity Type Code"].is_not_null()
        swaps.append(pl.when(both).then(places[column]).otherwise(pl.col(column)).alias(column))
    unique = [
        c
        for c in header
        if c.startswith(("Provider License Number_", "Other Provider Identifier_"))
    ]
    for column in unique:
        swaps.append(
            pl.when(pl.col(column).is_not_null())
            .then(pl.concat_str(pl.col(column), pl.lit("G"), index))
            .alias(column)
        )
    return picked.with_columns(swaps).select(header)


def incremental_file(full: Path, out: Path, share: float = 0.05, seed: int = SEED) -> int:
    """A weekly-style file: `share` of the full records, three in five of them with a changed
    practice phone and last update date, the others under new NPIs (created)."""
    rng = np.random.default_rng(seed + 1)
    frame = pl.read_csv(full, infer_schema=False)
    rows = frame.filter(pl.col("Entity Type Code").is_not_null()).sample(fraction=share, seed=seed)
    new = rng.random(rows.height) < 0.4
    phone = "Provider Business Practice Location Address Telephone Number"
    fresh = npis(rows.height, rng, low=300_000_000)  # the full file's NPIs start with 1 or 2
    weekly = rows.with_columns(
        pl.when(pl.Series(new)).then(pl.Series(fresh)).otherwise(pl.col("NPI")).alias("NPI"),
        pl.when(pl.Series(new)).then(pl.col(phone)).otherwise(pl.lit("2025550100")).alias(phone),
        pl.lit("11/20/2026").alias("Last Update Date"),
    )
    weekly.write_csv(out, quote_style="always", null_value="")
    return weekly.height


def raw_copy(database: Database, path: Path, columns: int) -> float:
    """COPY the file into a bare table of `columns` text columns; seconds."""
    with Timer() as timer, database.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {BARE_TABLE}"))
        conn.execute(
            text(
                f"CREATE TABLE {BARE_TABLE} ("
                + ", ".join(f"c{i} text" for i in range(columns))
                + ")"
            )
        )
        raw: Any = conn.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {BARE_TABLE} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            for block in iter(lambda: handle.read(1 << 20), b""):
                copy.write(block)
    with database.engine.begin() as conn:
        conn.execute(text(f"DROP TABLE {BARE_TABLE}"))
    return timer.seconds


def accord_import(database: Database, path: Path) -> tuple[ImportJob, float, dict[str, float]]:
    with Timer() as timer, unit_of_work(database.session_factory) as session:
        with import_service.run_job(session, kind="nppes", path=path) as run:
            timings = import_nppes(run, path)
        job = run.job
        session.expunge(job)
    return job, timer.seconds, timings


def run(bench: BenchDatabase, size: str, console: Console, rows: int | None = None) -> None:
    database = bench.database
    data = shared_data()
    n = rows or ROWS[size]
    with tempfile.TemporaryDirectory(prefix="accord-bench-nppes-") as work:
        _run(database, data, n, Path(work), console)


def _run(database: Database, data: Path, n: int, work: Path, console: Console) -> None:
    full = work / "npidata_pfile_bench.csv"
    with Timer() as timer:
        size = generate_file(data / SAMPLE, n, full)
    console.print(
        f"generated {n:,} rows in the V.2 layout ({size / 1e6:,.0f} MB) in {timer.seconds:.1f} s"
    )
    weekly = work / "npidata_pfile_weekly.csv"
    weekly_rows = incremental_file(full, weekly)
    with unit_of_work(database.session_factory) as session:
        nucc = data / NUCC
        if nucc.is_file():
            with import_service.run_job(session, kind="nucc", path=nucc) as nucc_run:
                import_nucc(nucc_run, nucc)
    if database.is_sqlite:
        console.print("[yellow]SQLite: no COPY reference; the import figures alone[/]")
        copy_seconds = 0.0
    else:
        copy_seconds = raw_copy(database, full, len(pl.read_csv(full, n_rows=1).columns))
    first, first_s, timings = accord_import(database, full)
    again, again_s, again_timings = accord_import(database, full)
    inc, inc_s, inc_timings = accord_import(database, weekly)
    table = Table(title=f"NPPES import, {n:,} rows")
    for column in ("figure", "rows", "seconds", "rows/s", "x raw COPY rate", "counts"):
        table.add_column(column, justify="right" if column != "figure" else "left")
    if copy_seconds:
        table.add_row(
            "raw COPY (reference)",
            f"{n:,}",
            f"{copy_seconds:.1f}",
            rate(n, copy_seconds),
            "1.00",
            "",
        )

    def ratio(seconds: float) -> str:
        return f"{copy_seconds / seconds:.2f}" if copy_seconds and seconds else "-"

    for name, job, seconds in (
        ("Accord import, empty schema", first, first_s),
        ("re-import (all unchanged)", again, again_s),
        (f"incremental ({weekly_rows:,} rows)", inc, inc_s),
    ):
        table.add_row(
            name,
            f"{job.read:,}",
            f"{seconds:.1f}",
            rate(job.read, seconds),
            ratio(seconds * n / max(job.read, 1)),
            f"created {job.created:,} updated {job.updated:,} unchanged {job.unchanged:,} "
            f"rejected {job.rejected:,}",
        )
    console.print(table)
    phases = Table(title="seconds per phase")
    for column in ("phase", "first import", "re-import", "incremental"):
        phases.add_column(column, justify="left" if column == "phase" else "right")
    # every phase of any run, in the order the runs met them
    for phase in dict.fromkeys([*timings, *again_timings, *inc_timings]):
        phases.add_row(
            phase,
            f"{timings.get(phase, 0.0):.1f}",
            f"{again_timings.get(phase, 0.0):.1f}",
            f"{inc_timings.get(phase, 0.0):.1f}",
        )
    console.print(phases)
    with database.session_factory() as session:
        report = verify_chain(session)
    console.print(
        f"audit chain after the imports: {'intact' if report.intact else report.message} "
        f"({report.entries_checked:,} entries)"
    )
