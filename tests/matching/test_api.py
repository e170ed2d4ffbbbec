"""The stewards' queue over HTTP: list, merge, reject, undo; who may, and what the others see."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.matching.models import MatchCandidate
from accord.stakeholder.models import Stakeholder
from tests.factories import make_hcp
from tests.matching.test_merge import hcp

Auth = Callable[[str], dict[str, str]]


class TestQueue:
    def test_a_steward_lists_the_pairs_side_by_side(
        self, client: TestClient, api_as: Auth, candidate: MatchCandidate
    ) -> None:
        response = client.get("/api/v1/match-candidates", headers=api_as("admin"))
        assert response.status_code == 200, response.text
        (item,) = response.json()["items"]
        assert item["id"] == candidate.id
        assert item["probability"] == 0.97
        assert [s["npi"] for s in item["stakeholders"]] == ["1234567893", None]
        assert item["fields"]["last_name"]["level"] == "exact"

    def test_the_field_cannot_read_the_queue(
        self, client: TestClient, api_as: Auth, candidate: MatchCandidate
    ) -> None:
        for who in ("msl", "rep", "compliance"):
            response = client.get("/api/v1/match-candidates", headers=api_as(who))
            assert response.status_code == 403, who


class TestDecide:
    def test_merge_then_undo_over_http(
        self, client: TestClient, api_as: Auth, session: Session, candidate: MatchCandidate
    ) -> None:
        admin = api_as("admin")
        merged = client.post(
            f"/api/v1/match-candidates/{candidate.id}/merge",
            json={"reason": "same doctor, second entry from an event"},
            headers=admin,
        )
        assert merged.status_code == 200, merged.text
        body = merged.json()
        assert body["survivor_id"] == candidate.stakeholder_id  # the NPPES record wins
        assert body["overwritten"]["middle_name"]["new"] == '"Ngozi"'
        gone = client.get(f"/api/v1/stakeholders/{candidate.other_id}", headers=admin)
        assert gone.status_code == 404
        assert gone.json()["merged_into"] == candidate.stakeholder_id
        again = client.post(
            f"/api/v1/match-candidates/{candidate.id}/merge", json={"reason": "x"}, headers=admin
        )
        assert again.status_code == 409
        undone = client.post(
            f"/api/v1/merges/{body['id']}/undo",
            json={"reason": "mother and daughter"},
            headers=admin,
        )
        assert undone.status_code == 200, undone.text
        assert undone.json()["undone_by"] == "admin"
        back = client.get(f"/api/v1/stakeholders/{candidate.other_id}", headers=admin)
        assert back.status_code == 200

    def test_reject_needs_a_reason(
        self, client: TestClient, api_as: Auth, candidate: MatchCandidate
    ) -> None:
        url = f"/api/v1/match-candidates/{candidate.id}/reject"
        missing = client.post(url, json={"reason": ""}, headers=api_as("admin"))
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "reason"
        done = client.post(url, json={"reason": "father and son"}, headers=api_as("admin"))
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "rejected"

    def test_a_rep_cannot_merge(
        self, client: TestClient, api_as: Auth, candidate: MatchCandidate
    ) -> None:
        response = client.post(
            f"/api/v1/match-candidates/{candidate.id}/merge",
            json={"reason": "looks the same"},
            headers=api_as("rep"),
        )
        assert response.status_code == 403

    def test_different_npis_answer_422_naming_the_rule(
        self, client: TestClient, api_as: Auth, session: Session
    ) -> None:
        a = hcp(session, npi="1234567893", source="nppes")
        b = hcp(session, npi="1245319599", source="nppes")
        response = client.post(
            "/api/v1/merges",
            json={"survivor_id": a.id, "merged_id": b.id, "reason": "same name"},
            headers=api_as("admin"),
        )
        assert response.status_code == 422
        assert "different NPIs" in response.json()["detail"]
        assert session.get_one(Stakeholder, b.id).merged_into_id is None

    def test_a_merged_record_outside_the_territory_is_a_plain_404(
        self, client: TestClient, api_as: Auth, session: Session
    ) -> None:
        west = make_hcp(session, "Yamada", city="Seattle", state="WA")
        twin = make_hcp(session, "Yamada", city="Seattle", state="WA")
        merged = client.post(
            "/api/v1/merges",
            json={"survivor_id": west.id, "merged_id": twin.id, "reason": "duplicate"},
            headers=api_as("admin"),
        )
        assert merged.status_code == 201, merged.text
        rep = client.get(f"/api/v1/stakeholders/{twin.id}", headers=api_as("rep"))
        assert rep.status_code == 404
        assert "merged_into" not in rep.json()
        rep_west = client.get(f"/api/v1/stakeholders/{twin.id}", headers=api_as("rep_west"))
        assert rep_west.json()["merged_into"] == west.id
