"""`accord generate` and `accord demo`'s data, through Typer's test runner."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accord.cli import app
from accord.db.session import Database
from accord.stakeholder.models import Stakeholder

runner = CliRunner()
SMALL = ["--stakeholders", "200", "--interactions", "1500", "--users", "12"]


@pytest.fixture
def cli(test_database: Database) -> CliRunner:
    return runner


def stakeholders(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Stakeholder)) or 0)


class TestGenerate:
    def test_fills_the_database_and_reports_the_counts(
        self, cli: CliRunner, session: Session
    ) -> None:
        result = cli.invoke(app, ["generate", "--size", "S", "--seed", "3", *SMALL])
        assert result.exit_code == 0, result.output
        assert "generated 200 stakeholders and 1,500 interactions" in result.output
        assert stakeholders(session) == 200

    def test_a_second_run_is_refused_with_exit_code_2(
        self, cli: CliRunner, session: Session
    ) -> None:
        assert cli.invoke(app, ["generate", *SMALL]).exit_code == 0
        result = cli.invoke(app, ["generate", *SMALL])
        assert result.exit_code == 2
        assert "already holds generated data" in result.output
        assert stakeholders(session) == 200

    def test_an_unknown_size_is_a_clear_error(self, cli: CliRunner) -> None:
        result = cli.invoke(app, ["generate", "--size", "XL"])
        assert result.exit_code == 2
        assert "--size must be one of S, M, L" in result.output

    def test_too_few_stakeholders_is_a_clear_error(self, cli: CliRunner) -> None:
        result = cli.invoke(app, ["generate", "--stakeholders", "5"])
        assert result.exit_code == 2
        assert "at least 100" in result.output


class TestDemoData:
    def test_demo_leaves_a_database_with_stakeholders_alone(
        self, cli: CliRunner, session: Session
    ) -> None:
        assert cli.invoke(app, ["generate", *SMALL]).exit_code == 0
        result = cli.invoke(app, ["demo", "--no-serve"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        assert "already holds 200 stakeholders: no demo data generated" in result.output
        assert stakeholders(session) == 200
