"""The gate's FastAPI dependencies: who is calling (bearer or cookie), and CSRF for cookies."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.user import service as user_service

WebAs = Callable[[str], TestClient]
ApiAs = Callable[[str], dict[str, str]]
TOKEN = {"name": "crm sync"}


def csrf_of(web: TestClient) -> str:
    token: str = web.csrf
    return token


class TestCurrentPrincipal:
    def test_a_cookie_session_reads_without_a_csrf_token(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.get("/api/v1/me")

        assert response.status_code == 200
        assert response.json()["username"] == "msl"

    def test_a_cookie_session_writes_without_the_csrf_header_get_403(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.post("/api/v1/tokens", json=TOKEN)

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["field"] == "csrf_token"
        assert msl.get("/api/v1/tokens").json()["items"] == []

    def test_a_cookie_session_writes_with_the_csrf_header(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.post("/api/v1/tokens", json=TOKEN, headers={"X-CSRF-Token": csrf_of(msl)})

        assert response.status_code == 201, response.text

    def test_a_wrong_csrf_header_is_403(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.post("/api/v1/tokens", json=TOKEN, headers={"X-CSRF-Token": "x" * 43})

        assert response.status_code == 403

    def test_another_session_s_csrf_token_is_403(self, web_as: WebAs) -> None:
        msl, rep = web_as("msl"), web_as("rep")

        response = msl.post("/api/v1/tokens", json=TOKEN, headers={"X-CSRF-Token": csrf_of(rep)})

        assert response.status_code == 403

    def test_a_cookie_session_deletes_only_with_the_csrf_header(self, web_as: WebAs) -> None:
        msl = web_as("msl")
        csrf = {"X-CSRF-Token": csrf_of(msl)}
        token_id = msl.post("/api/v1/tokens", json=TOKEN, headers=csrf).json()["id"]

        refused = msl.delete(f"/api/v1/tokens/{token_id}")
        accepted = msl.delete(f"/api/v1/tokens/{token_id}", headers=csrf)

        assert refused.status_code == 403
        assert accepted.status_code == 200

    def test_a_bearer_token_writes_without_a_csrf_token(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.post("/api/v1/tokens", json=TOKEN, headers=api_as("msl"))

        assert response.status_code == 201, response.text

    def test_the_bearer_token_wins_over_the_cookie(self, web_as: WebAs, api_as: ApiAs) -> None:
        msl = web_as("msl")

        response = msl.post("/api/v1/tokens", json=TOKEN, headers=api_as("rep"))

        assert response.status_code == 201
        assert msl.get("/api/v1/me", headers=api_as("rep")).json()["username"] == "rep"

    def test_a_deactivated_user_s_session_ends(self, web_as: WebAs, session: Session) -> None:
        msl = web_as("msl")
        user = user_service.get_by_username(session, "msl")
        assert user is not None
        user.is_active = False
        session.flush()

        response = msl.get("/api/v1/me")

        assert response.status_code == 401

    def test_a_forged_session_cookie_is_anonymous(self, client: TestClient) -> None:
        client.cookies.set("accord_session", "eyJ1aWQiOiAxfQ==.forged.signature")

        response = client.get("/api/v1/me")

        assert response.status_code == 401
