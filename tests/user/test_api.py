"""The JSON routes of users and tokens: /api/v1/auth/token, /me, /tokens and /users."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.config import Settings
from accord.db.base import utcnow
from accord.demo.personas import PERSONAS
from accord.user import service as user_service
from accord.user.models import User
from tests.conftest import DEMO_PASSWORD
from tests.user.conftest import NEW_PASSWORD

PROBLEM = "application/problem+json"
ALL_USERNAMES = {p.username for p in PERSONAS}

ApiAs = Callable[[str], dict[str, str]]
NewUser = Callable[..., User]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def request_token(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def new_user_body(username: str = "nurse", **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "username": username,
        "full_name": "Nora Nurse-Educator",
        "function": "medical",
        "role": "field",
        "password": NEW_PASSWORD,
        "manager": "meddir",
        "territories": ["US-NE-BOS"],
    }
    body.update(overrides)
    return body


def reload_user(session: Session, username: str) -> User:
    """The user as the database has it now, after the app's requests committed."""
    session.expire_all()
    user = user_service.get_by_username(session, username)
    assert user is not None
    return user


class TestIssueAccessToken:
    def test_password_grant_answers_a_bearer_token_that_works_on_me(
        self, client: TestClient, settings: Settings
    ) -> None:
        response = request_token(client, "msl", DEMO_PASSWORD)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == settings.access_token_minutes * 60
        me = client.get("/api/v1/me", headers=bearer(body["access_token"]))
        assert me.status_code == 200
        assert me.json()["username"] == "msl"

    def test_wrong_password_is_a_401_problem_asking_for_a_bearer(self, client: TestClient) -> None:
        response = request_token(client, "msl", "wrong")

        body = assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
        assert body["detail"] == "wrong username or password"
        assert "access_token" not in body

    def test_unknown_user_gets_the_same_answer_as_a_wrong_password(
        self, client: TestClient
    ) -> None:
        wrong = request_token(client, "msl", "wrong").json()
        unknown = request_token(client, "nobody", "wrong").json()

        assert unknown["detail"] == wrong["detail"]
        assert unknown["title"] == wrong["title"]

    def test_missing_password_is_a_422_naming_the_field(self, client: TestClient) -> None:
        response = client.post("/api/v1/auth/token", data={"username": "msl"})

        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["password"]

    def test_failures_survive_the_refused_request(
        self, client: TestClient, session: Session, new_user: NewUser
    ) -> None:
        new_user("nurse")

        for _ in range(2):
            assert request_token(client, "nurse", "wrong").status_code == 401

        assert reload_user(session, "nurse").failed_login_count == 2

    def test_five_failures_lock_the_account_with_423(
        self, client: TestClient, session: Session, settings: Settings, new_user: NewUser
    ) -> None:
        new_user("nurse")

        for _ in range(settings.login_max_failures):
            assert_problem(request_token(client, "nurse", "wrong"), 401)
        response = request_token(client, "nurse", NEW_PASSWORD)

        body = assert_problem(response, 423)
        assert "locked" in body["detail"]
        assert reload_user(session, "nurse").locked_until is not None


