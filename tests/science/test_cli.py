"""`accord import pubmed` and `accord import clinicaltrials`: counts, linking summary, dry
runs and bad files (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accord.cli import app
from accord.db.session import Database
from accord.science.models import ClinicalTrial, Publication
from tests.science.conftest import SINGLE

runner = CliRunner()
WIDE = {"COLUMNS": "200"}


@pytest.fixture
def cli(test_database: Database) -> CliRunner:
    return runner


class TestImportPubmed:
    def test_imports_and_says_who_was_linked(
        self, cli: CliRunner, session: Session, pubmed_dir: Path
    ) -> None:
        result = cli.invoke(app, ["import", "pubmed", str(pubmed_dir / SINGLE)], env=WIDE)
        assert result.exit_code == 0, result.output
        assert "read 1, created 1, updated 0, unchanged 0, rejected 0" in result.output
        assert "people named" in result.output
        assert session.scalar(select(func.count()).select_from(Publication)) == 1

    def test_a_dry_run_writes_nothing(
        self, cli: CliRunner, session: Session, pubmed_dir: Path
    ) -> None:
        result = cli.invoke(
            app,
            ["import", "pubmed", "--dry-run", "--create-researchers", str(pubmed_dir / SINGLE)],
            env=WIDE,
        )
        assert result.exit_code == 0, result.output
        assert "would change" in result.output
        assert session.scalar(select(func.count()).select_from(Publication)) == 0

    def test_a_file_that_is_not_pubmed_exits_2(self, cli: CliRunner, tmp_path: Path) -> None:
        path = tmp_path / "notes.xml"
        path.write_text("<notes/>")
        result = cli.invoke(app, ["import", "pubmed", str(path)], env=WIDE)
        assert result.exit_code == 2
        assert "notes.xml is not PubMed XML" in result.output


class TestImportClinicaltrials:
    def test_a_folder_of_api_v2_studies(
        self, cli: CliRunner, session: Session, trials_dir: Path
    ) -> None:
        result = cli.invoke(
            app, ["import", "clinicaltrials", str(trials_dir / "api-v2-json")], env=WIDE
        )
        assert result.exit_code == 0, result.output
        assert "read 12, created 12" in result.output
        assert "157 sites" in result.output
        assert session.scalar(select(func.count()).select_from(ClinicalTrial)) == 12

    def test_invalid_json_exits_2_naming_the_file(self, cli: CliRunner, tmp_path: Path) -> None:
        path = tmp_path / "broken.json"
        path.write_text("{")
        result = cli.invoke(app, ["import", "clinicaltrials", str(path)], env=WIDE)
        assert result.exit_code == 2
        assert "broken.json is not valid JSON" in result.output
