"""The docs say what the code does: settings, permissions and the README's two commands."""

from __future__ import annotations

from pathlib import Path

from accord.access.permissions import PERMISSIONS
from accord.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = [
        f"ACCORD_{name.upper()}"
        for name in Settings.model_fields
        if f"`ACCORD_{name.upper()}`" not in text
    ]
    assert missing == []


def test_every_permission_is_documented() -> None:
    text = (ROOT / "docs" / "permissions.md").read_text()
    assert [p for p in PERMISSIONS if f"`{p}`" not in text] == []


def test_the_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text()[:600]
    assert "make demo" in head
    assert "make test" in head
    assert head.index("make demo") < head.index("make test")


def test_the_makefile_has_the_documented_targets() -> None:
    text = (ROOT / "Makefile").read_text()
    for target in ("install:", "demo:", "test:", "lint:", "bench:"):
        assert f"\n{target}" in text


def test_ci_runs_make_test_and_lint() -> None:
    text = (ROOT / ".ci" / "run").read_text()
    assert "make test" in text
    assert "make lint" in text
