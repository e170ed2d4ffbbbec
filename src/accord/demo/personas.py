"""The demo territories and the ten demo users, all with password `demo`."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from accord.territory import service as territory_service
from accord.territory.models import Territory, TerritoryLevel
from accord.user import service as user_service
from accord.user.models import Function, Role
from accord.user.schemas import UserCreate

DEMO_PASSWORD = "demo"  # noqa: S105 - the published demo password


@dataclass(frozen=True)
class TerritorySpec:
    code: str
    name: str
    level: TerritoryLevel
    parent: str | None


@dataclass(frozen=True)
class Persona:
    username: str
    full_name: str
    function: Function
    role: Role
    territories: tuple[str, ...] = ()
    manager: str | None = None
    what_they_do: str = ""
    email: str | None = field(default=None)


TERRITORIES: tuple[TerritorySpec, ...] = (
    TerritorySpec("US", "United States", TerritoryLevel.nation, None),
    TerritorySpec("US-NE", "Northeast", TerritoryLevel.region, "US"),
    TerritorySpec("US-NE-BOS", "Boston & New England", TerritoryLevel.territory, "US-NE"),
    TerritorySpec("US-NE-NYC", "New York Metro", TerritoryLevel.territory, "US-NE"),
    TerritorySpec("US-NE-PHL", "Philadelphia & Pennsylvania", TerritoryLevel.territory, "US-NE"),
    TerritorySpec("US-W", "West", TerritoryLevel.region, "US"),
    TerritorySpec("US-W-LAX", "Southern California", TerritoryLevel.territory, "US-W"),
    TerritorySpec("US-W-SFO", "Northern California", TerritoryLevel.territory, "US-W"),
    TerritorySpec("US-W-SEA", "Pacific Northwest", TerritoryLevel.territory, "US-W"),
)

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "meddir",
        "Dr. Priya Raman",
        Function.medical,
        Role.manager,
        ("US-NE",),
        what_they_do="medical director, Northeast; manages the MSLs",
    ),
    Persona(
        "msl",
        "Dr. Daniel Okafor",
        Function.medical,
        Role.field,
        ("US-NE",),
        "meddir",
        what_they_do="medical science liaison, Northeast",
    ),
    Persona(
        "salesmgr",
        "Karen Whitfield",
        Function.commercial,
        Role.manager,
        ("US-NE",),
        what_they_do="regional sales manager, Northeast",
    ),
    Persona(
        "rep",
        "Jason Morales",
        Function.commercial,
        Role.field,
        ("US-NE",),
        "salesmgr",
        what_they_do="sales representative, Northeast",
    ),
    Persona(
        "rep_west",
        "Alicia Tran",
        Function.commercial,
        Role.field,
        ("US-W",),
        what_they_do="sales representative, West",
    ),
    Persona(
        "access",
        "Robert Lindqvist",
        Function.market_access,
        Role.field,
        ("US",),
        what_they_do="market access lead: payers and formularies, nationwide",
    ),
    Persona(
        "research",
        "Dr. Helen Marsh",
        Function.research,
        Role.field,
        ("US",),
        what_they_do="clinical research: trials, sites and investigators",
    ),
    Persona(
        "compliance",
        "Samuel Adeyemi",
        Function.compliance,
        Role.manager,
        what_they_do="compliance officer: firewall, consent rules, audit trail",
    ),
    Persona(
        "finance",
        "Linda Park",
        Function.finance,
        Role.field,
        ("US",),
        what_they_do="finance: transparency reporting; sees top stakeholders by name",
    ),
    Persona(
        "admin",
        "Chris Novak",
        Function.admin,
        Role.admin,
        what_they_do="administrator: users, roles and territories",
    ),
)


#: which places each demo territory covers: states, and California split by city
ALIGNMENT: dict[str, tuple[tuple[str, str | None], ...]] = {
    "US-NE-BOS": (
        ("MA", None),
        ("NH", None),
        ("VT", None),
        ("ME", None),
        ("RI", None),
        ("CT", None),
    ),
    "US-NE-NYC": (("NY", None), ("NJ", None)),
    "US-NE-PHL": (("PA", None), ("DE", None), ("MD", None)),
    "US-W-LAX": (("CA", None), ("AZ", None), ("NV", None)),
    "US-W-SFO": tuple(
        ("CA", city)
        for city in (
            "San Francisco",
            "Oakland",
            "San Jose",
            "Sacramento",
            "Berkeley",
            "Palo Alto",
            "Fresno",
            "Santa Rosa",
            "Stockton",
        )
    ),
    "US-W-SEA": (("WA", None), ("OR", None), ("ID", None), ("AK", None)),
}


def ensure_territories(session: Session) -> dict[str, Territory]:
    out: dict[str, Territory] = {}
    for spec in TERRITORIES:
        existing = territory_service.find_by_code(session, spec.code)
        if existing is None:
            parent = out.get(spec.parent) if spec.parent else None
            existing = territory_service.create_territory(
                session, code=spec.code, name=spec.name, level=spec.level, parent=parent
            )
        out[spec.code] = existing
    for code, places in ALIGNMENT.items():
        for state, city in places:
            if territory_service.territory_for(session, state=state, city=city) != out[code].id:
                territory_service.align(session, out[code], state=state, city=city)
    return out


def ensure_demo_users(session: Session) -> int:
    """Create the demo territories, products and personas that are missing; returns how many
    users were created."""
    from accord.demo.catalog import ensure_demo_products, ensure_demo_specialties

    ensure_territories(session)
    ensure_demo_products(session)
    ensure_demo_specialties(session)
    created = 0
    for persona in PERSONAS:
        if user_service.get_by_username(session, persona.username) is not None:
            continue
        user_service.create_user(
            session,
            None,
            UserCreate(
                username=persona.username,
                full_name=persona.full_name,
                email=persona.email or f"{persona.username}@accord.example",
                function=persona.function,
                role=persona.role,
                password=DEMO_PASSWORD,
                manager=persona.manager,
                territories=list(persona.territories),
            ),
        )
        created += 1
    session.flush()
    return created
