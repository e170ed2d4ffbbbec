"""GET /api/v1/audit and the audit page: compliance only, with filters and the list shape."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient


class TestAuditApi:
    def test_compliance_reads_pages_in_the_one_list_shape(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        headers = api_as("compliance")
        first = client.get("/api/v1/audit?limit=3", headers=headers)
        assert first.status_code == 200
        body = first.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) == 3
        second = client.get(
            f"/api/v1/audit?limit=3&cursor={body['next_cursor']}", headers=headers
        ).json()
        assert {e["seq"] for e in second["items"]}.isdisjoint({e["seq"] for e in body["items"]})
        assert max(e["seq"] for e in second["items"]) < min(e["seq"] for e in body["items"])

    def test_filters_by_entity_actor_and_time(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        headers = api_as("compliance")
        body = client.get(
            "/api/v1/audit",
            params={
                "entity": "user",
                "actor": "system",
                "since": "2000-01-01T00:00:00Z",
                "limit": 500,
            },
            headers=headers,
        ).json()
        assert body["items"]
        assert {(e["entity"], e["actor"]) for e in body["items"]} == {("user", "system")}
        future = client.get(
            "/api/v1/audit", params={"since": "2999-01-01T00:00:00"}, headers=headers
        ).json()
        assert future["items"] == []

    def test_the_sign_in_token_is_itself_audited(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        headers = api_as("compliance")
        body = client.get(
            "/api/v1/audit", params={"entity": "api_token", "limit": 50}, headers=headers
        ).json()
        assert any(e["reason"] == "access token issued" for e in body["items"])
        assert all(e["new_value"] != e["old_value"] for e in body["items"])
        secret = headers["Authorization"].removeprefix("Bearer ")
        assert not any(secret in (e["new_value"] or "") for e in body["items"])
        assert any(
            e["field"] == "token_hash" and e["new_value"] == '"[redacted]"' for e in body["items"]
        )

    @pytest.mark.parametrize("username", ["admin", "rep", "msl", "finance"])
    def test_other_functions_get_403_with_the_reason(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]], username: str
    ) -> None:
        response = client.get("/api/v1/audit", headers=api_as(username))
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "only compliance" in response.json()["detail"]

    def test_a_bad_time_names_the_field(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        response = client.get(
            "/api/v1/audit", params={"since": "yesterday"}, headers=api_as("compliance")
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "since"

    def test_verification_is_accepted_and_completes(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        headers = api_as("compliance")
        queued = client.post("/api/v1/audit/verifications", headers=headers)
        assert queued.status_code == 202
        result = client.get(f"/api/v1/audit/verifications/{queued.json()['id']}", headers=headers)
        assert result.json()["status"] == "done"
        assert result.json()["intact"] is True


class TestAuditPage:
    def test_compliance_sees_the_trail(self, web_as: Callable[[str], TestClient]) -> None:
        page = web_as("compliance").get("/audit")
        assert page.status_code == 200
        assert "Audit trail" in page.text

    def test_others_get_a_friendly_403(self, web_as: Callable[[str], TestClient]) -> None:
        page = web_as("rep").get("/audit", headers={"accept": "text/html"})
        assert page.status_code == 403
        assert "text/html" in page.headers["content-type"]
        assert "only compliance" in page.text

    def test_verify_button_needs_the_csrf_token(self, web_as: Callable[[str], TestClient]) -> None:
        web = web_as("compliance")
        refused = web.post("/audit/verify", headers={"accept": "text/html"}, follow_redirects=False)
        assert refused.status_code == 403
        accepted = web.post(
            "/audit/verify",
            data={"csrf_token": web.csrf},
            follow_redirects=False,  # type: ignore[attr-defined]
        )
        assert accepted.status_code == 303
