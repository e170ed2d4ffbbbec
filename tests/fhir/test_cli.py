"""accord.fhir.cli: the commands as the `accord` command will register them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accord.db.session import Database
from accord.fhir.cli import export_command, import_command
from tests.fhir.conftest import practitioner

Write = Callable[[str, Any], Path]

app = typer.Typer()
import_app = typer.Typer()
export_app = typer.Typer()
import_app.command("fhir")(import_command)
export_app.command("fhir")(export_command)
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")


@pytest.fixture
def cli(test_database: Database) -> CliRunner:
    return CliRunner()


class TestImportCommand:
    def test_prints_counts_and_exits_1_on_conflicts(self, cli: CliRunner, plan_net: Path) -> None:
        result = cli.invoke(app, ["import", "fhir", str(plan_net)])
        assert result.exit_code == 1, result.output
        assert "Practitioner" in result.output
        assert "conflict: NPI 1407071236 at Organization-Hospital.json" in result.output

    def test_a_clean_import_exits_0(self, cli: CliRunner, write: Write) -> None:
        result = cli.invoke(app, ["import", "fhir", str(write("a.json", practitioner("a", "A")))])
        assert result.exit_code == 0, result.output

    def test_a_file_that_is_not_json_exits_2_naming_it(self, cli: CliRunner, write: Write) -> None:
        result = cli.invoke(app, ["import", "fhir", str(write("broken.json", "{"))])
        assert result.exit_code == 2
        assert "broken.json is not FHIR JSON" in result.output


class TestExportCommand:
    def test_writes_a_bundle_to_a_file(self, cli: CliRunner, write: Write, tmp_path: Path) -> None:
        cli.invoke(app, ["import", "fhir", str(write("a.json", practitioner("a", "Adams")))])
        out = tmp_path / "out.json"
        result = cli.invoke(app, ["export", "fhir", "--type", "Practitioner", "--out", str(out)])
        assert result.exit_code == 0, result.output
        bundle = json.loads(out.read_text())
        assert {e["resource"]["id"] for e in bundle["entry"]} >= {"a"}

    def test_an_unknown_type_exits_2(self, cli: CliRunner) -> None:
        result = cli.invoke(app, ["export", "fhir", "--type", "Patient"])
        assert result.exit_code == 2
        assert "'Patient' is not one of" in result.output


def test_the_import_is_a_recorded_job(session: Session, data_dir: Path) -> None:
    """accord import fhir records its run like every other importer."""
    from sqlalchemy import select

    from accord.fhir.cli import record_on_job
    from accord.fhir.service import import_fhir
    from accord.importer import service as import_service
    from accord.importer.models import ImportJob

    path = data_dir / "fhir-r4-examples/resources"
    with import_service.run_job(session, kind="fhir", path=path) as run:
        record_on_job(run, import_fhir(session, None, path))
    job = session.scalars(select(ImportJob).where(ImportJob.kind == "fhir")).one()
    assert job.read > 0
    assert job.created > 0
    assert len(job.source_sha256) == 64
