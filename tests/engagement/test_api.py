"""The engagement API: the contract shapes, the rules as problem+json naming the field, the
CSV export through the firewall, and corrections to the master record."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.factories import days_ago

Auth = Callable[[str], dict[str, str]]

HCP = {
    "type": "hcp",
    "first_name": "Ines",
    "last_name": "Okonkwo",
    "credentials": "DO",
    "specialty": "207RR0500X",
    "npi": "1234567893",
    "address": {
        "line1": "55 Fruit St",
        "city": "Boston",
        "state": "MA",
        "postal_code": "02114",
        "email": "iokonkwo@example.org",
    },
}


@pytest.fixture
def sid(client: TestClient, api_as: Auth) -> int:
    created = client.post("/api/v1/stakeholders", json=HCP, headers=api_as("msl"))
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def post(client: TestClient, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(url, json=body, headers=headers)


class TestWrites:
    def test_an_interaction_round_trips(self, client: TestClient, api_as: Auth, sid: int) -> None:
        body = {
            "channel": "remote_meeting",
            "occurred_at": days_ago(1).isoformat(),
            "outcome": "positive",
            "products": ["LPT"],
            "topics": ["lipid targets"],
            "notes": "Discussed the new guideline.",
        }
        response = post(client, f"/api/v1/stakeholders/{sid}/interactions", body, api_as("msl"))
        assert response.status_code == 201, response.text
        got = response.json()
        assert got["category"] == "activities_medical"
        assert got["purpose"] == "scientific"
        assert got["products"] == ["LPT"]
        timeline = client.get(f"/api/v1/stakeholders/{sid}/timeline", headers=api_as("msl"))
        assert timeline.json()["items"][0]["notes"] == "Discussed the new guideline."

    def test_withdrawn_email_consent_refuses_an_email_naming_the_field(
        self, client: TestClient, api_as: Auth, sid: int
    ) -> None:
        consent = {
            "channel": "email",
            "purpose": "promotional",
            "status": "withdrawn",
            "source": "reply to email",
            "proof": "Please stop emailing me.",
        }
        assert (
            post(client, f"/api/v1/stakeholders/{sid}/consents", consent, api_as("rep")).status_code
            == 201
        )
        email = {"channel": "approved_email", "occurred_at": days_ago(0).isoformat()}
        response = post(client, f"/api/v1/stakeholders/{sid}/interactions", email, api_as("rep"))
        assert response.status_code == 422
        problem = response.json()
        assert problem["field"] == "channel"
        assert "withdrew email consent" in problem["detail"]

    def test_a_naive_datetime_is_refused(self, client: TestClient, api_as: Auth, sid: int) -> None:
        body = {"channel": "phone", "occurred_at": "2026-11-01T10:00:00"}
        response = post(client, f"/api/v1/stakeholders/{sid}/interactions", body, api_as("msl"))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "occurred_at"

    def test_a_mir_is_received_by_a_rep_and_answered_by_medical_only(
        self, client: TestClient, api_as: Auth, sid: int
    ) -> None:
        body = {"kind": "mir", "question": "Renal dosing?", "product": "LPT", "off_label": True}
        created = post(client, f"/api/v1/stakeholders/{sid}/requests", body, api_as("rep"))
        assert created.status_code == 201, created.text
        receipt = created.json()
        assert receipt["handled_by"] == "medical"
        assert "question" not in receipt
        url = f"/api/v1/requests/{receipt['id']}"
        refused = client.patch(url, json={"answer": "Yes"}, headers=api_as("rep"))
        assert refused.status_code == 403
        answered = client.patch(url, json={"answer": "Per label §2.3"}, headers=api_as("msl"))
        assert answered.status_code == 200
        assert answered.json()["status"] == "answered"
        assert (
            client.patch(url, json={"answer": "x"}, headers=api_as("rep_west")).status_code == 404
        )

    def test_an_insight_engagement_status_and_a_preference(
        self, client: TestClient, api_as: Auth, sid: int
    ) -> None:
        headers = api_as("msl")
        insight = {"text": "Sees value in earlier treatment", "topics": ["treatment timing"]}
        assert (
            post(client, f"/api/v1/stakeholders/{sid}/insights", insight, headers).status_code
            == 201
        )
        status = client.put(
            f"/api/v1/stakeholders/{sid}/engagement",
            json={"status": "collaborating", "reason": "advisory board member"},
            headers=headers,
        )
        assert status.status_code == 200
        preference = {"channel": "email", "preference": "preferred", "source": "told the MSL"}
        assert (
            post(
                client, f"/api/v1/stakeholders/{sid}/channel-preferences", preference, headers
            ).status_code
            == 201
        )
        view = client.get(f"/api/v1/stakeholders/{sid}", headers=headers).json()
        assert view["sections"]["insights"]["count"] == 1
        assert view["sections"]["engagement_status"]["overall"] == "collaborating"
        assert view["sections"]["channel_preferences"]["stated"][0]["channel"] == "email"

    def test_finance_may_not_write_engagement(
        self, client: TestClient, api_as: Auth, sid: int
    ) -> None:
        body = {"text": "x"}
        assert (
            post(
                client, f"/api/v1/stakeholders/{sid}/insights", body, api_as("finance")
            ).status_code
            == 403
        )


class TestUpdateStakeholder:
    def test_a_correction_is_audited_with_its_reason(
        self, client: TestClient, api_as: Auth, sid: int
    ) -> None:
        response = client.patch(
            f"/api/v1/stakeholders/{sid}",
            json={"credentials": "MD", "tier": "regional", "reason": "license lookup"},
            headers=api_as("msl"),
        )
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Ines Okonkwo, MD"
        audit = client.get(
            "/api/v1/audit", params={"entity": "stakeholder"}, headers=api_as("compliance")
        ).json()["items"]
        changed = {(e["field"], e["reason"]) for e in audit if e["entity_id"] == str(sid)}
        assert ("credentials", "license lookup") in changed

    def test_an_organization_name_on_a_person_is_refused(
        self, client: TestClient, api_as: Auth, sid: int
    ) -> None:
        response = client.patch(
            f"/api/v1/stakeholders/{sid}",
            json={"organization_name": "X", "reason": "x"},
            headers=api_as("msl"),
        )
        assert response.status_code == 400
        assert response.json()["field"] == "organization_name"


class TestExport:
    def rows(
        self, client: TestClient, headers: dict[str, str], **params: str
    ) -> list[dict[str, str]]:
        response = client.get("/api/v1/stakeholders/export", params=params, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(response.text)))

    def test_the_export_holds_what_the_firewall_allows(
        self, client: TestClient, api_as: Auth, sid: int
    ) -> None:
        msl = self.rows(client, api_as("msl"), q="okonkwo")
        assert [r["npi"] for r in msl] == ["1234567893"]
        assert msl[0]["email"] == "iokonkwo@example.org"
        finance = self.rows(client, api_as("finance"), q="okonkwo")
        assert set(finance[0]) == {"id", "name", "type", "credentials", "specialty", "tier", "npi"}
        assert self.rows(client, api_as("rep_west"), q="okonkwo") == []

    def test_only_csv(self, client: TestClient, api_as: Auth) -> None:
        response = client.get("/api/v1/stakeholders/export?format=xlsx", headers=api_as("msl"))
        assert response.status_code == 400
        assert response.json()["field"] == "format"


def test_search_finds_a_stakeholder_by_npi_within_territory(
    client: TestClient, api_as: Auth, sid: int
) -> None:
    found = client.get("/api/v1/stakeholders", params={"q": "1234567893"}, headers=api_as("rep"))
    assert [i["id"] for i in found.json()["items"]] == [sid]
    elsewhere = client.get(
        "/api/v1/stakeholders", params={"q": "1234567893"}, headers=api_as("rep_west")
    )
    assert elsewhere.json()["items"] == []
