"""GET /api/v1/health: is the service up, on which database, with the schema it expects."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from accord import __version__
from accord.db.migrate import head_revision


class TestHealth:
    def test_a_healthy_service_answers_200_with_its_database(
        self, client: TestClient, backend: str
    ) -> None:
        response = client.get("/api/v1/health")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["version"] == __version__
        database = body["database"]
        assert database["dialect"] == backend
        assert database["reachable"] is True
        assert database["schema_current"] is True
        assert database["schema_revision"] == head_revision()
        assert database["latency_ms"] >= 0

    def test_a_schema_behind_the_code_is_503(self, client: TestClient, session: Session) -> None:
        session.execute(text("UPDATE alembic_version SET version_num = 'behind'"))
        session.flush()

        response = client.get("/api/v1/health")

        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "unavailable"
        assert body["database"]["schema_current"] is False
        assert body["database"]["schema_revision"] == "behind"

    def test_it_is_documented_in_the_openapi_schema(self, client: TestClient) -> None:
        paths = client.get("/api/openapi.json").json()["paths"]

        assert "get" in paths["/api/v1/health"]
