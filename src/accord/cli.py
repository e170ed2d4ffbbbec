"""The `accord` command: thin; parses arguments and calls services in one unit of work."""

from __future__ import annotations

import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from accord.audit.trail import Actor, set_actor
from accord.config import Settings, get_settings
from accord.db.session import Database, get_database, unit_of_work
from accord.errors import AppError
from accord.user.models import Function, Role

if TYPE_CHECKING:
    from accord.demo.generator import Size
    from accord.demo.generator.load import Report
    from accord.importer.service import Run

#: the seed of the data `accord demo` loads
DEMO_SEED = 42

app = typer.Typer(
    name="accord",
    help="Accord: an open, orchestrated customer engagement platform for life sciences.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Users, their functions, roles and territories.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
import_app = typer.Typer(
    help="Imports from registries and reference files, each recorded as a job.",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")
app.add_typer(import_app, name="import")

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _operator() -> Actor:
    """The CLI acts with the database's rights; the audit trail names the OS user."""
    return Actor(id=None, name=f"cli:{os.environ.get('USER', 'operator')}")


@contextmanager
def cli_unit(database: Database | None = None, *, writes: bool = False) -> Iterator[Session]:
    """One transaction per command; an AppError becomes a clear message and exit code 2.
    `writes`: see unit_of_work."""
    database = database or get_database()
    try:
        with unit_of_work(database.session_factory, writes=writes) as session:
            set_actor(session, _operator())
            yield session
    except AppError as error:
        where = f" ({error.field})" if error.field else ""
        fail(f"{error.message}{where}")


def _upgrade(database: Database) -> None:
    from accord.db.migrate import upgrade

    upgrade(database.engine)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to ACCORD_DATABASE_URL."""
    from accord.db.migrate import current_revision

    database = get_database()
    _upgrade(database)
    console.print(f"database at revision [bold]{current_revision(database.engine)}[/]")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one Accord knows."""
    from accord.db.migrate import current_revision, head_revision

    current = current_revision(get_database().engine)
    head = head_revision()
    console.print(f"current: {current or 'none'}  head: {head}")
    if current != head:
        raise typer.Exit(1)


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument(help="lowercase login name")],
    function: Annotated[Function, typer.Option("--function", "-f", help="the user's team")],
    role: Annotated[Role, typer.Option("--role", "-r", help="field, manager or admin")],
    territory: Annotated[
        list[str] | None,
        typer.Option("--territory", "-t", help="territory code; repeat for several"),
    ] = None,
    full_name: Annotated[str | None, typer.Option("--name", help="full name")] = None,
    email: Annotated[str | None, typer.Option(help="e-mail address")] = None,
    manager: Annotated[str | None, typer.Option(help="username of the manager")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="initial password; asked for when omitted", envvar="ACCORD_NEW_PASSWORD"),
    ] = None,
) -> None:
    """Create a user with a function, a role and territories."""
    from pydantic import ValidationError

    from accord.user import service as user_service
    from accord.user.schemas import UserCreate

    if password is None:
        if not sys.stdin.isatty():
            fail("give --password (or ACCORD_NEW_PASSWORD) when not run from a terminal")
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        data = UserCreate(
            username=username,
            full_name=full_name or username,
            email=email,
            function=function,
            role=role,
            password=password,
            manager=manager,
            territories=territory or [],
        )
    except ValidationError as error:
        first = error.errors()[0]
        fail(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")
    with cli_unit() as session:
        user = user_service.create_user(session, None, data)
        console.print(
            f"created [bold]{user.username}[/] ({user.function.value}, {user.role.value})"
        )


@users_app.command("list")
def users_list() -> None:
    """List every user with function, role, manager and territories."""
    from accord.territory import service as territory_service
    from accord.user import service as user_service

    with cli_unit() as session:
        users = user_service.all_users(session)
        codes = territory_service.codes_by_user(session, [u.id for u in users])
        names = {u.id: u.username for u in users}
        table = Table("username", "name", "function", "role", "manager", "territories", "status")
        for user in users:
            status = (
                "locked"
                if user_service.is_locked(user)
                else ("active" if user.is_active else "inactive")
            )
            table.add_row(
                user.username,
                user.full_name,
                user.function.value,
                user.role.value,
                names.get(user.manager_id or -1, ""),
                ", ".join(codes[user.id]),
                status,
            )
        console.print(table)


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """Unlock an account locked after repeated failed sign-ins."""
    from accord.user import service as user_service

    with cli_unit() as session:
        user_service.unlock(session, None, username)
    console.print(f"unlocked {username}")


@users_app.command("set-password")
def users_set_password(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a user's password."""
    from accord.user import service as user_service

    with cli_unit() as session:
        user_service.set_password(session, None, username, password)
    console.print(f"password set for {username}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the hash chain: exit 0 when intact, 1 naming the first broken entry."""
    from accord.audit import service as audit_service

    with cli_unit() as session:
        report = audit_service.verify_chain(session)
    if report.intact:
        console.print(f"[green]intact:[/] {report.message}")
        return
    err.print(f"[bold red]BROKEN:[/] {report.message}")
    raise typer.Exit(1)


def _serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from accord.app import create_app
    from accord.jobs.dispatch import runs_in_process
    from accord.jobs.schedule import Scheduler

    application = create_app(settings)
    scheduler = None
    if runs_in_process():
        # no worker runs the nightly jobs when jobs run in-process: this server does
        scheduler = Scheduler()
        scheduler.start()
    try:
        uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)
    finally:
        if scheduler is not None:
            scheduler.stop()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
) -> None:
    """Serve the web UI and API (needs ACCORD_SECRET_KEY)."""
    settings = get_settings()
    if settings.secret_key is None:
        fail(
            "ACCORD_SECRET_KEY is not set. It signs session cookies; set it to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    _serve(settings, host, port)


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="prepare the data only")] = False,
) -> None:
    """Upgrade the database, create the demo users and territories if missing, load the
    generated demo data (size S) into an empty database, print the logins, and serve."""
    from accord.demo.generator import SIZES
    from accord.demo.generator.load import count_stakeholders
    from accord.demo.personas import DEMO_PASSWORD, PERSONAS, ensure_demo_users

    settings = get_settings()
    database = get_database()
    _upgrade(database)
    with cli_unit(database) as session:
        created = ensure_demo_users(session)
        existing = count_stakeholders(session)
    if existing:
        console.print(
            f"the database already holds {existing:,} stakeholders: no demo data generated"
        )
    else:
        report = _generate_demo_data(database, SIZES["S"], DEMO_SEED)
        console.print(
            f"generated the demo data: {report.rows.get('stakeholder', 0):,} stakeholders, "
            f"{report.rows.get('interaction', 0):,} interactions (size S, seed {DEMO_SEED})"
        )
        _seed_duplicates(database)
        _compute_network(database)
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    table.add_column("username", style="bold")
    table.add_column("function")
    table.add_column("role")
    table.add_column("who")
    for persona in PERSONAS:
        table.add_row(
            persona.username, persona.function.value, persona.role.value, persona.what_they_do
        )
    console.print(table)
    if created:
        console.print(f"created {created} demo users")
    if no_serve:
        return
    secret = settings.secret_key
    demo_settings = settings.model_copy(
        update={
            "demo_mode": True,
            "secret_key": secret or __import__("pydantic").SecretStr(secrets.token_urlsafe(48)),
        }
    )
    console.print(f"Accord is at [bold]http://{host}:{port}[/]  (Ctrl+C stops it)")
    _serve(demo_settings, host, port)