class TestMe:
    def test_msl_sees_function_and_territories(self, client: TestClient, api_as: ApiAs) -> None:
        body = client.get("/api/v1/me", headers=api_as("msl")).json()

        assert body["username"] == "msl"
        assert body["function"] == "medical"
        assert body["function_label"] == "Medical affairs"
        assert body["role"] == "field"
        assert [t["code"] for t in body["territories"]] == ["US-NE"]
        assert body["sees_all_territories"] is False
        assert body["team"] == []

    def test_meddir_team_is_the_msl(self, client: TestClient, api_as: ApiAs) -> None:
        body = client.get("/api/v1/me", headers=api_as("meddir")).json()

        assert body["role"] == "manager"
        assert body["team"] == ["msl"]

    def test_salesmgr_team_is_the_rep(self, client: TestClient, api_as: ApiAs) -> None:
        body = client.get("/api/v1/me", headers=api_as("salesmgr")).json()

        assert body["team"] == ["rep"]

    def test_compliance_sees_all_territories_and_reads_the_audit_trail(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        body = client.get("/api/v1/me", headers=api_as("compliance")).json()

        assert body["sees_all_territories"] is True
        assert body["territories"] == []
        assert "audit:read" in body["permissions"]
        assert "users:manage" not in body["permissions"]

    def test_admin_manages_users_but_does_not_read_the_audit_trail(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        body = client.get("/api/v1/me", headers=api_as("admin")).json()

        assert "users:manage" in body["permissions"]
        assert "audit:read" not in body["permissions"]

    def test_anonymous_is_a_401_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/me")

        body = assert_problem(response, 401)
        assert "sign in" in body["detail"]
        assert response.headers["www-authenticate"] == "Bearer"


class TestApiTokens:
    def test_a_created_token_is_shown_once_works_and_stops_working_when_revoked(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        msl = api_as("msl")

        created = client.post("/api/v1/tokens", json={"name": "crm sync"}, headers=msl)
        assert created.status_code == 201, created.text
        issued = created.json()
        secret = issued["token"]
        assert secret.startswith(issued["prefix"])
        assert issued["kind"] == "api"
        assert issued["revoked_at"] is None

        assert client.get("/api/v1/me", headers=bearer(secret)).json()["username"] == "msl"

        listed = client.get("/api/v1/tokens", headers=msl).json()
        assert set(listed) == {"items", "next_cursor"}
        assert [t["id"] for t in listed["items"]] == [issued["id"]]
        assert "token" not in listed["items"][0]
        assert secret not in client.get("/api/v1/tokens", headers=msl).text

        revoked = client.delete(f"/api/v1/tokens/{issued['id']}", headers=msl)
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None

        after = client.get("/api/v1/me", headers=bearer(secret))
        assert assert_problem(after, 401)["detail"] == "the bearer token was revoked"

    def test_the_list_holds_no_short_lived_access_tokens(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.get("/api/v1/tokens", headers=api_as("msl"))

        assert response.json() == {"items": [], "next_cursor": None}

    def test_expires_in_days_sets_the_expiry(self, client: TestClient, api_as: ApiAs) -> None:
        body = client.post(
            "/api/v1/tokens",
            json={"name": "quarterly", "expires_in_days": 90},
            headers=api_as("msl"),
        ).json()

        assert body["expires_at"] is not None

    def test_expires_in_days_out_of_range_is_a_422_naming_it(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.post(
            "/api/v1/tokens", json={"name": "forever", "expires_in_days": 0}, headers=api_as("msl")
        )

        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["expires_in_days"]

    def test_revoking_someone_else_s_token_is_404(self, client: TestClient, api_as: ApiAs) -> None:
        token_id = client.post(
            "/api/v1/tokens", json={"name": "sync"}, headers=api_as("msl")
        ).json()["id"]

        response = client.delete(f"/api/v1/tokens/{token_id}", headers=api_as("rep"))

        assert_problem(response, 404)


class TestAuthorizationHeader:
    @pytest.mark.parametrize(
        "header", ["Basic bXNsOmRlbW8=", "Bearer", "Bearer   ", "Token acc_abc"]
    )
    def test_a_malformed_header_is_a_401_naming_the_problem(
        self, client: TestClient, header: str
    ) -> None:
        response = client.get("/api/v1/me", headers={"Authorization": header})

        body = assert_problem(response, 401)
        assert body["detail"] == "the Authorization header must be 'Bearer <token>'"

    def test_a_garbage_token_is_a_401_saying_it_is_malformed(self, client: TestClient) -> None:
        response = client.get("/api/v1/me", headers=bearer("garbage"))

        assert assert_problem(response, 401)["detail"] == "the bearer token is malformed"

    def test_a_well_formed_unknown_token_is_a_401_saying_it_is_not_valid(
        self, client: TestClient
    ) -> None:
        response = client.get("/api/v1/me", headers=bearer("acc_" + "A" * 43))

        assert assert_problem(response, 401)["detail"] == "the bearer token is not valid"

    def test_the_scheme_is_case_insensitive(self, client: TestClient, api_as: ApiAs) -> None:
        secret = api_as("msl")["Authorization"].removeprefix("Bearer ")

        response = client.get("/api/v1/me", headers={"Authorization": f"bearer {secret}"})

        assert response.status_code == 200


class TestListUsers:
    def test_admin_lists_all_ten_in_the_one_list_shape(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.get("/api/v1/users", headers=api_as("admin"))

        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        assert {u["username"] for u in body["items"]} == ALL_USERNAMES
        assert len(body["items"]) == 10
        assert body["next_cursor"] is None
        assert "password_hash" not in body["items"][0]

    def test_pages_of_three_follow_next_cursor_to_the_end_without_duplicates(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        admin = api_as("admin")
        seen: list[str] = []
        sizes: list[int] = []
        params: dict[str, str | int] = {"limit": 3}
        for _ in range(10):
            body = client.get("/api/v1/users", params=params, headers=admin).json()
            seen += [u["username"] for u in body["items"]]
            sizes.append(len(body["items"]))
            if body["next_cursor"] is None:
                break
            params = {"limit": 3, "cursor": body["next_cursor"]}

        assert sizes == [3, 3, 3, 1]
        assert len(seen) == len(set(seen))
        assert set(seen) == ALL_USERNAMES

    def test_a_bad_cursor_is_a_400_naming_cursor(self, client: TestClient, api_as: ApiAs) -> None:
        response = client.get(
            "/api/v1/users", params={"cursor": "not-ours"}, headers=api_as("admin")
        )

        body = assert_problem(response, 400)
        assert body["field"] == "cursor"
        assert "cursor" in body["detail"]

    def test_limit_zero_is_a_400_naming_limit(self, client: TestClient, api_as: ApiAs) -> None:
        response = client.get("/api/v1/users", params={"limit": 0}, headers=api_as("admin"))

        body = assert_problem(response, 400)
        assert body["field"] == "limit"
        assert "limit" in body["detail"]

    def test_a_limit_that_is_not_a_number_is_a_422_naming_limit(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.get("/api/v1/users", params={"limit": "ten"}, headers=api_as("admin"))

        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["limit"]

    def test_filter_by_function(self, client: TestClient, api_as: ApiAs) -> None:
        body = client.get(
            "/api/v1/users", params={"function": "commercial"}, headers=api_as("admin")
        ).json()

        assert {u["username"] for u in body["items"]} == {"salesmgr", "rep", "rep_west"}

    def test_msl_lists_only_themselves(self, client: TestClient, api_as: ApiAs) -> None:
        body = client.get("/api/v1/users", headers=api_as("msl")).json()

        assert [u["username"] for u in body["items"]] == ["msl"]

    def test_a_locked_user_is_shown_locked(
        self, client: TestClient, api_as: ApiAs, session: Session, new_user: NewUser
    ) -> None:
        user = new_user("nurse")
        user.locked_until = utcnow() + timedelta(minutes=5)
        session.flush()

        body = client.get("/api/v1/users", headers=api_as("admin")).json()

        locked = {u["username"]: u["locked"] for u in body["items"]}
        assert locked["nurse"] is True
        assert locked["msl"] is False


class TestCreateUser:
    def test_admin_creates_a_user(self, client: TestClient, api_as: ApiAs) -> None:
        admin = api_as("admin")

        response = client.post("/api/v1/users", json=new_user_body("nurse"), headers=admin)

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["username"] == "nurse"
        assert body["function"] == "medical"
        assert body["locked"] is False
        assert "password" not in body
        assert "password_hash" not in body
        listed = client.get("/api/v1/users", headers=admin).json()["items"]
        assert "nurse" in {u["username"] for u in listed}

    def test_rep_is_forbidden(self, client: TestClient, api_as: ApiAs) -> None:
        response = client.post("/api/v1/users", json=new_user_body("nurse"), headers=api_as("rep"))

        body = assert_problem(response, 403)
        assert body["detail"] == "only administrators manage users"

    def test_a_duplicate_username_is_a_409_naming_username(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.post("/api/v1/users", json=new_user_body("msl"), headers=api_as("admin"))

        assert assert_problem(response, 409)["field"] == "username"

    def test_an_unknown_territory_is_a_400_naming_territory(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json=new_user_body("nurse", territories=["US-XX"]),
            headers=api_as("admin"),
        )

        assert assert_problem(response, 400)["field"] == "territory"

    def test_a_wrong_field_type_is_a_422_naming_the_field(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json=new_user_body("nurse", territories="US-NE"),
            headers=api_as("admin"),
        )

        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["territories"]
        assert "territories" in body["detail"]

    def test_an_unknown_function_is_a_422_naming_function(
        self, client: TestClient, api_as: ApiAs
    ) -> None:
        response = client.post(
            "/api/v1/users",
            json=new_user_body("nurse", function="wizardry"),
            headers=api_as("admin"),
        )

        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["function"]

    def test_an_unknown_field_is_a_422_naming_it(self, client: TestClient, api_as: ApiAs) -> None:
        response = client.post(
            "/api/v1/users",
            json=new_user_body("nurse", is_superuser=True),
            headers=api_as("admin"),
        )

        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["is_superuser"]

    def test_a_body_that_is_not_json_is_a_422(self, client: TestClient, api_as: ApiAs) -> None:
        response = client.post(
            "/api/v1/users",
            content=b"username=nurse",
            headers={**api_as("admin"), "Content-Type": "application/json"},
        )

        assert_problem(response, 422)
