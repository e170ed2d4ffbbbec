"""ClinicalTrials.gov studies, API v2 JSON (a study, a page of studies, a JSON array or NDJSON)
and the retired `clinical_study` XML, one file or a folder of them: trials with their overall
officials, sites and site investigators, in the API v2 vocabulary whatever the format."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as parse_xml
from sqlalchemy import delete, insert, select, update

from accord.audit import trail
from accord.importer.service import BadFile, Run
from accord.science import service as science_service
from accord.science.linking import Link, Linker, Person, split_name, state_code
from accord.science.models import ClinicalTrial, TrialOfficial, TrialSite, TrialSiteInvestigator

SOURCE = "clinicaltrials.gov"
BATCH = 50
SUFFIXES = (".json", ".ndjson", ".jsonl", ".xml")
_NCT = re.compile(r"^NCT\d{8}$")


@dataclass
class SitePerson:
    position: int
    name: str
    role: str | None


@dataclass
class Site:
    position: int
    facility: str | None
    city: str | None
    state: str | None
    country: str | None
    zip: str | None
    status: str | None
    people: list[SitePerson] = field(default_factory=list)


@dataclass
class Official:
    position: int
    name: str
    role: str | None
    affiliation: str | None


@dataclass
class Study:
    number: int
    origin: str  # the file (and line) it came from, for the error report
    nct_id: str
    values: dict[str, Any]
    officials: list[Official] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)


def vocabulary(text: str | None) -> str | None:
    """The API v2 spelling of a legacy value: 'Active, not recruiting' ->
    'ACTIVE_NOT_RECRUITING', 'Principal Investigator' -> 'PRINCIPAL_INVESTIGATOR'."""
    if not text or not text.strip():
        return None
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")[:60] or None


def legacy_phase(text: str | None) -> str | None:
    """'Phase 1/Phase 2' -> 'PHASE1/PHASE2', 'N/A' -> 'NA', 'Early Phase 1' -> 'EARLY_PHASE1'."""
    if not text or not text.strip():
        return None
    if text.strip().upper() == "N/A":
        return "NA"
    parts = [re.sub(r"PHASE\s+(\d)", r"PHASE\1", p.strip().upper()) for p in text.split("/")]
    return "/".join(re.sub(r"\s+", "_", p) for p in parts)


def partial_date(text: str | None) -> date | None:
    """'2014-08-05', '2014-08', 'August 12, 2015', 'August 2015' -> a date (the first of the
    month where only the month is given); None when it is no date."""
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%Y-%m", "%B %d, %Y", "%B %Y", "%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    return None


def _clip(value: Any, length: int) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:length] or None


# --- API v2 JSON --------------------------------------------------------------------------
def _from_json(run: Run, number: int, origin: str, study: Any) -> Study | None:
    if not isinstance(study, dict) or not isinstance(study.get("protocolSection"), dict):
        run.reject(number, "protocolSection", origin, "not an API v2 study (no protocolSection)")
        return None
    p = study["protocolSection"]

    def module(name: str) -> dict[str, Any]:
        value = p.get(name)
        return value if isinstance(value, dict) else {}

    ident = module("identificationModule")
    nct = ident.get("nctId")
    if not isinstance(nct, str) or not _NCT.match(nct):
        run.reject(number, "nctId", nct, f"{origin}: a study is keyed by its NCT number")
        return None
    status = module("statusModule")
    design = module("designModule")
    sponsor = module("sponsorCollaboratorsModule").get("leadSponsor") or {}
    enrollment = (design.get("enrollmentInfo") or {}).get("count")
    interventions = module("armsInterventionsModule").get("interventions") or []
    values = {
        "nct_id": nct,
        "title": _clip(ident.get("briefTitle") or ident.get("officialTitle"), 100_000) or "",
        "official_title": _clip(ident.get("officialTitle"), 100_000),
        "phase": "/".join(design.get("phases") or []) or None,
        "status": _clip(status.get("overallStatus"), 60),
        "study_type": _clip(design.get("studyType"), 60),
        "conditions": [str(c) for c in module("conditionsModule").get("conditions") or []],
        "interventions": [
            f"{i.get('type') or 'OTHER'}: {i.get('name')}"
            for i in interventions
            if isinstance(i, dict) and i.get("name")
        ],
        "sponsor": _clip(sponsor.get("name"), 300),
        "sponsor_class": _clip(sponsor.get("class"), 40),
        "start_date": partial_date((status.get("startDateStruct") or {}).get("date")),
        "completion_date": partial_date((status.get("completionDateStruct") or {}).get("date")),
        "enrollment": enrollment if isinstance(enrollment, int) else None,
        "source_format": "api_v2_json",
    }
    contacts = module("contactsLocationsModule")
    officials = [
        Official(
            i,
            _clip(o.get("name"), 300) or "",
            _clip(o.get("role"), 60),
            _clip(o.get("affiliation"), 500),
        )
        for i, o in enumerate(contacts.get("overallOfficials") or [], 1)
        if isinstance(o, dict) and o.get("name")
    ]
    sites = []
    for i, loc in enumerate(contacts.get("locations") or [], 1):
        if not isinstance(loc, dict):
            continue
        people = [
            SitePerson(j, _clip(c.get("name"), 300) or "", _clip(c.get("role"), 60))
            for j, c in enumerate(loc.get("contacts") or [], 1)
            if isinstance(c, dict) and c.get("name")
        ]
        sites.append(
            Site(
                i,
                _clip(loc.get("facility"), 500),
                _clip(loc.get("city"), 100),
                _clip(loc.get("state"), 100),
                _clip(loc.get("country"), 100),
                _clip(loc.get("zip"), 20),
                _clip(loc.get("status"), 60),
                people,
            )
        )
    return Study(number, origin, nct, values, officials, sites)


# --- legacy XML ---------------------------------------------------------------------------
def _t(element: Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find(path)
    if found is None:
        return None
    return _clip("".join(found.itertext()), 100_000)


def _from_xml(run: Run, number: int, origin: str, root: Element) -> Study | None:
    nct = _t(root, "id_info/nct_id")
    if nct is None or not _NCT.match(nct):
        run.reject(number, "nct_id", nct, f"{origin}: a study is keyed by its NCT number")
        return None
    values = {
        "nct_id": nct,
        "title": _t(root, "brief_title") or _t(root, "official_title") or "",
        "official_title": _t(root, "official_title"),
        "phase": legacy_phase(_t(root, "phase")),
        "status": vocabulary(_t(root, "overall_status")),
        "study_type": vocabulary(_t(root, "study_type")),
        "conditions": [c for c in (_t(e, ".") for e in root.findall("condition")) if c],
        "interventions": [
            f"{vocabulary(_t(e, 'intervention_type')) or 'OTHER'}: {_t(e, 'intervention_name')}"
            for e in root.findall("intervention")
            if _t(e, "intervention_name")
        ],
        "sponsor": _clip(_t(root, "sponsors/lead_sponsor/agency"), 300),
        "sponsor_class": vocabulary(_t(root, "sponsors/lead_sponsor/agency_class")),
        "start_date": partial_date(_t(root, "start_date")),
        "completion_date": partial_date(_t(root, "completion_date")),
        "enrollment": int(e) if (e := _t(root, "enrollment")) and e.isdigit() else None,
        "source_format": "legacy_xml",
    }
    officials = [
        Official(
            i, _clip(name, 300) or "", vocabulary(_t(o, "role")), _clip(_t(o, "affiliation"), 500)
        )
        for i, o in enumerate(root.findall("overall_official"), 1)
        if (name := _t(o, "last_name"))
    ]
    sites = []
    for i, loc in enumerate(root.findall("location"), 1):
        # the full name is in last_name; only investigators are kept (the contacts repeat them)
        people = [
            SitePerson(j, _clip(name, 300) or "", vocabulary(_t(inv, "role")))
            for j, inv in enumerate(loc.findall("investigator"), 1)
            if (name := _t(inv, "last_name"))
        ]
        sites.append(
            Site(
                i,
                _clip(_t(loc, "facility/name"), 500),
                _clip(_t(loc, "facility/address/city"), 100),
                _clip(_t(loc, "facility/address/state"), 100),
                _clip(_t(loc, "facility/address/country"), 100),
                _clip(_t(loc, "facility/address/zip"), 20),
                vocabulary(_t(loc, "status")),
                people,
            )
        )
    return Study(number, origin, nct, values, officials, sites)


# --- reading files ------------------------------------------------------------------------
def files_of(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not found:
        raise BadFile(
            f"{path.name} holds no ClinicalTrials.gov file (.json, .ndjson, .jsonl, .xml)",
            field="file",
        )
    return found


def _kind(file: Path) -> str:
    suffix = file.suffix.lower()
    if suffix in (".ndjson", ".jsonl"):
        return "ndjson"
    if suffix in (".json", ".xml"):
        return suffix[1:]
    with file.open("rb") as handle:
        head = handle.read(512).lstrip()
    return "xml" if head.startswith(b"<") else "json"


def _json_studies(file: Path) -> list[Any]:
    try:
        document = json.loads(file.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadFile(f"{file.name} is not valid JSON: {error}", field="file") from None
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if "protocolSection" in document:
            return [document]
        if isinstance(document.get("studies"), list):
            return list(document["studies"])
        if "FullStudiesResponse" in document:
            raise BadFile(
                f"{file.name} is in the retired API v1 format (FullStudiesResponse); "
                "download the study from API v2",
                field="file",
            )
    raise BadFile(
        f"{file.name} is not a ClinicalTrials.gov API v2 study, page of studies or list of them",
        field="file",
    )


def read_studies(run: Run, path: Path) -> Iterator[Study]:
    number = 0
    for file in files_of(path):
        kind = _kind(file)
        if kind == "xml":
            try:
                root: Element | None = parse_xml(str(file)).getroot()
            except ParseError as error:
                raise BadFile(
                    f"{file.name} is not well-formed XML: {error}", field="file"
                ) from None
            except DefusedXmlException as error:
                raise BadFile(
                    f"{file.name} uses forbidden XML constructs: {error}", field="file"
                ) from None
            if root is None or root.tag != "clinical_study":
                raise BadFile(
                    f"{file.name} is not a ClinicalTrials.gov study: the root element is "
                    f"<{getattr(root, 'tag', None)}>, not <clinical_study>",
                    field="file",
                )
            number += 1
            run.job.read += 1
            study = _from_xml(run, number, file.name, root)
            if study is not None:
                yield study
        elif kind == "ndjson":
            with file.open(encoding="utf-8-sig") as handle:
                for line_number, line in enumerate(handle, 1):
                    if not line.strip():
                        continue
                    number += 1
                    run.job.read += 1
                    origin = f"{file.name} line {line_number}"
                    try:
                        document = json.loads(line)
                    except json.JSONDecodeError as error:
                        run.reject(number, None, origin, f"{origin} is not JSON: {error}")
                        continue
                    study = _from_json(run, number, origin, document)
                    if study is not None:
                        yield study
        else:
            studies = _json_studies(file)
            for i, document in enumerate(studies, 1):
                number += 1
                run.job.read += 1
                origin = file.name if len(studies) == 1 else f"{file.name} study {i}"
                study = _from_json(run, number, origin, document)
                if study is not None:
                    yield study


# --- writing ------------------------------------------------------------------------------
@dataclass
class Linked:
    officials: list[Link]
    sites: list[Link]
    people: list[list[Link]]


class Importer:
    def __init__(self, run: Run, create_researchers: bool) -> None:
        self.run = run
        self.linker = Linker(run.session)
        # ClinicalTrials.gov names carry no ORCID, so no researcher is created from them today;
        # the option is kept so that both science importers take the same switches
        self.create_researchers = create_researchers
        self.seen: set[str] = set()

    @staticmethod
    def _official(o: Official) -> Person:
        first, _, last = split_name(o.name)
        return Person(last_name=last, first_name=first, affiliation=o.affiliation)

    @staticmethod
    def _investigator(site: Site, person: SitePerson) -> Person:
        first, _, last = split_name(person.name)
        return Person(
            last_name=last,
            first_name=first,
            affiliation=site.facility,
            city=site.city,
            state=state_code(site.state),
        )

    def _people(self, study: Study) -> Iterator[Person]:
        yield from (self._official(o) for o in study.officials)
        for site in study.sites:
            yield from (self._investigator(site, p) for p in site.people)

    def link(self, study: Study) -> Linked:
        return Linked(
            officials=[self.linker.link(self._official(o)) for o in study.officials],
            sites=[self.linker.link_site(s.facility, s.city, s.state) for s in study.sites],
            people=[
                [self.linker.link(self._investigator(s, p)) for p in s.people] for s in study.sites
            ],
        )

    def _children(self, trial_id: int, study: Study, linked: Linked) -> None:
        session = self.run.session
        if study.officials:
            session.execute(
                insert(TrialOfficial),
                [
                    {
                        "trial_id": trial_id,
                        "position": o.position,
                        "name": o.name,
                        "role": o.role,
                        "affiliation": o.affiliation,
                        "stakeholder_id": link.stakeholder_id,
                        "linked_by": link.linked_by,
                        "link_score": link.score,
                    }
                    for o, link in zip(study.officials, linked.officials, strict=True)
                ],
            )
        if not study.sites:
            return
        site_ids = session.scalars(
            insert(TrialSite).returning(TrialSite.id, sort_by_parameter_order=True),
            [
                {
                    "trial_id": trial_id,
                    "position": s.position,
                    "facility": s.facility,
                    "city": s.city,
                    "state": s.state,
                    "country": s.country,
                    "zip": s.zip,
                    "status": s.status,
                    "organization_id": link.stakeholder_id,
                    "linked_by": link.linked_by,
                    "link_score": link.score,
                }
                for s, link in zip(study.sites, linked.sites, strict=True)
            ],
        ).all()
        people = [
            {
                "site_id": site_id,
                "trial_id": trial_id,
                "position": p.position,
                "name": p.name,
                "role": p.role,
                "stakeholder_id": link.stakeholder_id,
                "linked_by": link.linked_by,
                "link_score": link.score,
            }
            for site_id, site, links in zip(site_ids, study.sites, linked.people, strict=True)
            for p, link in zip(site.people, links, strict=True)
        ]
        if people:
            session.execute(insert(TrialSiteInvestigator), people)

    def apply(self, batch: list[Study]) -> None:
        session = self.run.session
        self.linker.prepare(p for s in batch for p in self._people(s))
        existing = {
            nct: (tid, fp)
            for nct, tid, fp in session.execute(
                select(ClinicalTrial.nct_id, ClinicalTrial.id, ClinicalTrial.fingerprint).where(
                    ClinicalTrial.nct_id.in_([s.nct_id for s in batch])
                )
            )
        }
        for study in batch:
            if study.nct_id in self.seen:
                self.run.reject(
                    study.number,
                    "nct_id",
                    study.nct_id,
                    f"{study.origin}: this NCT number was already read in this import",
                )
                continue
            self.seen.add(study.nct_id)
            linked = self.link(study)
            fingerprint = science_service.fingerprint(
                study.values, study.officials, study.sites, linked
            )
            current = existing.get(study.nct_id)
            if current is None:
                trial_id = session.scalars(
                    insert(ClinicalTrial).returning(ClinicalTrial.id),
                    [
                        {
                            **study.values,
                            "fingerprint": fingerprint,
                            "import_job_id": self.run.job.id,
                        }
                    ],
                ).one()
                self._children(trial_id, study, linked)
                self.run.count("created")
            elif current[1] == fingerprint:
                self.run.count("unchanged")
            else:
                trial_id = current[0]
                session.execute(
                    update(ClinicalTrial)
                    .where(ClinicalTrial.id == trial_id)
                    .values(**study.values, fingerprint=fingerprint, import_job_id=self.run.job.id)
                )
                # investigators go with their sites (ON DELETE CASCADE is not relied on: SQLite
                # enforces it only with foreign keys switched on)
                session.execute(
                    delete(TrialSiteInvestigator).where(TrialSiteInvestigator.trial_id == trial_id)
                )
                session.execute(delete(TrialSite).where(TrialSite.trial_id == trial_id))
                session.execute(delete(TrialOfficial).where(TrialOfficial.trial_id == trial_id))
                self._children(trial_id, study, linked)
                self.run.count("updated")


def import_clinicaltrials(run: Run, path: Path, *, create_researchers: bool = False) -> None:
    """Import a ClinicalTrials.gov file or folder into the run's savepoint, in batches."""
    importer = Importer(run, create_researchers)
    with trail.reason(run.session, f"ClinicalTrials.gov import of {path.name} (job {run.job.id})"):
        science_service.apply_in_batches(run, read_studies(run, path), importer.apply, BATCH)
        science_service.close_job(
            run, path, entity="clinical_trial", what="ClinicalTrials.gov", linker=importer.linker
        )