def _seed_duplicates(database: Database) -> None:
    """Key in a few HCPs twice, as a CRM's users do, and run the matcher over the master so
    that the stewardship page shows its merges and its queue."""
    from accord.demo.duplicates import seed_near_duplicates
    from accord.matching import service as matching_service

    with cli_unit(database) as session:
        pairs = seed_near_duplicates(session, DEMO_SEED)
        found = matching_service.run_matching(session, matching_service.steward_principal())
    console.print(
        f"keyed in {len(pairs)} HCPs a second time; the matcher merged "
        f"{len(found.auto_merged)} pairs and queued {len(found.queued)} for the data stewards"
    )


def _compute_network(database: Database) -> None:
    """The first network snapshot, so that the pyramid and the tiers show from the start."""
    from accord.db.base import utcnow
    from accord.jobs import schedule
    from accord.network import service_recompute

    with console.status("computing the influence network"), cli_unit(database) as session:
        snapshot = service_recompute.recompute(session, requested_by=_operator().name)
        tiers = service_recompute.tier_counts(session, snapshot.id)
        # today's snapshot is this one: the server's scheduler need not start another
        schedule.claim(session, "network.recompute", utcnow(), "accord demo")
    console.print(
        f"computed the influence network: {snapshot.edge_count:,} relations; "
        + ", ".join(f"{count:,} {tier}" for tier, count in tiers)
    )


