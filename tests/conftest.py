"""Fixtures: a migrated, seeded database per backend; a rolled-back transaction per test;
the demo personas; an API client and a web client signed in as a persona."""

from __future__ import annotations

import os

# no nightly job starts inside the tests' servers and workers
os.environ.setdefault("ACCORD_NETWORK_NIGHTLY_AT", "")
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from accord.access.principal import Principal
from accord.access.scope import load_principal
from accord.app import create_app
from accord.audit.trail import set_actor
from accord.config import Settings
from accord.db.session import Database, set_database
from accord.jobs.dispatch import configure_broker
from accord.user import service as user_service
from tests.backends import BACKENDS, fresh_database

DEMO_PASSWORD = "demo"


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The migrated schema with the demo territories and personas, committed once."""
    with fresh_database(backend, tmp_path_factory.mktemp(backend)) as db:
        yield db


@pytest.fixture
def connection(database: Database) -> Iterator[Connection]:
    with database.engine.connect() as conn:
        outer = conn.begin()
        try:
            yield conn
        finally:
            outer.rollback()


@pytest.fixture
def test_database(database: Database, connection: Connection) -> Iterator[Database]:
    """The database as the app and the jobs see it: every session joins the test's outer
    transaction, so a request's commit is a savepoint and the test leaves nothing behind."""
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    bound = Database.wrap(database.engine, factory)
    set_database(bound)
    configure_broker(None)
    yield bound
    set_database(None)


@pytest.fixture
def session(test_database: Database) -> Iterator[Session]:
    s = test_database.session_factory()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def persona(session: Session) -> Callable[[str], Principal]:
    """persona("msl") -> the demo user's Principal; also sets them as the session's actor."""

    def load(username: str) -> Principal:
        user = user_service.get_by_username(session, username)
        assert user is not None, f"no demo persona {username}"
        principal = load_principal(session, user)
        set_actor(session, principal.actor)
        return principal

    return load


@pytest.fixture
def settings(database: Database) -> Settings:
    return Settings(
        database_url=database.url,
        secret_key=SecretStr("test-secret-key-" + "x" * 32),
        redis_url=None,
        log_level="WARNING",
    )


@pytest.fixture
def app(settings: Settings, test_database: Database) -> FastAPI:
    return create_app(settings, database=test_database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def api_as(client: TestClient) -> Callable[[str], dict[str, str]]:
    """api_as("compliance") -> Authorization headers with a fresh bearer token."""

    def headers(username: str) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return headers


def csrf_from(html: str) -> str:
    marker = 'name="csrf-token" content="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


@pytest.fixture
def web_as(app: FastAPI) -> Callable[[str], TestClient]:
    """web_as("msl") -> a TestClient with a signed-in session cookie; `.csrf` holds the token."""
    clients: list[TestClient] = []

    def sign_in(username: str) -> TestClient:
        c = TestClient(app, raise_server_exceptions=False)
        clients.append(c)
        page = c.get("/login")
        token = csrf_from(page.text)
        response = c.post(
            "/login",
            data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        home = c.get("/")
        c.csrf = csrf_from(home.text)  # type: ignore[attr-defined]
        return c

    yield sign_in  # type: ignore[misc]
    for c in clients:
        c.close()


@pytest.fixture
def data_dir() -> Path:
    """../shared/data beside the checkout (or ACCORD_SHARED_DATA), read-only; skipped with a
    reason where absent (required under CI)."""
    from tests.backends import unavailable

    override = os.environ.get("ACCORD_SHARED_DATA")
    path = Path(override) if override else Path(__file__).resolve().parents[2] / "shared" / "data"
    if not path.is_dir():
        unavailable(f"the shared data folder {path} is absent")
    return path
