"""The firewall policy pages: GET /policy, GET /policy/edit and POST /policy."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from markupsafe import escape

from accord.access.firewall import CATEGORIES, FUNCTIONS, Policy, default_policy
from accord.policy.pages import document_from_form

Web = Callable[[str], TestClient]
Auth = Callable[[str], dict[str, str]]
HTML = {"Accept": "text/html,application/xhtml+xml"}


def form_for(policy: Policy) -> dict[str, str]:
    """The form the edit page sends unchanged: one value per cell, per stage where it varies."""
    data: dict[str, str] = {}
    for category, rule in policy.to_document()["rules"].items():
        for function, level in rule["levels"].items():
            name = f"cell.{category}.{function}"
            if isinstance(level, dict):
                for stage, value in level.items():
                    data[f"{name}.{stage}"] = value
            else:
                data[name] = level
    return data


def selected(html: str, name: str) -> str:
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    option = re.search(r'<option value="(\w+)" selected>', select.group(1))
    assert option, f"nothing selected in {name}"
    return option.group(1)


class TestPolicyPage:
    def test_compliance_sees_the_matrix_with_reasons(self, web_as: Web) -> None:
        response = web_as("compliance").get("/policy")
        assert response.status_code == 200
        html = response.text
        assert "requests_content" in html
        assert escape(default_policy().why["requests_content"]) in html
        assert "Version 1 is in force" in html
        assert "Shipped with Accord" in html
        assert 'href="/policy/edit"' in html
        # a stage-dependent cell shows its stages: commercial sees medical activity from launch
        assert "Dev\N{EN DASH}Pre-launch" in html
        assert "Launch+" in html

    def test_other_functions_get_a_friendly_403(self, web_as: Web) -> None:
        for username in ("rep", "admin"):
            client = web_as(username)
            for path in ("/policy", "/policy/edit"):
                response = client.get(path, headers=HTML)
                assert response.status_code == 403, (username, path)
                assert response.headers["content-type"].startswith("text/html")
                assert "compliance" in response.text

    def test_nav_shows_policy_only_to_compliance(self, web_as: Web) -> None:
        assert 'href="/policy"' in web_as("compliance").get("/").text
        for username in ("rep", "admin"):
            assert 'href="/policy"' not in web_as(username).get("/").text


class TestEditPage:
    def test_the_form_has_a_select_per_cell_and_per_stage(self, web_as: Web) -> None:
        html = web_as("compliance").get("/policy/edit").text
        assert "Why does the policy change?" in html
        assert "Publish new version" in html
        assert selected(html, "cell.requests_content.commercial") == "none"
        assert selected(html, "cell.activities_medical.commercial.pre_launch") == "none"
        assert selected(html, "cell.activities_medical.commercial.growth") == "summary"
        assert 'name="cell.activities_medical.commercial"' not in html
        names = re.findall(r'<select[^>]*name="([^"]+)"', html)
        assert sorted(names) == sorted(form_for(default_policy()))

    def test_the_unchanged_form_is_the_policy_in_force(self) -> None:
        policy = default_policy()
        document = document_from_form(policy, form_for(policy))
        assert document == policy.to_document()


class TestPublish:
    def test_without_csrf_is_refused(self, web_as: Web, client: TestClient, api_as: Auth) -> None:
        data = form_for(default_policy()) | {"reason": "medical has no need"}
        response = web_as("compliance").post("/policy", data=data, follow_redirects=False)
        assert response.status_code == 403
        assert client.get("/api/v1/policy", headers=api_as("compliance")).json()["version"] == 1

    def test_changing_one_cell_publishes_version_2(
        self, web_as: Web, client: TestClient, api_as: Auth
    ) -> None:
        web = web_as("compliance")
        data = form_for(default_policy())
        data["cell.payments.medical"] = "none"
        data["reason"] = "Medical has no need for payment totals"
        data["csrf_token"] = web.csrf  # type: ignore[attr-defined]
        response = web.post("/policy", data=data, follow_redirects=False)
        assert response.status_code == 303, response.text
        assert response.headers["location"] == "/policy"

        body = client.get("/api/v1/policy", headers=api_as("compliance")).json()
        assert body["version"] == 2
        assert body["reason"] == "Medical has no need for payment totals"
        assert body["rules"]["payments"]["levels"]["medical"] == "none"
        # the rest is unchanged, stage tables included
        assert body["rules"]["activities_medical"]["levels"]["commercial"]["pre_launch"] == "none"
        assert body["rules"]["activities_medical"]["levels"]["commercial"]["launch"] == "summary"

        page = web.get("/policy").text
        assert "Policy version 2 is in force." in page
        assert "Medical has no need for payment totals" in page
        assert "Version 2 is in force" in page

    def test_a_stage_can_be_changed(self, web_as: Web, client: TestClient, api_as: Auth) -> None:
        web = web_as("compliance")
        data = form_for(default_policy())
        data["cell.insights.market_access.pre_launch"] = "none"
        data |= {"reason": "payers hear insights from launch", "csrf_token": web.csrf}  # type: ignore[attr-defined]
        assert web.post("/policy", data=data, follow_redirects=False).status_code == 303
        levels = client.get("/api/v1/policy", headers=api_as("compliance")).json()["rules"]
        assert levels["insights"]["levels"]["market_access"]["pre_launch"] == "none"
        assert levels["insights"]["levels"]["market_access"]["launch"] == "summary"

    def test_without_reason_is_400_and_nothing_changes(
        self, web_as: Web, client: TestClient, api_as: Auth
    ) -> None:
        web = web_as("compliance")
        data = form_for(default_policy())
        data["cell.payments.medical"] = "none"
        data["csrf_token"] = web.csrf  # type: ignore[attr-defined]
        response = web.post("/policy", data=data, follow_redirects=False)
        assert response.status_code == 400
        html = response.text
        assert "Say why the policy changes" in html
        assert 'id="f-reason-error"' in html
        # what the user chose is kept
        assert selected(html, "cell.payments.medical") == "none"
        assert client.get("/api/v1/policy", headers=api_as("compliance")).json()["version"] == 1

    def test_a_bad_cell_is_shown_beside_it(
        self, web_as: Web, client: TestClient, api_as: Auth
    ) -> None:
        web = web_as("compliance")
        data = form_for(default_policy())
        data["cell.identity.finance"] = "summary"
        data |= {"reason": "try to hide identity", "csrf_token": web.csrf}  # type: ignore[attr-defined]
        response = web.post("/policy", data=data, follow_redirects=False)
        assert response.status_code == 400
        assert 'id="f-cell.identity.finance-error"' in response.text
        assert "Identity is always full" in response.text
        assert client.get("/api/v1/policy", headers=api_as("compliance")).json()["version"] == 1

    def test_others_cannot_publish(self, web_as: Web) -> None:
        web = web_as("rep")
        data = form_for(default_policy()) | {"reason": "let reps see everything"}
        data["csrf_token"] = web.csrf  # type: ignore[attr-defined]
        assert web.post("/policy", data=data, follow_redirects=False).status_code == 403


def test_every_cell_is_covered() -> None:
    assert len(form_for(default_policy())) >= len(CATEGORIES) * len(FUNCTIONS)
