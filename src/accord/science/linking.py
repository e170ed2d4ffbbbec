"""Who is this author or investigator? Links people in publications and trials to stakeholders
(ORCID first, then name + affiliation + place) and trial sites to organizations.

The rule (docs/science.md):
- **ORCID.** An ORCID (checksum valid) held by a stakeholder as identifier `orcid` links, score 1.
- **Name, affiliation, place.** Candidates are persons with the same normalised last name (accents,
  case and punctuation ignored) whose first name agrees: the same first name scores
  FIRST_NAME_FULL, an initial against a name starting with it FIRST_NAME_INITIAL, anything else is
  no candidate. To that add AFFILIATION_WEIGHT x the best similarity (rapidfuzz token set ratio)
  between the person's affiliation text and the names of the candidate's organizations, CITY for
  the same city and STATE for the same state. A link is made only when the best candidate scores
  at least THRESHOLD and beats the next by MARGIN; otherwise the person stays unlinked.
- **Sites.** Organizations in the site's state and city whose name (or other name) is at least
  SITE_THRESHOLD similar to the facility (token sort ratio), the best beating the next by
  SITE_MARGIN.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from accord.db.base import utcnow
from accord.stakeholder.models import (
    Affiliation,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderKind,
    StakeholderType,
)
from accord.territory import service as territory_service

FIRST_NAME_FULL = 0.4
FIRST_NAME_INITIAL = 0.2
AFFILIATION_WEIGHT = 0.3
CITY = 0.15
STATE = 0.15
THRESHOLD = 0.6
MARGIN = 0.15
SITE_THRESHOLD = 0.85
SITE_MARGIN = 0.05

ORCID = "orcid"
BY_NAME = "name_affiliation_place"
BY_SITE = "name_city_state"

US_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR",
    "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA",
    "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
    "puerto rico": "PR", "guam": "GU", "virgin islands": "VI",
}  # fmt: skip
STATE_CODES = frozenset(US_STATES.values())
US_NAMES = ("usa", "united states", "united states of america", "us", "u.s.a.", "u.s.")
#: degrees and titles that trail a name in trial records ("Eduard Bosch, MD")
CREDENTIALS = frozenset(
    (
        "md", "phd", "mph", "ms", "msc", "mba", "do", "rn", "np", "pa", "bsn", "msn", "pharmd",
        "dds", "dmd", "facp", "facs", "frcpc", "frcp", "mbbs", "dr", "prof", "professor", "jr",
        "sr", "ii", "iii",
    )
)  # fmt: skip
_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])", re.IGNORECASE)
_EMAIL = re.compile(r"(electronic address:\s*)?\S+@\S+", re.IGNORECASE)
#: words that say a part of an affiliation is an institution, not a city
_INSTITUTION = re.compile(
    r"universit|hospital|college|school|institut|center|centre|department|clinic|health|"
    r"foundation|laborator|division|program|group|inc\b|llc|corporation|company|network",
    re.IGNORECASE,
)
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def normalise(text: str | None) -> str:
    """Lower case, accents and punctuation gone, single spaces: 'Müller-Lüdenscheidt' ->
    'muller ludenscheidt'."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def orcid_of(text: str | None) -> str | None:
    """The ORCID in a value such as 'http://orcid.org/0000-0001-9807-9172', hyphenated, or
    None when there is none or its check digit (ISO 7064 11,2) is wrong."""
    if not text:
        return None
    found = _ORCID.search(text)
    if not found:
        return None
    digits = "".join(found.groups()).upper()
    total = 0
    for d in digits[:-1]:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        return None
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def state_code(text: str | None) -> str | None:
    """A US state as its two-letter code ('Alabama', 'AL', 'MN 55905' -> 'AL', 'AL', 'MN')."""
    if not text:
        return None
    words = normalise(text)
    if words in US_STATES:
        return US_STATES[words]
    head = words.split(" ")[0].upper() if words else ""
    if len(head) == 2 and head in STATE_CODES:
        return head
    return None


@dataclass(frozen=True)
class Place:
    city: str | None = None
    state: str | None = None
    country: str | None = None


def place_of(affiliation: str | None) -> Place:
    """City, state and country from a free-text affiliation, as far as it says them:
    '..., 200 First Street SW, Rochester, MN, 55905, USA. x@mayo.edu' -> Rochester, MN, USA.
    Only US places get a city and state; elsewhere the country alone (the last part)."""
    if not affiliation:
        return Place()
    text = _EMAIL.sub("", affiliation).strip().rstrip(".").strip()
    parts = [p.strip().strip(".").strip() for p in re.split(r"[,;]", text)]
    parts = [p for p in parts if p]
    if not parts:
        return Place()
    last = normalise(parts[-1])
    if last.endswith(" usa") or last.endswith(" united states"):
        # "Boston MA 02114 USA": no comma before the country
        parts[-1] = parts[-1].rsplit(" ", 2 if last.endswith(" states") else 1)[0]
        parts.append("USA")
        last = "usa"
    if last not in US_NAMES:
        country = parts[-1]
        plausible = len(country.split()) <= 4 and not re.search(r"[\d()@]", country)
        return Place(country=country[:100] if plausible else None)
    for i in range(len(parts) - 2, 0, -1):
        piece = parts[i]
        if _ZIP.match(piece):
            continue
        words = normalise(piece).split(" ")
        code = state_code(piece)
        if code is not None and (
            normalise(piece) in US_STATES or len(words) == 1 or _ZIP.match(piece.split()[-1])
        ):
            return Place(city=_city(parts[i - 1]), state=code, country="United States")
        # "Houston Texas": the city and the state's name in one part
        for size in (1, 2, 3):
            tail = " ".join(words[-size:])
            if len(words) > size and tail in US_STATES:
                city = piece.rsplit(" ", size)[0]
                return Place(city=_city(city), state=US_STATES[tail], country="United States")
    if len(parts) >= 2:
        return Place(city=_city(parts[-2]), country="United States")
    return Place(country="United States")


