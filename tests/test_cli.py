"""The `accord` command, run through Typer's test runner against the test database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accord.cli import app
from accord.db.session import Database
from accord.territory import service as territory_service
from accord.user import service as user_service

runner = CliRunner()


@pytest.fixture
def cli(test_database: Database) -> CliRunner:
    return runner


class TestHelp:
    def test_help_lists_every_command(self) -> None:
        result = runner.invoke(app, ["--help"])
        assert result.exit_code == 0
        for command in (
            "demo",
            "generate",
            "serve",
            "db",
            "users",
            "audit",
            "import",
            "export",
            "worker",
        ):
            assert command in result.output

    @pytest.mark.parametrize(
        "args",
        [
            ["users", "--help"],
            ["db", "--help"],
            ["audit", "--help"],
            ["demo", "--help"],
            ["import", "--help"],
        ],
    )
    def test_every_group_has_help(self, args: list[str]) -> None:
        assert runner.invoke(app, args).exit_code == 0


class TestUsersCreate:
    def test_creates_a_user_with_function_role_and_territory(
        self, cli: CliRunner, session: Session
    ) -> None:
        result = cli.invoke(
            app,
            [
                "users",
                "create",
                "kam_boston",
                "--function",
                "commercial",
                "--role",
                "field",
                "--territory",
                "US-NE-BOS",
                "--name",
                "Maria Santos",
                "--manager",
                "salesmgr",
                "--password",
                "s3cret!",
            ],
        )
        assert result.exit_code == 0, result.output
        user = user_service.get_by_username(session, "kam_boston")
        assert user is not None
        assert (user.function.value, user.role.value, user.full_name) == (
            "commercial",
            "field",
            "Maria Santos",
        )
        assert [t.code for t in territory_service.assigned_to(session, user.id)] == ["US-NE-BOS"]

    def test_an_unknown_territory_is_a_clear_error_and_writes_nothing(
        self, cli: CliRunner, session: Session
    ) -> None:
        result = cli.invoke(
            app,
            [
                "users",
                "create",
                "ghost",
                "-f",
                "medical",
                "-r",
                "field",
                "-t",
                "MARS",
                "--password",
                "pw1234",
            ],
        )
        assert result.exit_code == 2
        assert "no territory with code 'MARS'" in result.output
        assert "Traceback" not in result.output
        assert user_service.get_by_username(session, "ghost") is None

    def test_an_unknown_function_is_refused_by_the_parser(self, cli: CliRunner) -> None:
        result = cli.invoke(
            app, ["users", "create", "x1", "-f", "sales", "-r", "field", "--password", "pw1234"]
        )
        assert result.exit_code == 2
        assert "--function" in result.output

    def test_a_duplicate_username_names_the_field(self, cli: CliRunner) -> None:
        result = cli.invoke(
            app, ["users", "create", "msl", "-f", "medical", "-r", "field", "--password", "pw1234"]
        )
        assert result.exit_code == 2
        assert "already exists" in result.output
        assert "username" in result.output

    def test_a_bad_username_names_the_field(self, cli: CliRunner) -> None:
        result = cli.invoke(
            app,
            [
                "users",
                "create",
                "Bad Name!",
                "-f",
                "medical",
                "-r",
                "field",
                "--password",
                "pw1234",
            ],
        )
        assert result.exit_code == 2
        assert "username" in result.output


class TestUsersList:
    def test_lists_the_demo_personas_with_territories(self, cli: CliRunner) -> None:
        result = cli.invoke(app, ["users", "list"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        for username in ("msl", "meddir", "rep", "salesmgr", "rep_west", "compliance", "admin"):
            assert username in result.output
        assert "US-W" in result.output


class TestUsersUnlock:
    def test_unknown_user_is_a_clear_error(self, cli: CliRunner) -> None:
        result = cli.invoke(app, ["users", "unlock", "nobody"])
        assert result.exit_code == 2
        assert "no user named 'nobody'" in result.output


class TestAuditVerify:
    def test_exits_0_on_an_intact_log(self, cli: CliRunner) -> None:
        result = cli.invoke(app, ["audit", "verify"])
        assert result.exit_code == 0, result.output
        assert "intact" in result.output

    def test_exits_1_naming_the_first_broken_entry(self, cli: CliRunner, session: Session) -> None:
        session.execute(text("UPDATE audit_entry SET reason = 'rewritten' WHERE seq = 4"))
        session.commit()
        result = cli.invoke(app, ["audit", "verify"], env={"COLUMNS": "200"})
        assert result.exit_code == 1
        assert "seq 4" in result.output


class TestServe:
    def test_refuses_to_start_without_a_secret_key(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from accord.config import get_settings

        monkeypatch.delenv("ACCORD_SECRET_KEY", raising=False)
        get_settings.cache_clear()
        try:
            result = runner.invoke(app, ["serve"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 2
        assert "ACCORD_SECRET_KEY" in result.output


class TestDbUpgrade:
    def test_is_idempotent_at_head(self, cli: CliRunner) -> None:
        result = cli.invoke(app, ["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert "revision" in result.output


class TestDemo:
    def test_prepares_the_demo_without_serving_and_prints_the_logins(
        self, cli: CliRunner, session: Session
    ) -> None:
        from accord.user.models import User

        result = cli.invoke(app, ["demo", "--no-serve"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert "password for all: demo" in result.output
        for username in (
            "msl",
            "meddir",
            "rep",
            "salesmgr",
            "rep_west",
            "access",
            "research",
            "compliance",
            "finance",
            "admin",
        ):
            assert username in result.output
        assert len(session.scalars(select(User)).all()) >= 10
        assert "generated the demo data: 10,000 stakeholders, 100,000 interactions" in (
            result.output
        )
        assert "computed the influence network" in result.output
        # today's snapshot is the demo's: the server's nightly scheduler does not start another
        from accord.jobs.models import ScheduledRun

        claims = session.scalars(select(ScheduledRun.job_name)).all()
        assert "network.recompute" in claims


class TestImport:
    def test_nucc_then_nppes_then_the_jobs_and_their_errors(
        self, cli: CliRunner, data_dir: Path, tmp_path: Path
    ) -> None:
        nucc = cli.invoke(
            app,
            ["import", "nucc", str(data_dir / "nucc-taxonomy/nucc_taxonomy_251.csv")],
            env={"COLUMNS": "200"},
        )
        assert nucc.exit_code == 0, nucc.output
        assert "read 883, created 870" in nucc.output  # 13 demo specialties were there
        sample = (data_dir / "nppes-csv/npidata_pfile_2025-04_first1000.csv").read_text()
        lines = sample.splitlines(keepends=True)[:4]
        lines[1] = lines[1].replace("1679576722", "1679576723", 1)
        path = tmp_path / "three.csv"
        path.write_text("".join(lines))
        result = cli.invoke(app, ["import", "nppes", str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert "created 2" in result.output
        assert "rejected 1" in result.output
        jobs = cli.invoke(app, ["import", "jobs"], env={"COLUMNS": "200"})
        assert "three.csv" in jobs.output
        job_id = result.output.split("job ")[1].split(":")[0]
        errors = cli.invoke(app, ["import", "errors", job_id])
        assert "1679576723" in errors.output

    def test_a_bad_file_exits_2_with_the_reason(self, cli: CliRunner, tmp_path: Path) -> None:
        path = tmp_path / "not.csv"
        path.write_text("a,b\n1,2\n")
        result = cli.invoke(app, ["import", "nppes", str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 2
        assert "not an NPPES file" in result.output