def _generate_demo_data(
    database: Database, size: Size, seed: int, *, now: datetime | None = None
) -> Report:
    """Generate into one transaction, with a progress bar per table."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    from accord.demo.generator.load import generate as generate_data

    columns = (
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        computing = progress.add_task("computing", total=None)
        tasks: dict[str, TaskID] = {}

        def step(what: str) -> None:
            progress.update(computing, description=f"computing {what}"[:24])

        def advance(table: str, done: int, total: int) -> None:
            if table not in tasks:
                progress.update(computing, description="computed", total=1, completed=1)
                tasks[table] = progress.add_task(table, total=total)
            progress.update(tasks[table], completed=done)

        with cli_unit(database) as session:
            report = generate_data(session, size, seed, now=now, progress=step, advance=advance)
        if not tasks:
            progress.update(computing, total=1, completed=1)
    return report


@app.command()
def generate(
    size: Annotated[
        str, typer.Option("--size", "-s", help="S (10k stakeholders), M (100k) or L (1M)")
    ] = "S",
    seed: Annotated[int, typer.Option(help="the same seed gives the same data")] = 42,
    stakeholders: Annotated[
        int | None, typer.Option(help="override the size's number of stakeholders")
    ] = None,
    interactions: Annotated[
        int | None, typer.Option(help="override the size's number of interactions")
    ] = None,
    users: Annotated[
        int | None, typer.Option(help="override the size's number of generated users")
    ] = None,
) -> None:
    """Fill the database with realistic demo data (refused when it already holds some)."""
    from dataclasses import replace

    from accord.db.migrate import current_revision, head_revision
    from accord.demo.generator import SIZES

    preset = SIZES.get(size.upper())
    if preset is None:
        fail(f"--size must be one of {', '.join(SIZES)}, not {size!r}")
    overrides = {
        k: v
        for k, v in (
            ("stakeholders", stakeholders),
            ("interactions", interactions),
            ("users", users),
        )
        if v is not None
    }
    try:
        chosen = replace(preset, name=preset.name + ("*" if overrides else ""), **overrides)
    except ValueError as error:
        fail(str(error))
    database = get_database()
    if current_revision(database.engine) != head_revision():
        fail("the database schema is not up to date: run `accord db upgrade` first")
    from accord.demo.generator.load import already_generated

    with cli_unit(database) as session:
        earlier = already_generated(session)
    if earlier is not None:
        fail(
            f"this database already holds generated data ({earlier}); generate into an "
            "empty database instead"
        )
    started = time.perf_counter()
    report = _generate_demo_data(database, chosen, seed)
    seconds = time.perf_counter() - started
    total = sum(report.rows.values())
    console.print(
        f"generated {report.rows.get('stakeholder', 0):,} stakeholders and "
        f"{report.rows.get('interaction', 0):,} interactions ({total:,} rows, size "
        f"{chosen.name}, seed {seed}) in {seconds:.1f} s"
    )


@app.command()
def worker(
    processes: Annotated[int, typer.Option(help="worker processes")] = 2,
    threads: Annotated[int, typer.Option(help="threads per process")] = 4,
) -> None:
    """Run background job workers on the Redis broker (ACCORD_REDIS_URL)."""
    settings = get_settings()
    if not settings.redis_url:
        fail(
            "ACCORD_REDIS_URL is not set: without a broker, jobs run in-process and no worker "
            "is needed."
        )
    args = [
        sys.executable,
        "-m",
        "dramatiq",
        "accord.jobs.worker",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
    os.execvp(args[0], args)  # noqa: S606 - replaces this process with Dramatiq's


def _run_import(
    kind: str,
    path: Path,
    dry_run: bool,
    runner: Callable[[Run, Path], None] | None = None,
) -> None:
    """One import as one unit of work: the job, its rows and its errors; a bad file keeps the
    failed job and nothing else (exit 2). The kind's function comes from the registry the
    uploads use too (accord.importer.kinds)."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from accord.importer import service as import_service
    from accord.importer.kinds import import_kind

    chosen = import_kind(kind)
    size = path.stat().st_size if path.is_file() else None
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(f"{kind} {path.name}", total=size, rows=0)

        def report(phase: str, rows: int, bytes_read: int | None) -> None:
            progress.update(
                task, description=f"{kind} {path.name}: {phase}", completed=bytes_read, rows=rows
            )

        with cli_unit() as session:
            with import_service.run_job(
                session, kind=chosen.name, path=path, dry_run=dry_run, report=report
            ) as run:
                (runner or chosen.run)(run, path)
            job = run.job
    verb = "would change" if dry_run else "imported"
    console.print(
        f"job {job.id}: {verb} {job.source_name}: read {job.read:,}, created {job.created:,}, "
        f"updated {job.updated:,}, unchanged {job.unchanged:,}, rejected {job.rejected:,}"
    )
    if job.message:
        console.print(job.message)
    if job.rejected:
        console.print(f"row errors: accord import errors {job.id}")