def _city(text: str) -> str | None:
    """A part of an affiliation that can be a city: short, no digits, no institution."""
    if any(ch.isdigit() for ch in text) or len(text.split()) > 4 or _INSTITUTION.search(text):
        return None
    return text[:100]


def split_name(full: str) -> tuple[str | None, str | None, str]:
    """'Carla I. Falkson' -> ('Carla', 'I.', 'Falkson'); 'Eduard Bosch, MD' -> ('Eduard', None,
    'Bosch'); degrees and titles dropped."""
    head = full.split(",")[0] if "," in full else full
    words = [w for w in head.split() if normalise(w) not in CREDENTIALS]
    if not words:
        words = full.split()
    if len(words) == 1:
        return None, None, words[0]
    middle = " ".join(words[1:-1]) or None
    return words[0], middle, words[-1]


@dataclass(frozen=True)
class Person:
    """Someone named in a publication or trial, as the record gives them."""

    last_name: str
    first_name: str | None = None
    orcid: str | None = None
    affiliation: str | None = None
    city: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class Link:
    stakeholder_id: int | None = None
    linked_by: str | None = None
    score: float | None = None


NO_LINK = Link()


@dataclass
class _Candidate:
    id: int
    first: str
    city: str
    state: str | None
    organizations: list[str]


def _first_name_score(given: str | None, candidate: str) -> float:
    a = normalise(given).split(" ")[0] if given else ""
    b = candidate.split(" ")[0] if candidate else ""
    if not a or not b:
        return 0.0
    if a == b:
        return FIRST_NAME_FULL
    if (len(a) == 1 or len(b) == 1) and a[0] == b[0]:
        return FIRST_NAME_INITIAL
    return -1.0


