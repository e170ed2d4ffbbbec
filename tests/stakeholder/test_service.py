"""The stakeholder master through the gate: territories first (404), then the firewall."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.errors import Conflict, InvalidInput, NotFound
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder import view as stakeholder_view
from accord.stakeholder.identifiers import npi_is_valid
from accord.stakeholder.models import Stakeholder
from accord.stakeholder.schemas import AddressIn, StakeholderCreate

# NPIs with a valid check digit (CMS's published example and neighbours computed by Luhn)
VALID_NPI = "1234567893"


def hcp(last: str, city: str, state: str, **extra: object) -> StakeholderCreate:
    return StakeholderCreate.model_validate(
        {
            "type": "hcp",
            "first_name": "Test",
            "last_name": last,
            "credentials": "MD",
            "specialty": "207RC0000X",
            "address": AddressIn(line1="1 Main St", city=city, state=state, postal_code="02115"),
            **extra,
        }
    )


@pytest.fixture
def boston_cardiologist(session: Session) -> Stakeholder:
    return stakeholder_service.create_stakeholder(
        session, None, hcp("Aldana", "Boston", "MA", npi=VALID_NPI)
    )


@pytest.fixture
def seattle_cardiologist(session: Session) -> Stakeholder:
    return stakeholder_service.create_stakeholder(session, None, hcp("Brennan", "Seattle", "WA"))


class TestNpi:
    @pytest.mark.parametrize(
        ("npi", "valid"),
        [
            ("1234567893", True),
            ("1234567890", False),
            ("123456789", False),
            ("12345678AB", False),
        ],
    )
    def test_the_check_digit_is_luhn_with_the_80840_prefix(self, npi: str, valid: bool) -> None:
        assert npi_is_valid(npi) is valid


class TestCreateStakeholder:
    def test_the_practice_address_places_the_stakeholder_in_a_territory(
        self, session: Session, boston_cardiologist: Stakeholder
    ) -> None:
        from accord.territory import service as territory_service

        assert boston_cardiologist.name == "Test Aldana, MD"
        assert boston_cardiologist.territory_id is not None
        territory = territory_service.get(session, boston_cardiologist.territory_id)
        assert territory.code == "US-NE-BOS"

    def test_a_bad_npi_is_named(self, session: Session) -> None:
        with pytest.raises(InvalidInput) as caught:
            stakeholder_service.create_stakeholder(
                session, None, hcp("X", "Boston", "MA", npi="1234567890")
            )
        assert caught.value.field == "npi"

    def test_a_known_npi_is_a_conflict(
        self, session: Session, boston_cardiologist: Stakeholder
    ) -> None:
        with pytest.raises(Conflict):
            stakeholder_service.create_stakeholder(
                session, None, hcp("Y", "Boston", "MA", npi=VALID_NPI)
            )

    def test_an_unknown_specialty_is_named(self, session: Session) -> None:
        with pytest.raises(InvalidInput) as caught:
            stakeholder_service.create_stakeholder(
                session, None, hcp("Z", "Boston", "MA", specialty="999999999X")
            )
        assert caught.value.field == "specialty"

    def test_an_organization_needs_its_name(self) -> None:
        from pydantic import ValidationError

        with pytest.raises(ValidationError, match="organization_name"):
            StakeholderCreate.model_validate({"type": "hospital"})


class TestViewStakeholder:
    def test_out_of_territory_is_404(
        self,
        session: Session,
        persona: Callable[[str], Principal],
        seattle_cardiologist: Stakeholder,
    ) -> None:
        with pytest.raises(NotFound):
            stakeholder_view.view_stakeholder(session, persona("rep"), seattle_cardiologist.id)
        view = stakeholder_view.view_stakeholder(
            session, persona("rep_west"), seattle_cardiologist.id
        )
        assert view["name"] == "Test Brennan, MD"

    def test_finance_sees_identity_but_not_contact(
        self,
        session: Session,
        persona: Callable[[str], Principal],
        boston_cardiologist: Stakeholder,
    ) -> None:
        view = stakeholder_view.view_stakeholder(
            session, persona("finance"), boston_cardiologist.id
        )
        assert set(view["sections"]) == {"identity", "network"}
        assert view["sections"]["network"]["visibility"] == "summary"
        assert view["sections"]["network"]["metrics"] == []
        identity = view["sections"]["identity"]
        assert identity["visibility"] == "full"
        assert identity["identifiers"][0]["value"] == VALID_NPI
        assert identity["specialty"]["name"] == "Cardiovascular Disease Physician"

    def test_the_rep_sees_the_full_address(
        self,
        session: Session,
        persona: Callable[[str], Principal],
        boston_cardiologist: Stakeholder,
    ) -> None:
        view = stakeholder_view.view_stakeholder(session, persona("rep"), boston_cardiologist.id)
        contact = view["sections"]["contact"]
        assert contact["visibility"] == "full"
        assert contact["addresses"][0]["line1"] == "1 Main St"
        assert "policy v1" in contact["reason"]


class TestListStakeholders:
    def test_lists_and_counts_only_what_the_territories_allow(
        self,
        session: Session,
        persona: Callable[[str], Principal],
        boston_cardiologist: Stakeholder,
        seattle_cardiologist: Stakeholder,
    ) -> None:
        def names(username: str, **filters: object) -> set[str]:
            page = stakeholder_service.list_stakeholders(
                session,
                persona(username),
                filters=stakeholder_service.StakeholderFilter(**filters),  # type: ignore[arg-type]
                limit=500,
            )
            return {s.name for s in page.items}

        assert "Test Aldana, MD" in names("rep")
        assert "Test Brennan, MD" not in names("rep")
        assert "Test Brennan, MD" not in names("rep", q="bren")
        assert names("rep_west", q="bren") == {"Test Brennan, MD"}
        assert {"Test Aldana, MD", "Test Brennan, MD"} <= names("compliance")
        assert names("compliance", state="wa", q="b") == {"Test Brennan, MD"}
        assert "Test Aldana, MD" in names("access", territory="US-NE")
        assert "Test Brennan, MD" not in names("access", territory="US-NE")