@import_app.command("nppes")
def import_nppes_command(
    file: Annotated[
        Path, typer.Argument(help="NPPES CSV (V.2, weekly or deactivation), plain or zipped")
    ],
    dry_run: Annotated[bool, typer.Option(help="report what would change, write nothing")] = False,
) -> None:
    """Import an NPPES file: individuals as HCPs, organizations as HCOs, by NPI."""
    _run_import("nppes", file, dry_run)


@import_app.command("npi-json")
def import_npi_json_command(
    file: Annotated[
        Path, typer.Argument(help="an NPI Registry API (v2.1) response, or a list of them")
    ],
    dry_run: Annotated[bool, typer.Option(help="report what would change, write nothing")] = False,
) -> None:
    """Import NPI Registry API responses; error and empty bodies are recorded, not failures."""
    _run_import("npi_json", file, dry_run)


@import_app.command("open-payments")
def import_open_payments_command(
    file: Annotated[Path, typer.Argument(help="a CMS Open Payments General or Research CSV")],
    dry_run: Annotated[bool, typer.Option(help="report what would change, write nothing")] = False,
) -> None:
    """Import Open Payments (2013-2015 or 2016+ layout), attached by NPI, profile id or name."""
    _run_import("open_payments", file, dry_run)


@import_app.command("referrals")
def import_referrals_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="a CMS physician shared patient patterns CSV (npi1, npi2, pair_count, "
            "bene_count, same_day_count; with or without that header)"
        ),
    ],
    from_: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="first day of the period it covers"),
    ] = None,
    to: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="last day of the period it covers"),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="report what would change, write nothing")] = False,
) -> None:
    """Import shared-patient referrals between NPIs; a period imported again is replaced."""
    from functools import partial

    from accord.errors import InvalidInput
    from accord.importer.referrals import check_period, import_referrals

    start = from_.date() if from_ else None
    end = to.date() if to else None
    try:
        check_period(start, end)
    except InvalidInput as error:
        fail(error.message)
    _run_import(
        "referrals", file, dry_run, partial(import_referrals, period_start=start, period_end=end)
    )


