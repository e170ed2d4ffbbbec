"""`accord import fhir` and `accord export fhir`: thin commands over the FHIR service.

Registered by accord.cli (`import_app.command("fhir")(import_command)`, likewise for export).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from accord.access.principal import Principal
from accord.fhir import service as fhir_service
from accord.fhir.service_export import EXPORT_TYPES
from accord.importer import service as import_service
from accord.user.models import Function, Role

console = Console()
err = Console(stderr=True)

#: how many conflicts, errors and dangling references the summary lists before "and N more"
SHOWN = 20


def operator_principal() -> Principal:
    """The principal the CLI exports as. The operator runs Accord with the database's rights,
    so the export sees every territory, as compliance does; it is a read of identity, contact
    and organizational status only, and the audit trail names the OS user (cli_unit's actor).
    There is no user row behind it: user id 0 belongs to no one."""
    name = f"cli:{os.environ.get('USER', 'operator')}"
    return Principal(
        user_id=0,
        username=name,
        full_name=name,
        function=Function.compliance,
        role=Role.admin,
        territory_ids=None,
        team_ids=frozenset(),
    )


#: kept here for callers of the CLI module; the FHIR service owns it
record_on_job = fhir_service.record_on_job


def import_command(
    path: Annotated[
        Path, typer.Argument(help="a .json resource or Bundle, an .ndjson file, or a folder")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="report what would change; write nothing")
    ] = False,
) -> None:
    """Import Practitioner, PractitionerRole, Organization, OrganizationAffiliation and Location
    resources into the stakeholder master. Exit 1 when a record was rejected or in conflict
    (the others are imported)."""
    from accord.cli import cli_unit  # accord.cli registers these commands
    from accord.importer.kinds import import_kind

    with cli_unit() as session:
        with import_service.run_job(session, kind="fhir", path=path, dry_run=dry_run) as run:
            # a file that is not FHIR stops the import; the failed job is kept
            report = import_kind("fhir").run(run, path)
            assert isinstance(report, fhir_service.FhirImportReport)
        job_id = run.job.id
    console.print(f"job {job_id}: row errors with `accord import errors {job_id}`")
    table = Table(title=f"FHIR import of {path.name}" + (" (dry run)" if dry_run else ""))
    outcomes = ("created", "updated", "unchanged", "rejected", "conflict", "unresolved")
    table.add_column("resource")
    for outcome in outcomes:
        table.add_column(outcome, justify="right")
    for resource_type, counts in report.by_type.items():
        table.add_row(resource_type, *(str(counts.get(o, 0)) for o in outcomes))
    console.print(table)
    if report.skipped:
        skipped = ", ".join(f"{t} {n}" for t, n in sorted(report.skipped.items()))
        console.print(f"skipped (not stakeholder master data): {skipped}")
    for conflict in report.conflicts[:SHOWN]:
        console.print(
            f"[yellow]conflict:[/] NPI {conflict.npi} at {conflict.location} is already "
            f"claimed by {conflict.claimed_by}; not merged"
        )
    for error in report.errors[:SHOWN]:
        value = f" {error.value!r}" if error.value else ""
        console.print(f"[red]rejected:[/] {error.location}: {error.field}{value}: {error.reason}")
    for location, reference in report.dangling[:SHOWN]:
        console.print(f"dangling reference: {location} -> {reference}")
    more = [
        (len(report.conflicts), "conflicts"),
        (len(report.errors), "rejections"),
        (len(report.dangling), "dangling references"),
    ]
    for count, what in more:
        if count > SHOWN:
            console.print(f"… and {count - SHOWN} more {what}")
    if report.warnings:
        console.print(f"{len(report.warnings)} values not stored (SSNs, addresses abroad, …)")
    if report.rejected or report.conflicts:
        raise typer.Exit(1)


def export_command(
    type: Annotated[
        str | None,
        typer.Option("--type", help=f"only one resource type: {', '.join(EXPORT_TYPES)}"),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="write the Bundle here instead of stdout")
    ] = None,
) -> None:
    """Export the stakeholder master as a FHIR R4 collection Bundle (NPIs in
    http://hl7.org/fhir/sid/us-npi)."""
    from accord.cli import cli_unit  # accord.cli registers these commands

    with cli_unit() as session:
        bundle = fhir_service.export_fhir(session, operator_principal(), resource_type=type)
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        err.print(f"wrote {len(bundle['entry'])} resources to {out}")
