"""`accord match run`: find duplicate stakeholders, merge the sure ones, queue the likely ones.

Registered by accord.cli (`app.add_typer(match_app, name="match")`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accord.matching import model
from accord.matching import service as matching_service

console = Console()

match_app = typer.Typer(
    help="Duplicate stakeholders: find, merge, queue for the data stewards.", no_args_is_help=True
)


def print_report(report: matching_service.MatchRunReport) -> None:
    verb = "would merge" if report.dry_run else "merged"
    queue = "would queue" if report.dry_run else "queued"
    console.print(
        f"scanned {report.scanned:,} stakeholders, scored {report.blocked_pairs:,} candidate "
        f"pairs: {verb} {len(report.auto_merged):,}, {queue} {len(report.queued):,} for the "
        f"stewards; {report.identifier_conflicts:,} pairs kept apart by different NPIs or "
        f"ORCIDs, {report.already_known:,} decided before"
    )
    pairs = report.auto_merged + report.queued
    if pairs:
        table = Table(title="pairs")
        table.add_column("stakeholders")
        table.add_column("probability", justify="right")
        table.add_column("action")
        for a, b, p in pairs[:30]:
            action = verb if (a, b, p) in report.auto_merged else queue
            table.add_row(f"{a} · {b}", f"{p:.4f}", action)
        console.print(table)
        if len(pairs) > 30:
            console.print(f"and {len(pairs) - 30:,} more")


@match_app.command("run")
def run_command(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="report what would be merged and queued; write nothing"),
    ] = False,
    auto_merge: Annotated[
        float, typer.Option(help="merge pairs at or above this match probability")
    ] = model.AUTO_MERGE_PROBABILITY,
    review: Annotated[
        float, typer.Option(help="queue pairs from this probability up to --auto-merge")
    ] = model.REVIEW_PROBABILITY,
    em: Annotated[
        bool,
        typer.Option(
            "--em",
            help="re-learn m by EM from the master (sound only when it holds many duplicates)",
        ),
    ] = False,
) -> None:
    """Scan the stakeholder master for duplicates (persons with persons, organizations with
    organizations): records holding different NPIs or ORCIDs are never paired; the
    Fellegi-Sunter model scores the rest (docs/matching.md). Sure pairs are merged, likely ones
    wait on the stewardship page, in one transaction."""
    from accord.cli import cli_unit  # accord.cli registers these commands

    with cli_unit() as session:
        report = matching_service.run_matching(
            session,
            matching_service.steward_principal(),
            dry_run=dry_run,
            auto_merge=auto_merge,
            review=review,
            em=em,
        )
    print_report(report)