@import_app.command("nucc")
def import_nucc_command(
    file: Annotated[Path, typer.Argument(help="the NUCC taxonomy CSV (nucc_taxonomy_*.csv)")],
    dry_run: Annotated[bool, typer.Option(help="report what would change, write nothing")] = False,
) -> None:
    """Load the NUCC provider taxonomy code set (the specialties)."""
    _run_import("nucc", file, dry_run)


@import_app.command("pubmed")
def import_pubmed_command(
    file: Annotated[Path, typer.Argument(help="a PubMed / MEDLINE XML file (PubmedArticleSet)")],
    dry_run: Annotated[bool, typer.Option(help="report what would change, write nothing")] = False,
    create_researchers: Annotated[
        bool,
        typer.Option(help="create a researcher stakeholder for each unlinked author with an ORCID"),
    ] = False,
) -> None:
    """Import PubMed articles with their authors, linked to stakeholders (ORCID first, then
    name + affiliation + place)."""
    from functools import partial

    from accord.science.pubmed import import_pubmed

    _run_import(
        "pubmed", file, dry_run, partial(import_pubmed, create_researchers=create_researchers)
    )


@import_app.command("clinicaltrials")
def import_clinicaltrials_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="a ClinicalTrials.gov API v2 JSON study, page, array or NDJSON, a legacy XML "
            "study, or a folder of them"
        ),
    ],
    dry_run: Annotated[bool, typer.Option(help="report what would change, write nothing")] = False,
    create_researchers: Annotated[
        bool,
        typer.Option(help="create a researcher stakeholder for each unlinked person with an ORCID"),
    ] = False,
) -> None:
    """Import trials with their officials, sites and site investigators, linked to
    stakeholders (people by name + affiliation + place, sites by name + city + state)."""
    from functools import partial

    from accord.science.clinicaltrials import import_clinicaltrials

    _run_import(
        "clinicaltrials",
        path,
        dry_run,
        partial(import_clinicaltrials, create_researchers=create_researchers),
    )


@import_app.command("jobs")
def import_jobs() -> None:
    """The latest import jobs with their counts."""
    from accord.importer import service as import_service

    table = Table(
        "job",
        "kind",
        "file",
        "status",
        "read",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "by",
        "started",
    )
    with cli_unit() as session:
        for job in import_service.recent_jobs(session):
            table.add_row(
                str(job.id),
                job.kind + (" (dry run)" if job.dry_run else ""),
                job.source_name,
                job.status.value,
                f"{job.read:,}",
                f"{job.created:,}",
                f"{job.updated:,}",
                f"{job.unchanged:,}",
                f"{job.rejected:,}",
                job.started_by,
                job.started_at.strftime("%Y-%m-%d %H:%M"),
            )
    console.print(table)


@import_app.command("errors")
def import_errors(
    job_id: Annotated[int, typer.Argument(help="the job number (accord import jobs)")],
    out: Annotated[Path | None, typer.Option(help="write the CSV here instead of stdout")] = None,
) -> None:
    """A job's row-level error report as CSV: row, column, value, reason."""
    from accord.importer import service as import_service

    with cli_unit() as session:
        body = import_service.errors_csv(session, import_service.find_job(session, job_id))
    if out is None:
        sys.stdout.write(body)
    else:
        out.write_text(body, encoding="utf-8")
        console.print(f"wrote {out}")


# FHIR commands live with their domain (they reach cli_unit when they run)
from accord.fhir import cli as fhir_cli  # noqa: E402

import_app.command("fhir")(fhir_cli.import_command)
export_app = typer.Typer(help="Exports of master data.", no_args_is_help=True)
app.add_typer(export_app, name="export")
export_app.command("fhir")(fhir_cli.export_command)

# duplicate search and merging live with their domain too
from accord.matching.cli import match_app  # noqa: E402

app.add_typer(match_app, name="match")

# the influence network
from accord.network.cli import network_app  # noqa: E402

app.add_typer(network_app, name="network")


def main() -> None:
    app()
