"""The layering rules of CONVENTIONS.md, enforced on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "accord"
WEB_FRAMEWORKS = ("fastapi", "starlette")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def framework_free_modules() -> list[Path]:
    """Services, models and the access layer (except its deps module) must not know HTTP."""
    paths = [*SRC.rglob("service*.py"), *SRC.rglob("models.py")]
    paths += [p for p in (SRC / "access").glob("*.py") if p.name != "deps.py"]
    return sorted(paths)


def test_there_are_services_and_models_to_check() -> None:
    names = {p.relative_to(SRC).as_posix() for p in framework_free_modules()}
    assert {"user/service.py", "user/models.py", "audit/service.py", "access/scope.py"} <= names


def test_services_models_and_access_do_not_import_fastapi() -> None:
    offenders = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in framework_free_modules()
        for name in imports_of(path)
        if name.split(".")[0] in WEB_FRAMEWORKS
    ]
    assert offenders == []


def test_only_the_access_layer_builds_territory_filters() -> None:
    """Territory assignments are read by accord.access (and the territory domain itself);
    anything else filters by territory through access.scope."""
    allowed = {"access", "territory", "db", "demo"}
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.relative_to(SRC).parts[0] not in allowed
        and any(
            "UserTerritory" in line or "user_territory" in line
            for line in path.read_text().splitlines()
        )
    ]
    assert offenders == []


def test_services_never_commit() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("service*.py")
        if ".commit()" in path.read_text()
    ]
    assert offenders == []


def test_boundaries_do_not_query() -> None:
    """api.py, pages.py and cli.py call services; they do not build queries."""
    boundaries = [*SRC.rglob("api.py"), *SRC.rglob("pages.py"), SRC / "cli.py"]
    offenders = [
        str(path.relative_to(SRC))
        for path in boundaries
        if {"sqlalchemy", "sqlalchemy.orm"} & imports_of(path)
        and ("select(" in path.read_text() or ".execute(" in path.read_text())
    ]
    assert offenders == []
