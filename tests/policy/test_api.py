"""GET/PUT /api/v1/policy."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Auth = Callable[[str], dict[str, str]]


class TestPolicyApi:
    def test_compliance_reads_the_default(self, client: TestClient, api_as: Auth) -> None:
        body = client.get("/api/v1/policy", headers=api_as("compliance")).json()
        assert body["version"] == 1
        assert body["rules"]["requests_content"]["levels"]["commercial"] == "none"
        assert body["rules"]["activities_medical"]["levels"]["commercial"]["pre_launch"] == "none"
        assert "21 CFR 312.7" in body["rules"]["activities_medical"]["why"]

    def test_put_creates_a_new_version(self, client: TestClient, api_as: Auth) -> None:
        headers = api_as("compliance")
        rules = client.get("/api/v1/policy", headers=headers).json()["rules"]
        rules["payments"]["levels"]["medical"] = "none"
        response = client.put(
            "/api/v1/policy",
            json={"rules": rules, "reason": "medical has no need"},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["version"] == 2
        again = client.get("/api/v1/policy", headers=headers).json()
        assert again["rules"]["payments"]["levels"]["medical"] == "none"
        assert again["reason"] == "medical has no need"
        assert again["created_by"] == "compliance"

    def test_a_bad_cell_is_a_problem_naming_it(self, client: TestClient, api_as: Auth) -> None:
        headers = api_as("compliance")
        rules = client.get("/api/v1/policy", headers=headers).json()["rules"]
        rules["insights"]["levels"]["commercial"] = "everything"
        response = client.put(
            "/api/v1/policy", json={"rules": rules, "reason": "try it"}, headers=headers
        )
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["field"] == "rules.insights.commercial"

    def test_a_missing_reason_is_422_naming_it(self, client: TestClient, api_as: Auth) -> None:
        response = client.put("/api/v1/policy", json={"rules": {}}, headers=api_as("compliance"))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "reason"

    def test_other_functions_are_refused(self, client: TestClient, api_as: Auth) -> None:
        for username in ("rep", "admin"):
            assert client.get("/api/v1/policy", headers=api_as(username)).status_code == 403
