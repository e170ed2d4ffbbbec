"""Data change requests: the field proposes, a data steward decides, approval applies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.audit.models import AuditEntry
from accord.stakeholder.models import Address, Affiliation, Stakeholder
from tests.factories import make_hcp

Auth = Callable[[str], dict[str, str]]


@pytest.fixture
def boston(session: Session) -> Stakeholder:
    return make_hcp(session, "Dcrson")


def propose(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return client.post("/api/v1/change-requests", json=body, headers=headers)


def test_a_new_address_is_proposed_approved_and_applied_with_audit(
    client: TestClient, api_as: Auth, session: Session, boston: Stakeholder
) -> None:
    body = {
        "kind": "address",
        "stakeholder_id": boston.id,
        "payload": {
            "address": {"line1": "2 Harbor Way", "city": "Seattle", "state": "WA"},
            "primary": True,
        },
        "note": "moved to Seattle in October",
    }
    created = propose(client, api_as("rep"), body)
    assert created.status_code == 201, created.text
    request_id = created.json()["id"]
    assert session.get(Stakeholder, boston.id).city == "Boston"  # nothing changes yet
    mine = client.get("/api/v1/change-requests", headers=api_as("rep")).json()["items"]
    assert [r["id"] for r in mine] == [request_id]
    assert client.get("/api/v1/change-requests", headers=api_as("msl")).json()["items"] == []
    refused = client.post(
        f"/api/v1/change-requests/{request_id}/approve",
        json={"reason": "ok"},
        headers=api_as("rep"),
    )
    assert refused.status_code == 403
    approved = client.post(
        f"/api/v1/change-requests/{request_id}/approve",
        json={"reason": "confirmed with the practice"},
        headers=api_as("admin"),
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    session.expire_all()
    moved = session.get(Stakeholder, boston.id)
    assert (moved.city, moved.state) == ("Seattle", "WA")
    new = session.scalars(select(Address).where(Address.source == f"dcr:{request_id}")).one()
    assert new.is_primary
    reasons = set(session.scalars(select(AuditEntry.reason).where(AuditEntry.entity == "address")))
    assert f"change request {request_id} approved: confirmed with the practice" in reasons
    again = client.post(
        f"/api/v1/change-requests/{request_id}/reject",
        json={"reason": "x"},
        headers=api_as("admin"),
    )
    assert again.status_code == 422


def test_a_missing_stakeholder_and_an_affiliation(
    client: TestClient, api_as: Auth, session: Session, boston: Stakeholder
) -> None:
    body = {
        "kind": "new_stakeholder",
        "payload": {
            "type": "hospital",
            "organization_name": "Harborview Heart Institute",
            "address": {"line1": "1 Harbor", "city": "Boston", "state": "MA"},
        },
    }
    created = propose(client, api_as("msl"), body).json()
    approved = client.post(
        f"/api/v1/change-requests/{created['id']}/approve",
        json={"reason": "verified on the state registry"},
        headers=api_as("admin"),
    ).json()
    hospital_id = approved["stakeholder_id"]
    affiliation = propose(
        client,
        api_as("msl"),
        {
            "kind": "affiliation",
            "stakeholder_id": boston.id,
            "payload": {"organization_id": hospital_id, "role": "attending physician"},
        },
    ).json()
    client.post(
        f"/api/v1/change-requests/{affiliation['id']}/approve",
        json={"reason": "on the hospital's staff list"},
        headers=api_as("admin"),
    )
    link = session.scalars(select(Affiliation).where(Affiliation.stakeholder_id == boston.id)).one()
    assert (link.organization_id, link.role) == (hospital_id, "attending physician")


def test_a_rejection_keeps_the_master_and_records_the_reason(
    client: TestClient, api_as: Auth, session: Session, boston: Stakeholder
) -> None:
    created = propose(
        client,
        api_as("rep"),
        {"kind": "correction", "stakeholder_id": boston.id, "payload": {"last_name": "Wrong"}},
    ).json()
    rejected = client.post(
        f"/api/v1/change-requests/{created['id']}/reject",
        json={"reason": "the license says Dcrson"},
        headers=api_as("admin"),
    ).json()
    assert rejected["status"] == "rejected"
    assert rejected["decision_reason"] == "the license says Dcrson"
    assert session.get(Stakeholder, boston.id).last_name == "Dcrson"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "specialty", "payload": {"code": "207RC0000X"}}, "stakeholder_id"),
        ({"kind": "specialty", "stakeholder_id": 0, "payload": {"code": "short"}}, "payload.code"),
        ({"kind": "address", "stakeholder_id": 0, "payload": {"address": {"line1": "x"}}}, None),
    ],
)
def test_bad_proposals_name_the_field(
    client: TestClient, api_as: Auth, boston: Stakeholder, body: dict[str, Any], field: str | None
) -> None:
    if body.get("stakeholder_id") == 0:
        body = {**body, "stakeholder_id": boston.id}
    response = propose(client, api_as("msl"), body)
    assert response.status_code == 400
    if field:
        assert response.json()["field"] == field
    else:
        assert response.json()["field"].startswith("payload.address")


def test_out_of_territory_is_404(client: TestClient, api_as: Auth, boston: Stakeholder) -> None:
    response = propose(
        client,
        api_as("rep_west"),
        {"kind": "specialty", "stakeholder_id": boston.id, "payload": {"code": "207RC0000X"}},
    )
    assert response.status_code == 404


def test_the_stewards_page_decides_with_a_reason(
    web_as: Callable[[str], TestClient], api_as: Auth, client: TestClient, boston: Stakeholder
) -> None:
    created = propose(
        client,
        api_as("msl"),
        {"kind": "specialty", "stakeholder_id": boston.id, "payload": {"code": "207RC0000X"}},
    ).json()
    admin = web_as("admin")
    page = admin.get("/stewardship")
    assert page.status_code == 200
    assert f'data-change-request="{created["id"]}"' in page.text
    assert 'href="/stewardship"' in page.text
    done = admin.post(
        f"/stewardship/change-requests/{created['id']}/reject",
        data={"csrf_token": admin.csrf, "reason": "already recorded"},  # type: ignore[attr-defined]
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Nothing to decide" in admin.get("/stewardship").text
    assert web_as("rep").get("/stewardship").status_code == 403