def score(person: Person, candidate: _Candidate) -> float | None:
    """The candidate's score for this person, or None when the first names disagree."""
    first = _first_name_score(person.first_name, candidate.first)
    if first < 0:
        return None
    total = first
    if person.affiliation and candidate.organizations:
        text = normalise(person.affiliation)
        best = max(fuzz.token_set_ratio(normalise(o), text) for o in candidate.organizations)
        total += AFFILIATION_WEIGHT * best / 100
    if person.city and candidate.city and normalise(person.city) == candidate.city:
        total += CITY
    if person.state and candidate.state and person.state == candidate.state:
        total += STATE
    return round(total, 4)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Linker:
    """Links people and sites for one import, loading what it needs in batches and keeping
    it for the rest of the run."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.orcids: dict[str, int] = {}
        self._orcids_looked_up: set[str] = set()
        self.by_last_name: dict[str, list[_Candidate]] = {}
        self.sites: dict[tuple[str, str], list[tuple[int, list[str]]]] = {}
        self.created: int = 0
        #: people seen, and how many were linked each way (for the job's message)
        self.people: int = 0
        self.linked: dict[str, int] = {}
        self.sites_seen: int = 0
        self.sites_linked: int = 0

    # --- loading --------------------------------------------------------------------------
    def _load_orcids(self, values: set[str]) -> None:
        wanted = sorted(values - self._orcids_looked_up)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            for value, sid in self.session.execute(
                select(StakeholderIdentifier.value, StakeholderIdentifier.stakeholder_id).where(
                    StakeholderIdentifier.system == ORCID,
                    StakeholderIdentifier.value.in_(chunk),
                )
            ):
                self.orcids[value] = sid
        self._orcids_looked_up.update(wanted)

    def _load_names(self, last_names: set[str]) -> None:
        """Persons whose sort name starts with the last name as written or normalised (the
        indexed prefix search), kept when their normalised last name is the same."""
        wanted = sorted(
            {n for n in last_names if n.strip() and normalise(n) not in self.by_last_name}
        )
        for n in wanted:
            self.by_last_name[normalise(n)] = []
        found: list[tuple[int, str | None, str | None, str | None, str | None]] = []
        for start in range(0, len(wanted), 40):
            chunk = wanted[start : start + 40]
            prefixes = {n.strip().lower() for n in chunk} | {normalise(n) for n in chunk}
            found.extend(
                self.session.execute(
                    select(
                        Stakeholder.id,
                        Stakeholder.last_name,
                        Stakeholder.first_name,
                        Stakeholder.city,
                        Stakeholder.state,
                    ).where(
                        Stakeholder.kind == StakeholderKind.person,
                        or_(
                            *(
                                Stakeholder.sort_name.like(f"{_escape_like(p)} %", escape="\\")
                                for p in prefixes
                            )
                        ),
                    )
                ).all()
            )
        if not found:
            return
        organizations: dict[int, list[str]] = {}
        ids = sorted({row[0] for row in found})
        for start in range(0, len(ids), 500):
            for sid, name, other in self.session.execute(
                select(Affiliation.stakeholder_id, Stakeholder.name, Stakeholder.other_name)
                .join(Stakeholder, Stakeholder.id == Affiliation.organization_id)
                .where(Affiliation.stakeholder_id.in_(ids[start : start + 500]))
            ):
                organizations.setdefault(sid, []).extend(n for n in (name, other) if n)
        for sid, last, first, city, state in found:
            key = normalise(last)
            if key in self.by_last_name:
                self.by_last_name[key].append(
                    _Candidate(
                        sid, normalise(first), normalise(city), state, organizations.get(sid, [])
                    )
                )

    def prepare(self, people: Iterable[Person]) -> None:
        """Load what linking these people needs, in a few queries."""
        people = list(people)
        self._load_orcids({p.orcid for p in people if p.orcid})
        self._load_names({p.last_name for p in people if p.last_name})

    # --- deciding -------------------------------------------------------------------------
    def link(self, person: Person) -> Link:
        self.people += 1
        found = self._link(person)
        if found.linked_by:
            self.linked[found.linked_by] = self.linked.get(found.linked_by, 0) + 1
        return found

    def _link(self, person: Person) -> Link:
        if person.orcid:
            if person.orcid not in self._orcids_looked_up:
                self._load_orcids({person.orcid})
            if person.orcid in self.orcids:
                return Link(self.orcids[person.orcid], ORCID, 1.0)
        key = normalise(person.last_name)
        if key not in self.by_last_name:
            self._load_names({person.last_name})
        scored = sorted(
            (
                (s, c.id)
                for c in self.by_last_name.get(key, [])
                for s in [score(person, c)]
                if s is not None
            ),
            reverse=True,
        )
        if not scored:
            return NO_LINK
        best, sid = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best >= THRESHOLD and best - runner_up >= MARGIN:
            return Link(sid, BY_NAME, best)
        return NO_LINK

    def create_researcher(self, person: Person, *, source: str) -> Link:
        """A researcher stakeholder for someone with an ORCID whom nobody holds yet, so the
        influence network has a node for them; ORM-created, so audited field by field."""
        assert person.orcid is not None
        first = person.first_name.split(" ")[0] if person.first_name else None
        name = " ".join(p for p in (person.first_name, person.last_name) if p)
        stakeholder = Stakeholder(
            kind=StakeholderKind.person,
            type=StakeholderType.researcher,
            name=name[:300],
            sort_name=f"{person.last_name} {first or ''}".strip().lower()[:300],
            first_name=first[:100] if first else None,
            last_name=person.last_name[:100],
            city=person.city,
            state=person.state,
            territory_id=territory_service.territory_for(
                self.session, state=person.state, city=person.city
            ),
        )
        self.session.add(stakeholder)
        self.session.flush()
        self.session.add(
            StakeholderIdentifier(
                stakeholder_id=stakeholder.id,
                system=ORCID,
                value=person.orcid,
                source=source,
                recorded_on=utcnow().date(),
            )
        )
        self.session.flush()
        self.orcids[person.orcid] = stakeholder.id
        self.created += 1
        # the name candidates loaded so far are stale now; load them again when next needed
        self.by_last_name.pop(normalise(person.last_name), None)
        return Link(stakeholder.id, ORCID, 1.0)

    def link_site(self, facility: str | None, city: str | None, state: str | None) -> Link:
        self.sites_seen += 1
        found = self._link_site(facility, city, state)
        if found.stakeholder_id is not None:
            self.sites_linked += 1
        return found

    def _link_site(self, facility: str | None, city: str | None, state: str | None) -> Link:
        code = state_code(state)
        if not facility or not city or code is None:
            return NO_LINK
        key = (code, city.strip().lower())
        if key not in self.sites:
            rows = self.session.execute(
                select(Stakeholder.id, Stakeholder.name, Stakeholder.other_name).where(
                    Stakeholder.kind == StakeholderKind.organization,
                    Stakeholder.state == code,
                    func.lower(Stakeholder.city) == key[1],
                )
            ).all()
            self.sites[key] = [(sid, [n for n in (name, other) if n]) for sid, name, other in rows]
        wanted = normalise(facility)
        scored = sorted(
            (
                (max(fuzz.token_sort_ratio(normalise(n), wanted) for n in names) / 100, sid)
                for sid, names in self.sites[key]
            ),
            reverse=True,
        )
        if not scored:
            return NO_LINK
        best, sid = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best >= SITE_THRESHOLD and best - runner_up >= SITE_MARGIN:
            return Link(sid, BY_SITE, round(best, 4))
        return NO_LINK
