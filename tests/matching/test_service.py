"""run_matching over the master and the stewards' queue: deterministic rules first, then the
model; sure pairs merged, likely pairs queued, decisions never undone by a later run."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.audit import trail
from accord.audit.models import AuditAction
from accord.db.base import utcnow
from accord.errors import Conflict, Forbidden
from accord.matching import service as matching_service
from accord.matching.models import CandidateStatus, MatchCandidate, StakeholderMerge
from accord.matching.service_merge import undo_merge
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import (
    Address,
    AddressKind,
    Stakeholder,
    StakeholderKind,
    StakeholderStatus,
    StakeholderType,
)
from accord.stakeholder.schemas import AddressIn, StakeholderCreate

Persona = Callable[[str], Principal]

#: first names and surnames combined into a population whose names repeat, as real ones do
FIRST = ("Ann", "Bo", "Carla", "Dev", "Edith", "Femi", "Gus", "Hana", "Ines", "Jon")
LAST = (
    "Abara", "Brandt", "Castell", "Duarte", "Eklund", "Fagan", "Gorski", "Haddad", "Ivers",
    "Jansen", "Kaur", "Lindt", "Moreau", "Nilsen", "Oduya", "Petrov", "Quist", "Rahman",
    "Sousa", "Tanaka", "Ueda", "Varga", "Weiss", "Xu", "Yilmaz", "Zeller", "Amado", "Berger",
    "Chopra", "Dubois",
)  # fmt: skip
CITIES = (("Boston", "021"), ("Worcester", "016"), ("Springfield", "011"), ("Lowell", "018"))


def person(
    session: Session,
    first: str,
    last: str,
    *,
    middle: str | None = None,
    npi: str | None = None,
    line1: str = "10 Elm St",
    postal_code: str | None = "02114",
    city: str = "Boston",
    credentials: str | None = "MD",
    source: str = "manual",
) -> Stakeholder:
    return stakeholder_service.create_stakeholder(
        session,
        None,
        StakeholderCreate(
            type="hcp",  # type: ignore[arg-type]
            first_name=first,
            middle_name=middle,
            last_name=last,
            credentials=credentials,
            sex="F",
            npi=npi,
            source=source,
            specialty="207RC0000X",
            address=AddressIn(line1=line1, city=city, state="MA", postal_code=postal_code),
        ),
    )


@pytest.fixture
def population(session: Session) -> list[int]:
    """Three hundred distinct HCPs across Massachusetts, none a duplicate of another, written
    as the demo generator writes: in bulk, with one audit entry saying so."""
    rows = []
    for n, (first, last) in enumerate((f, s) for f in FIRST for s in LAST):
        city, _ = CITIES[n % len(CITIES)]
        rows.append(
            {
                "kind": StakeholderKind.person,
                "type": StakeholderType.hcp,
                "name": f"{first} {last}, MD",
                "sort_name": f"{last} {first}".lower(),
                "first_name": first,
                "last_name": last,
                "credentials": "MD",
                "sex": "F" if n % 2 else "M",
                "primary_specialty_code": "207RC0000X",
                "state": "MA",
                "city": city,
                "status": StakeholderStatus.active,
            }
        )
    bulk = {trail.AUDITED_BULK: True}
    ids = list(
        session.scalars(
            insert(Stakeholder).returning(Stakeholder.id, sort_by_parameter_order=True),
            rows,
            execution_options=bulk,
        )
    )
    addresses = []
    for n, stakeholder_id in enumerate(ids):
        city, zip3 = CITIES[n % len(CITIES)]
        addresses.append(
            {
                "stakeholder_id": stakeholder_id,
                "kind": AddressKind.practice,
                "is_primary": True,
                "line1": f"{10 + n} Main St",
                "city": city,
                "state": "MA",
                "postal_code": f"{zip3}{n // 4:02d}",
                "source": "test population",
            }
        )
    session.execute(insert(Address), addresses, execution_options=bulk)
    trail.append_entries(
        session,
        [
            {
                "occurred_at": utcnow(),
                "actor_id": None,
                "actor": "test",
                "action": AuditAction.create,
                "entity": "stakeholder",
                "entity_id": "*",
                "field": None,
                "old_value": None,
                "new_value": str(len(ids)),
                "reason": "test population",
                "request_id": None,
            }
        ],
    )
    return ids


class TestRunMatching:
    def test_a_sure_duplicate_is_merged_and_a_likely_one_queued(
        self, session: Session, persona: Persona, population: list[int]
    ) -> None:
        registry = person(
            session, "Ngozi", "Okonkwo", middle="Ada", npi="1234567893", line1="55 Fruit St"
        )
        keyed_again = person(session, "Ngozi", "Okonkwo", middle="Ada", line1="55 Fruit Street")
        registry2 = person(
            session,
            "Tobias",
            "Wexler",
            middle="J",
            npi="1245319599",
            line1="9 Pond Rd",
            postal_code="01060",
            city="Northampton",
        )
        # an initial, another street and ZIP in his town, DO for MD: probably, not surely, him
        typed = person(
            session,
            "T.",
            "Wexler",
            line1="200 Elm St",
            postal_code="01062",
            city="Northampton",
            credentials="DO",
        )
        report = matching_service.run_matching(session, persona("admin"))
        assert [(a, b) for a, b, _ in report.auto_merged] == [(registry.id, keyed_again.id)]
        assert [(a, b) for a, b, _ in report.queued] == [(registry2.id, typed.id)]
        assert session.get_one(Stakeholder, keyed_again.id).status == StakeholderStatus.merged
        queued = matching_service.list_candidates(session, persona("admin"))
        assert [v.candidate.other_id for v in queued] == [typed.id]
        assert queued[0].left.npi == "1245319599"
        fields = queued[0].candidate.fields
        assert fields["first_name"]["level"] == "initial or prefix"
        assert fields["credentials"]["level"] == "other"
        assert 0.5 <= queued[0].candidate.probability < 0.999

    def test_two_records_with_different_npis_are_never_paired(
        self, session: Session, persona: Persona, population: list[int]
    ) -> None:
        person(session, "Ngozi", "Okonkwo", middle="Ada", npi="1234567893")
        person(session, "Ngozi", "Okonkwo", middle="Ada", npi="1245319599")
        report = matching_service.run_matching(session, persona("admin"))
        assert report.auto_merged == []
        assert report.queued == []
        assert report.identifier_conflicts == 1

    def test_a_dry_run_writes_nothing(
        self, session: Session, persona: Persona, population: list[int]
    ) -> None:
        person(session, "Ngozi", "Okonkwo", middle="Ada", npi="1234567893")
        twin = person(session, "Ngozi", "Okonkwo", middle="Ada")
        report = matching_service.run_matching(session, persona("admin"), dry_run=True)
        assert len(report.auto_merged) == 1
        assert session.get_one(Stakeholder, twin.id).status == StakeholderStatus.active
        assert session.scalars(select(MatchCandidate)).all() == []

    def test_a_second_run_changes_nothing(
        self, session: Session, persona: Persona, population: list[int]
    ) -> None:
        person(session, "Ngozi", "Okonkwo", middle="Ada", npi="1234567893")
        person(session, "Ngozi", "Okonkwo", middle="Ada")
        matching_service.run_matching(session, persona("admin"))
        again = matching_service.run_matching(session, persona("admin"))
        assert again.auto_merged == []
        assert again.queued == []

    def test_an_undone_merge_is_never_merged_again_automatically(
        self, session: Session, persona: Persona, population: list[int]
    ) -> None:
        person(session, "Ngozi", "Okonkwo", middle="Ada", npi="1234567893")
        person(session, "Ngozi", "Okonkwo", middle="Ada")
        admin = persona("admin")
        matching_service.run_matching(session, admin)
        merge = session.scalars(select(StakeholderMerge)).one()
        undo_merge(session, admin, merge_id=merge.id, reason="twins, confirmed by phone")
        again = matching_service.run_matching(session, admin)
        assert again.auto_merged == []
        assert again.already_known == 1
        candidate = session.get_one(MatchCandidate, merge.candidate_id)
        assert candidate.status == CandidateStatus.pending  # back to the stewards

    def test_only_data_stewards_run_the_matcher(self, session: Session, persona: Persona) -> None:
        with pytest.raises(Forbidden):
            matching_service.run_matching(session, persona("compliance"))


class TestDecisions:
    @pytest.fixture
    def candidate(
        self, session: Session, persona: Persona, population: list[int]
    ) -> MatchCandidate:
        person(
            session,
            "Tobias",
            "Wexler",
            middle="J",
            npi="1245319599",
            line1="9 Pond Rd",
            postal_code="01060",
            city="Northampton",
        )
        person(
            session,
            "T.",
            "Wexler",
            line1="200 Elm St",
            postal_code="01062",
            city="Northampton",
            credentials="DO",
        )
        matching_service.run_matching(session, persona("admin"))
        return session.scalars(select(MatchCandidate)).one()

    def test_a_steward_merges_a_candidate_keeping_the_registry_record(
        self, session: Session, persona: Persona, candidate: MatchCandidate
    ) -> None:
        record = matching_service.merge_candidate(
            session, persona("admin"), candidate_id=candidate.id, reason="same licence number"
        )
        assert record.survivor_id == candidate.stakeholder_id  # the one with the NPI
        assert session.get_one(MatchCandidate, candidate.id).status == CandidateStatus.merged

    def test_a_steward_rejects_a_candidate_with_a_reason(
        self, session: Session, persona: Persona, candidate: MatchCandidate
    ) -> None:
        rejected = matching_service.reject_candidate(
            session, persona("admin"), candidate_id=candidate.id, reason="father and son"
        )
        assert rejected.status == CandidateStatus.rejected
        assert rejected.decided_by == "admin"
        assert rejected.reason == "father and son"
        with pytest.raises(Conflict):
            matching_service.merge_candidate(
                session, persona("admin"), candidate_id=candidate.id, reason="changed my mind"
            )
        assert matching_service.run_matching(session, persona("admin")).queued == []
