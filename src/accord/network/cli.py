"""`accord network recompute`: rebuild the influence network and its tiers now.

Registered by accord.cli (`app.add_typer(network_app, name="network")`).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accord.network import discovery, service_recompute

console = Console()

network_app = typer.Typer(
    help="The influence network: relations, influence, communities, the pyramid of tiers.",
    no_args_is_help=True,
)


@network_app.command("recompute")
def recompute_command(
    keep_edges: Annotated[
        bool,
        typer.Option(
            "--keep-edges",
            help="measure the relations already stored instead of rebuilding them from their "
            "sources (publications, trials, events, affiliations, referrals)",
        ),
    ] = False,
) -> None:
    """Find experts in research records, rebuild every relation, compute influence,
    brokerage, communities, reach and tiers overall and per therapeutic area, and keep them
    as a dated snapshot (the nightly job does the same)."""
    from accord.cli import _operator, cli_unit

    found = None
    if not keep_edges:
        # three units (see service_recompute.measure): nothing is locked while computing
        with (
            console.status("finding experts in research records"),
            cli_unit(writes=True) as session,
        ):
            found = discovery.discover(session)
    with console.status("recomputing the network"), cli_unit() as session:
        measured = service_recompute.measure(
            session, build_edges=not keep_edges, discover=False, found=found
        )
    with console.status("writing the snapshot"), cli_unit(writes=True) as session:
        snapshot = service_recompute.store(session, measured, requested_by=_operator().name)
        tiers = service_recompute.tier_counts(session, snapshot.id)
    console.print(
        f"snapshot {snapshot.id} of {snapshot.taken_on}: {snapshot.node_count:,} stakeholders, "
        f"{snapshot.edge_count:,} relations; brokerage {snapshot.brokerage_method}"
    )
    if found is not None and found.slots_linked:
        console.print(
            f"found in research records: {found.authors:,} authors, "
            f"{found.investigators:,} investigators, {found.sites:,} trial sites"
        )
    table = Table(title="the pyramid (overall)")
    table.add_column("tier")
    table.add_column("stakeholders", justify="right")
    for tier, count in tiers:
        table.add_row(tier, f"{count:,}")
    console.print(table)
    phases = Table(title="seconds per phase")
    phases.add_column("phase")
    phases.add_column("s", justify="right")
    for name, seconds in snapshot.timings.items():
        phases.add_row(name, f"{seconds:.2f}")
    console.print(phases)
