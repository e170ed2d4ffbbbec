"""`python -m benchmarks --size S|M|L [--database-url URL]`: every figure beside its reference."""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import sqlalchemy
from rich.console import Console
from sqlalchemy.engine import make_url

from benchmarks import (
    SIZES,
    audit_trail,
    bench_database,
    generate,
    matching,
    network,
    nppes_import,
    stakeholder_view,
)


def _sibling(url: str | None, suffix: str) -> str | None:
    """The same place for a second database: another throwaway schema on PostgreSQL, a file
    beside the given one on SQLite."""
    if url is None or not url.startswith("sqlite"):
        return url
    path = Path(make_url(url).database or "bench.db")
    return f"sqlite:///{path.with_stem(f'{path.stem}-{suffix}')}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Accord's benchmarks, each printed beside a reference measured in the "
        "same run (see benchmarks/README.md).",
    )
    parser.add_argument(
        "--size",
        choices=sorted(SIZES, key=SIZES.__getitem__),
        default="S",
        help="S=2,000, M=20,000, L=200,000 rows; the generator runs its own S/M/L "
        "(10k/100k/1M stakeholders) (default: S)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL: the run works in a throwaway schema of that database; SQLite: a "
        "new file. Default: a throwaway schema on the test server "
        "(ACCORD_TEST_POSTGRES_URL, else 127.0.0.1:5432/test), or a temporary SQLite file "
        "when it is unreachable.",
    )
    parser.add_argument(
        "--only",
        choices=["audit", "engagement", "nppes", "network", "matching"],
        default=None,
        help="run one group: the audit trail; the generator with the stakeholder view, "
        "list and search on the data it loads; the NPPES import; the network recompute beside "
        "bare igraph PageRank and Leiden; or the matcher on NPPES vs CMS (default: all)",
    )
    parser.add_argument(
        "--rows",
        type=int,
        default=None,
        help="rows of the generated NPPES file (default by size: S=10,000, M=100,000, L=1,000,000)",
    )
    args = parser.parse_args(argv)
    n = SIZES[args.size]
    console = Console()
    if not console.is_terminal and console.width < 100:
        console = Console(width=100)  # piped to a file: room for the tables
    started = time.perf_counter()
    with bench_database(args.database_url) as bench:
        console.rule(f"Accord benchmarks, size {args.size} (N = {n:,})")
        console.print(f"database: {bench.description}")
        console.print(
            f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, "
            f"{platform.machine()} {platform.system()}"
        )
        if args.only in (None, "audit"):
            console.print()
            console.rule("audit trail")
            audit_trail.run(bench, n, console)
    if args.only in (None, "engagement"):
        # a database of its own: the generator loads a whole, realistic dataset
        with bench_database(_sibling(args.database_url, "engagement")) as bench:
            console.print()
            console.rule("demo data generator")
            console.print(f"database: {bench.description}")
            generate.run(bench, args.size, console)
            console.print()
            console.rule("stakeholder view, list and search")
            stakeholder_view.run(bench, args.size, console)
    if args.only in (None, "nppes"):
        with bench_database(_sibling(args.database_url, "nppes")) as bench:
            console.print()
            console.rule("NPPES import beside a raw COPY of the same file")
            console.print(f"database: {bench.description}")
            nppes_import.run(bench, args.size, console, rows=args.rows)
    if args.only in (None, "network"):
        # a database of its own: the generator's stakeholders and about ten relations each
        with bench_database(_sibling(args.database_url, "network")) as bench:
            console.print()
            console.rule("network recompute beside bare igraph PageRank and Leiden")
            console.print(f"database: {bench.description}")
            network.run(bench, args.size, console)
    if args.only in (None, "matching"):
        console.print()
        console.rule("matching: NPPES vs CMS Doctors and Clinicians (size-independent)")
        matching.run(console)
    console.print()
    console.print(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
