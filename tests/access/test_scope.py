"""Territory scope: assigned territories and everything below; managers add their reports'."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.access import scope
from accord.access.principal import Principal
from accord.errors import NotFound
from accord.territory.models import Territory
from accord.user import service as user_service
from accord.user.models import User
from accord.user.schemas import UserCreate


def codes(session: Session, principal: Principal) -> set[str]:
    assert principal.territory_ids is not None
    ids = sorted(principal.territory_ids)
    return set(session.scalars(select(Territory.code).where(Territory.id.in_(ids))))


NORTHEAST = {"US-NE", "US-NE-BOS", "US-NE-NYC", "US-NE-PHL"}
WEST = {"US-W", "US-W-LAX", "US-W-SFO", "US-W-SEA"}


class TestLoadPrincipal:
    @pytest.mark.parametrize("username", ["msl", "rep", "meddir", "salesmgr"])
    def test_northeast_personas_see_the_region_and_its_territories(
        self, session: Session, persona: Callable[[str], Principal], username: str
    ) -> None:
        assert codes(session, persona(username)) == NORTHEAST

    def test_rep_west_sees_the_west_only(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        assert codes(session, persona("rep_west")) == WEST

    def test_a_nation_assignment_covers_every_region(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        assert codes(session, persona("access")) == {"US"} | NORTHEAST | WEST

    @pytest.mark.parametrize("username", ["compliance", "admin"])
    def test_compliance_and_admin_see_all_territories(
        self, persona: Callable[[str], Principal], username: str
    ) -> None:
        assert persona(username).sees_all_territories

    def test_a_manager_sees_a_reports_territories(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        # a new West MSL reporting to meddir widens meddir's scope to the West
        user_service.create_user(
            session,
            None,
            UserCreate(
                username="msl_west",
                full_name="Dr. Nora Ellis",
                function="medical",
                role="field",
                password="secret1",
                manager="meddir",
                territories=["US-W-SFO"],
            ),
        )
        meddir = persona("meddir")
        assert codes(session, meddir) == NORTHEAST | {"US-W-SFO"}
        assert codes(session, persona("msl")) == NORTHEAST

    def test_reports_of_reports_count_too(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        # meddir -> lead (manager) -> msl_lax: meddir sees Southern California
        for username, role, manager, territories in (
            ("lead", "manager", "meddir", []),
            ("msl_lax", "field", "lead", ["US-W-LAX"]),
        ):
            user_service.create_user(
                session,
                None,
                UserCreate(
                    username=username,
                    full_name=username,
                    function="medical",
                    role=role,
                    password="secret1",
                    manager=manager,
                    territories=territories,
                ),
            )
        assert "US-W-LAX" in codes(session, persona("meddir"))

    def test_a_field_user_without_territories_sees_none(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        user_service.create_user(
            session,
            None,
            UserCreate(
                username="newrep",
                full_name="New Rep",
                function="commercial",
                role="field",
                password="secret1",
            ),
        )
        assert persona("newrep").territory_ids == frozenset()

    def test_a_deactivated_user_is_refused(self, session: Session) -> None:
        from accord.errors import Unauthorized

        user = user_service.get_by_username(session, "rep")
        assert user is not None
        user.is_active = False
        with pytest.raises(Unauthorized):
            scope.load_principal(session, user)


class TestInTerritories:
    def test_filters_rows_to_the_principals_territories(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        stmt = select(Territory.code).where(scope.in_territories(persona("rep_west"), Territory.id))
        assert set(session.scalars(stmt)) == WEST

    def test_compliance_is_not_filtered(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        stmt = select(Territory.code).where(
            scope.in_territories(persona("compliance"), Territory.id)
        )
        assert len(set(session.scalars(stmt))) == 9


class TestVisibleUsers:
    def test_a_field_user_sees_only_themselves(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        rows = session.scalars(scope.visible_users(select(User.username), persona("msl")))
        assert set(rows) == {"msl"}

    def test_out_of_scope_is_404_as_if_it_did_not_exist(
        self, session: Session, persona: Callable[[str], Principal]
    ) -> None:
        rep = user_service.get_by_username(session, "rep")
        assert rep is not None
        with pytest.raises(NotFound):
            scope.get_visible_user(session, persona("msl"), rep.id)
        assert scope.get_visible_user(session, persona("salesmgr"), rep.id).username == "rep"
