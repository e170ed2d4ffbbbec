"""Territory alignment: a city rule beats its state's; only leaf territories cover places."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from accord.errors import InvalidInput
from accord.territory import service as territory_service


def code_for(session: Session, state: str, city: str | None) -> str | None:
    territory_id = territory_service.territory_for(session, state=state, city=city)
    if territory_id is None:
        return None
    return territory_service.get(session, territory_id).code


class TestTerritoryFor:
    @pytest.mark.parametrize(
        ("state", "city", "code"),
        [
            ("MA", "Boston", "US-NE-BOS"),
            ("NY", "Buffalo", "US-NE-NYC"),
            ("PA", "Pittsburgh", "US-NE-PHL"),
            ("CA", "Los Angeles", "US-W-LAX"),
            ("CA", "San Francisco", "US-W-SFO"),
            ("CA", "san jose", "US-W-SFO"),
            ("wa", "Seattle", "US-W-SEA"),
            ("TX", "Houston", None),
            (None, None, None),
        ],
    )
    def test_places_land_in_the_demo_territories(
        self, session: Session, state: str | None, city: str | None, code: str | None
    ) -> None:
        assert code_for(session, state or "", city) == code


class TestAlign:
    def test_a_new_city_rule_moves_only_that_city(self, session: Session) -> None:
        sfo = territory_service.get_by_code(session, "US-W-SFO")
        territory_service.align(session, sfo, state="CA", city="Monterey")
        assert code_for(session, "CA", "Monterey") == "US-W-SFO"
        assert code_for(session, "CA", "San Diego") == "US-W-LAX"

    def test_a_region_cannot_cover_places(self, session: Session) -> None:
        region = territory_service.get_by_code(session, "US-W")
        with pytest.raises(InvalidInput) as caught:
            territory_service.align(session, region, state="CA")
        assert caught.value.field == "territory"

    def test_a_bad_state_is_named(self, session: Session) -> None:
        sea = territory_service.get_by_code(session, "US-W-SEA")
        with pytest.raises(InvalidInput) as caught:
            territory_service.align(session, sea, state="Washington")
        assert caught.value.field == "state"
