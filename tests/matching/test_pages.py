"""The "Possible duplicates" card on the stewardship page and its HTMX decisions."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.matching.models import CandidateStatus, MatchCandidate, StakeholderMerge
from accord.stakeholder.models import Stakeholder, StakeholderStatus

Web = Callable[[str], TestClient]


class TestStewardshipPage:
    def test_the_pair_is_shown_side_by_side_with_what_agrees(
        self, web_as: Web, candidate: MatchCandidate
    ) -> None:
        page = web_as("admin").get("/stewardship")
        assert page.status_code == 200
        assert "Possible duplicates" in page.text
        assert f'data-match-candidate="{candidate.id}"' in page.text
        assert "1234567893" in page.text  # the registry record's NPI beside the other side's —
        assert "last name: exact" in page.text
        assert "97.0%" in page.text

    def test_merge_with_htmx_answers_the_refreshed_card(
        self, web_as: Web, session: Session, candidate: MatchCandidate
    ) -> None:
        admin = web_as("admin")
        response = admin.post(
            f"/stewardship/duplicates/{candidate.id}/merge",
            data={"csrf_token": admin.csrf, "reason": "same doctor"},  # type: ignore[attr-defined]
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, response.text
        assert response.text.lstrip().startswith('<div id="duplicates"')
        assert f"Merged stakeholder {candidate.other_id} into {candidate.stakeholder_id}" in (
            response.text
        )
        assert "Undo merge" in response.text
        session.expire_all()
        merged = session.get_one(Stakeholder, candidate.other_id)
        assert merged.status == StakeholderStatus.merged

    def test_not_a_duplicate_without_htmx_redirects_to_the_page(
        self, web_as: Web, session: Session, candidate: MatchCandidate
    ) -> None:
        admin = web_as("admin")
        response = admin.post(
            f"/stewardship/duplicates/{candidate.id}/reject",
            data={"csrf_token": admin.csrf, "reason": "two people"},  # type: ignore[attr-defined]
            follow_redirects=False,
        )
        assert response.status_code == 303
        session.expire_all()
        assert session.get_one(MatchCandidate, candidate.id).status == CandidateStatus.rejected

    def test_undo_from_the_page(
        self, web_as: Web, session: Session, candidate: MatchCandidate
    ) -> None:
        admin = web_as("admin")
        admin.post(
            f"/stewardship/duplicates/{candidate.id}/merge",
            data={"csrf_token": admin.csrf, "reason": "same doctor"},  # type: ignore[attr-defined]
            headers={"HX-Request": "true"},
        )
        merge = session.scalars(select(StakeholderMerge)).one()
        response = admin.post(
            f"/stewardship/merges/{merge.id}/undo",
            data={"csrf_token": admin.csrf, "reason": "twins"},  # type: ignore[attr-defined]
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200, response.text
        assert "are apart again" in response.text
        session.expire_all()
        assert session.get_one(Stakeholder, candidate.other_id).status == StakeholderStatus.active

    def test_a_reason_is_required(self, web_as: Web, candidate: MatchCandidate) -> None:
        admin = web_as("admin")
        response = admin.post(
            f"/stewardship/duplicates/{candidate.id}/merge",
            data={"csrf_token": admin.csrf, "reason": " "},  # type: ignore[attr-defined]
        )
        assert response.status_code == 400
        assert "say why" in response.text
