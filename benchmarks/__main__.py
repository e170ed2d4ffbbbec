"""`python -m benchmarks --size S|M|L [--database-url URL]`: every figure beside its reference."""

from __future__ import annotations

import argparse
import platform
import time

import sqlalchemy
from rich.console import Console

from benchmarks import SIZES, audit_trail, bench_database, generate, stakeholder_view


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
        console.print()
        console.rule("audit trail")
        audit_trail.run(bench, n, console)
        console.print()
        console.rule("demo data generator")
        generate.run(bench, args.size, console)
        console.print()
        console.rule("stakeholder view, list and search")
        stakeholder_view.run(bench, args.size, console)
    console.print()
    console.print(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
