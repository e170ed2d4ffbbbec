"""Experts found in research records: authors, investigators and trial sites that the importers
could not link to a stakeholder become stakeholders of their own, so that the network holds the
people the evidence names (Accord "finds them from evidence").

A person is keyed as the source gives them (an author by "last name|fore name", an investigator
by full name); a site by facility, city, state and country. The key's hash is kept as an
identifier of the new record (system `pubmed_author`, `ctgov_investigator`, `ctgov_site`), so a
later recompute links new slots of the same person to the same record instead of creating
another. The matcher (`accord match run`) can then merge a found researcher with the HCP record
the registry holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from accord.audit import trail
from accord.db.base import utcnow
from accord.db.bulk import read_frame
from accord.science.linking import split_name, state_code
from accord.science.models import (
    PublicationAuthor,
    TrialOfficial,
    TrialSite,
    TrialSiteInvestigator,
)
from accord.stakeholder.models import (
    Stakeholder,
    StakeholderIdentifier,
    StakeholderKind,
    StakeholderStatus,
    StakeholderType,
)
from accord.territory.models import TerritoryAlignment

AUTHOR = "pubmed_author"
INVESTIGATOR = "ctgov_investigator"
SITE = "ctgov_site"
LINKED_BY = "found_by_network"
US = frozenset({"united states", "usa", "us", "united states of america", "puerto rico"})


@dataclass
class Discovery:
    authors: int = 0
    investigators: int = 0
    sites: int = 0
    slots_linked: int = 0


def _key_hash(key: str) -> str:
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


class _Places:
    """Territory alignment: a city's rule first, else its state's."""

    def __init__(self, session: Session) -> None:
        rows = session.execute(
            select(
                TerritoryAlignment.state, TerritoryAlignment.city, TerritoryAlignment.territory_id
            )
        ).all()
        self.rules = {(s, c): t for s, c, t in rows}

    def territory(self, state: str | None, city: str | None) -> int | None:
        if not state:
            return None
        if city and (state, city.strip().lower()) in self.rules:
            return self.rules[(state, city.strip().lower())]
        return self.rules.get((state, None))


def _us_state(state: str | None, country: str | None) -> str | None:
    if country and country.strip().lower() not in US:
        return None
    return state_code(state) if state else None


def _site_type(facility: str) -> StakeholderType:
    lowered = facility.lower()
    if "university" in lowered or "academic" in lowered or "college" in lowered:
        return StakeholderType.academic_medical_center
    if "hospital" in lowered or "medical center" in lowered or "health system" in lowered:
        return StakeholderType.hospital
    return StakeholderType.clinic


def _create(
    session: Session,
    places: _Places,
    system: str,
    source: str,
    people: dict[str, dict[str, Any]],
) -> dict[str, int]:
    """New stakeholders for the keys not yet held; returns key hash -> stakeholder id for
    every key (held or new)."""
    if not people:
        return {}
    held = dict(
        session.execute(
            select(StakeholderIdentifier.value, StakeholderIdentifier.stakeholder_id).where(
                StakeholderIdentifier.system == system,
                StakeholderIdentifier.value.in_(sorted(people)),
            )
        ).all()
    )
    new = [h for h in people if h not in held]
    if new:
        rows = []
        for h in new:
            record = people[h]
            rows.append(
                {
                    **record,
                    "status": StakeholderStatus.active,
                    "territory_id": places.territory(record["state"], record["city"]),
                }
            )
        ids = session.scalars(
            insert(Stakeholder).returning(Stakeholder.id, sort_by_parameter_order=True),
            rows,
            execution_options={trail.AUDITED_BULK: True},
        ).all()
        today = utcnow().date()
        session.execute(
            insert(StakeholderIdentifier),
            [
                {
                    "stakeholder_id": i,
                    "system": system,
                    "value": h,
                    "source": source,
                    "recorded_on": today,
                }
                for h, i in zip(new, ids, strict=True)
            ],
            execution_options={trail.AUDITED_BULK: True},
        )
        held.update(zip(new, ids, strict=True))
    return held


def _person(
    first: str | None,
    last: str,
    city: str | None,
    state: str | None,
    kind: StakeholderType,
    middle: str | None = None,
) -> dict[str, Any]:
    name = " ".join(p for p in (first, middle, last) if p)
    return {
        "kind": StakeholderKind.person,
        "type": kind,
        "name": name[:300],
        "sort_name": f"{last} {first or ''}".strip().lower()[:300],
        "first_name": first[:100] if first else None,
        "middle_name": middle[:100] if middle else None,
        "last_name": last[:100],
        "city": city[:100] if city else None,
        "state": state,
    }


def _link(session: Session, model: Any, column: str, links: list[tuple[int, int]]) -> None:
    if links:
        session.execute(
            update(model),
            [{"id": slot, column: sid, "linked_by": LINKED_BY} for slot, sid in links],
        )


def discover(session: Session) -> Discovery:
    """Create stakeholders for unlinked authors, investigators and sites; link their slots."""
    found = Discovery()
    places = _Places(session)

    authors = read_frame(
        session,
        select(
            PublicationAuthor.id,
            PublicationAuthor.last_name,
            PublicationAuthor.fore_name,
            PublicationAuthor.initials,
            PublicationAuthor.city,
            PublicationAuthor.state,
            PublicationAuthor.country,
        ).where(
            PublicationAuthor.stakeholder_id.is_(None), PublicationAuthor.last_name.is_not(None)
        ),
        {
            "id": pl.Int64,
            "last": pl.String,
            "fore": pl.String,
            "initials": pl.String,
            "city": pl.String,
            "state": pl.String,
            "country": pl.String,
        },
    )
    people: dict[str, dict[str, Any]] = {}
    slots: list[tuple[int, str]] = []
    for slot, last, fore, initials, city, state, country in authors.iter_rows():
        first = fore or initials
        h = _key_hash(f"{last}|{first or ''}")
        slots.append((slot, h))
        us_state = _us_state(state, country)
        if h not in people or (people[h]["state"] is None and us_state):
            people[h] = _person(
                first, last, city if us_state else None, us_state, StakeholderType.researcher
            )
    before = len(people)
    held = _create(session, places, AUTHOR, "pubmed", people)
    _link(session, PublicationAuthor, "stakeholder_id", [(s, held[h]) for s, h in slots])
    found.authors = before
    found.slots_linked += len(slots)

    sites = read_frame(
        session,
        select(
            TrialSite.id, TrialSite.facility, TrialSite.city, TrialSite.state, TrialSite.country
        ).where(TrialSite.organization_id.is_(None), TrialSite.facility.is_not(None)),
        {
            "id": pl.Int64,
            "facility": pl.String,
            "city": pl.String,
            "state": pl.String,
            "country": pl.String,
        },
    )
    orgs: dict[str, dict[str, Any]] = {}
    site_slots: list[tuple[int, str]] = []
    for slot, facility, city, state, country in sites.iter_rows():
        h = _key_hash(f"{facility}|{city or ''}|{state or ''}|{country or ''}")
        site_slots.append((slot, h))
        if h not in orgs:
            us_state = _us_state(state, country)
            orgs[h] = {
                "kind": StakeholderKind.organization,
                "type": _site_type(facility),
                "name": facility[:300],
                "sort_name": facility.lower()[:300],
                "city": city[:100] if city else None,
                "state": us_state,
            }
    held = _create(session, places, SITE, "clinicaltrials.gov", orgs)
    site_of = {slot: held[h] for slot, h in site_slots}
    if site_slots:
        session.execute(
            update(TrialSite),
            [{"id": s, "organization_id": i, "linked_by": LINKED_BY} for s, i in site_of.items()],
        )
    found.sites = len(orgs)
    found.slots_linked += len(site_slots)

    # investigators (at a site) and overall officials, one key space: the name as given
    investigators = session.execute(
        select(
            TrialSiteInvestigator.id,
            TrialSiteInvestigator.name,
            TrialSite.city,
            TrialSite.state,
            TrialSite.country,
        )
        .join(TrialSite, TrialSite.id == TrialSiteInvestigator.site_id)
        .where(TrialSiteInvestigator.stakeholder_id.is_(None))
    ).all()
    officials = session.execute(
        select(TrialOfficial.id, TrialOfficial.name).where(TrialOfficial.stakeholder_id.is_(None))
    ).all()
    named: dict[str, dict[str, Any]] = {}
    inv_slots: list[tuple[int, str]] = []
    off_slots: list[tuple[int, str]] = []

    def person_of(full: str, city: str | None, state: str | None) -> str | None:
        first, middle, last = split_name(full)
        if not last:
            return None
        h = _key_hash(full.strip())
        if h not in named or (named[h]["state"] is None and state):
            named[h] = _person(
                first,
                last,
                city if state else None,
                state,
                StakeholderType.researcher,
                middle=middle,
            )
        return h

    for slot, full, city, state, country in investigators:
        found_key = person_of(full, city, _us_state(state, country))
        if found_key:
            inv_slots.append((slot, found_key))
    for slot, full in officials:
        found_key = person_of(full, None, None)
        if found_key:
            off_slots.append((slot, found_key))
    held = _create(session, places, INVESTIGATOR, "clinicaltrials.gov", named)
    _link(session, TrialSiteInvestigator, "stakeholder_id", [(s, held[h]) for s, h in inv_slots])
    _link(session, TrialOfficial, "stakeholder_id", [(s, held[h]) for s, h in off_slots])
    found.investigators = len(named)
    found.slots_linked += len(inv_slots) + len(off_slots)

    if found.slots_linked:
        trail.record_bulk(
            session,
            action="create",
            entity="stakeholder",
            new_value={
                "authors": found.authors,
                "investigators": found.investigators,
                "sites": found.sites,
                "slots_linked": found.slots_linked,
            },
            reason="network recompute: authors, investigators and trial sites "
            "the importers could not link, added as stakeholders of their own",
        )
    return found
