"""The `accord` command: thin; parses arguments and calls services in one unit of work."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from accord.audit.trail import Actor, set_actor
from accord.config import Settings, get_settings
from accord.db.session import Database, get_database, unit_of_work
from accord.errors import AppError
from accord.user.models import Function, Role

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
app.add_typer(audit_app, name="audit")

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def _operator() -> Actor:
    """The CLI acts with the database's rights; the audit trail names the OS user."""
    return Actor(id=None, name=f"cli:{os.environ.get('USER', 'operator')}")


@contextmanager
def cli_unit(database: Database | None = None) -> Iterator[Session]:
    """One transaction per command; an AppError becomes a clear message and exit code 2."""
    database = database or get_database()
    try:
        with unit_of_work(database.session_factory) as session:
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

    application = create_app(settings)
    uvicorn.run(application, host=host, port=port, log_config=None, access_log=False)


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
    """Upgrade the database, create the demo users and territories if missing, print the
    logins, and serve."""
    from accord.demo.personas import DEMO_PASSWORD, PERSONAS, ensure_demo_users

    settings = get_settings()
    database = get_database()
    _upgrade(database)
    with cli_unit(database) as session:
        created = ensure_demo_users(session)
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


def main() -> None:
    app()
