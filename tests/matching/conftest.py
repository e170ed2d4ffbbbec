"""Fixtures of the matching tests: a pending pair as the matcher leaves it."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from accord.matching.models import CandidateStatus, MatchCandidate
from tests.matching.test_merge import hcp


@pytest.fixture
def candidate(session: Session) -> MatchCandidate:
    """A pending pair as the matcher leaves it: Dr Okafor from NPPES and her second entry."""
    registry = hcp(session, npi="1234567893", source="nppes")
    manual = hcp(session, middle="Ngozi", credentials=None, line1="55 Fruit Street")
    c = MatchCandidate(
        stakeholder_id=registry.id,
        other_id=manual.id,
        probability=0.97,
        weight=5.0,
        fields={"last_name": {"level": "exact", "weight": 11.2}},
        status=CandidateStatus.pending,
    )
    session.add(c)
    session.flush()
    return c
