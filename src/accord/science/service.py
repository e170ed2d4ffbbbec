"""Publications and trials as a stakeholder's research involvement: the view's section, the
read API's lists (through the gate) and what every science import job records."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.access import gate
from accord.access.firewall import Level
from accord.access.gate import Lens
from accord.access.principal import Principal
from accord.errors import Forbidden
from accord.importer.service import Run
from accord.science.linking import BY_NAME, ORCID, Linker
from accord.science.models import (
    ClinicalTrial,
    Publication,
    PublicationAuthor,
    TrialOfficial,
    TrialSite,
    TrialSiteInvestigator,
)

CATEGORY = "research_involvement"
#: how many of the newest publications and trial roles the view lists
LATEST = 5
ROLES_LISTED = 50


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        # shallow: json.dumps comes back here for the dataclasses inside
        return vars(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot fingerprint {type(value).__name__}")


def fingerprint(*parts: Any) -> str:
    """SHA-256 of everything an import derived from one record (its links included): the
    same record read again gives the same value, so a re-import knows it is unchanged."""
    text = json.dumps(parts, default=_plain, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


_Record = TypeVar("_Record")


def apply_in_batches(
    run: Run, records: Iterable[_Record], apply: Callable[[list[_Record]], None], size: int
) -> None:
    """Apply records `size` at a time, telling the run's progress after each batch."""
    batch: list[_Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            apply(batch)
            batch = []
            if run.progress:
                run.progress(run.job.read)
    if batch:
        apply(batch)
    if run.progress:
        run.progress(run.job.read)


def close_job(run: Run, path: Path, *, entity: str, what: str, linker: Linker) -> None:
    """The job's message (who was linked, how) and its one audit entry: the records are NLM's
    published data, so the trail records the load, not every field of it."""
    linked = linker.linked
    run.job.message = (
        f"{linker.people:,} people named: {linked.get(ORCID, 0):,} linked by ORCID, "
        f"{linked.get(BY_NAME, 0):,} by name + affiliation + place; "
        f"{linker.created:,} researchers created"
    )
    if linker.sites_seen:
        run.job.message += (
            f"; {linker.sites_seen:,} sites, {linker.sites_linked:,} linked to organizations"
        )
    run.record_bulk_write(entity, f"{what} import of {path.name} (job {run.job.id})")


# --- the stakeholder's research involvement ------------------------------------------------
def _trial_roles(session: Session, stakeholder_id: int) -> list[dict[str, Any]]:
    """Every part the stakeholder plays in a trial: overall official, site investigator or
    contact, or (for an organization) site."""
    roles: list[tuple[ClinicalTrial, str, TrialSite | None]] = []
    for trial, role in session.execute(
        select(ClinicalTrial, TrialOfficial.role)
        .join(TrialOfficial, TrialOfficial.trial_id == ClinicalTrial.id)
        .where(TrialOfficial.stakeholder_id == stakeholder_id)
    ).all():
        roles.append((trial, role or "OFFICIAL", None))
    for trial, role, site in session.execute(
        select(ClinicalTrial, TrialSiteInvestigator.role, TrialSite)
        .join(TrialSiteInvestigator, TrialSiteInvestigator.trial_id == ClinicalTrial.id)
        .join(TrialSite, TrialSite.id == TrialSiteInvestigator.site_id)
        .where(TrialSiteInvestigator.stakeholder_id == stakeholder_id)
    ).all():
        roles.append((trial, role or "SITE_INVESTIGATOR", site))
    for trial, site in session.execute(
        select(ClinicalTrial, TrialSite)
        .join(TrialSite, TrialSite.trial_id == ClinicalTrial.id)
        .where(TrialSite.organization_id == stakeholder_id)
    ).all():
        roles.append((trial, "SITE", site))
    roles.sort(key=lambda r: (r[0].start_date or date.min, r[0].nct_id), reverse=True)
    return [
        {
            "nct_id": trial.nct_id,
            "title": trial.title,
            "role": role,
            "site": None
            if site is None
            else {
                "facility": site.facility,
                "city": site.city,
                "state": site.state,
                "country": site.country,
                "status": site.status,
            },
            "phase": trial.phase,
            "status": trial.status,
            "sponsor": trial.sponsor,
            "start_date": trial.start_date.isoformat() if trial.start_date else None,
        }
        for trial, role, site in roles
    ]


def _publications(
    session: Session, stakeholder_id: int, *, limit: int | None
) -> list[dict[str, Any]]:
    stmt = (
        select(Publication, PublicationAuthor.position)
        .join(PublicationAuthor, PublicationAuthor.publication_id == Publication.id)
        .where(PublicationAuthor.stakeholder_id == stakeholder_id)
        .order_by(
            Publication.published_date.desc().nulls_last(),
            Publication.id.desc(),
        )
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        {
            "pmid": p.pmid,
            "doi": p.doi,
            "title": p.title,
            "journal": p.journal_abbreviation or p.journal,
            "year": p.published_year,
            "published_date": p.published_date.isoformat() if p.published_date else None,
            "author_position": position,
            "publication_types": list(p.publication_types or []),
        }
        for p, position in session.execute(stmt).all()
    ]


def research_involvement_section(session: Session, lens: Lens) -> dict[str, Any] | None:
    """Full: the trials with the stakeholder's role, site, phase and status, and the count and
    newest of their publications. Summary: that they are an investigator (or a site) and how
    many publications, without any trial detail. Absent when there is nothing to say."""
    level = lens.level(CATEGORY)
    if level == Level.none:
        return None
    sid = lens.stakeholder.id
    roles = _trial_roles(session, sid)
    publications = int(
        session.scalar(
            select(func.count(func.distinct(PublicationAuthor.publication_id))).where(
                PublicationAuthor.stakeholder_id == sid
            )
        )
        or 0
    )
    if not roles and not publications:
        return None
    body: dict[str, Any] = {
        "is_investigator": any(r["role"] != "SITE" for r in roles),
        "is_trial_site": any(r["role"] == "SITE" for r in roles),
        "publications": publications,
    }
    if level == Level.full:
        body["trials"] = len({r["nct_id"] for r in roles})
        body["trial_roles"] = roles[:ROLES_LISTED]
        body["latest_publications"] = _publications(session, sid, limit=LATEST)
        lens.audit_medical_read(CATEGORY)
    return body


def _full_lens(session: Session, actor: Principal, stakeholder_id: int) -> Lens:
    """The viewer's lens on a stakeholder they may read research involvement of in full:
    404 out of territory, 403 with the policy's reason below full."""
    lens = Lens(session, actor, gate.get_visible_stakeholder(session, actor, stakeholder_id))
    decision = lens.section(CATEGORY)
    if decision.level < Level.full:
        raise Forbidden(decision.reason)
    return lens


def list_publications(
    session: Session, actor: Principal, *, stakeholder_id: int
) -> list[dict[str, Any]]:
    """A stakeholder's publications, newest first."""
    lens = _full_lens(session, actor, stakeholder_id)
    items = _publications(session, stakeholder_id, limit=None)
    if items:
        lens.audit_medical_read(CATEGORY)
    return items


def list_trials(session: Session, actor: Principal, *, stakeholder_id: int) -> list[dict[str, Any]]:
    """A stakeholder's trials with their role and site, newest first."""
    lens = _full_lens(session, actor, stakeholder_id)
    items = _trial_roles(session, stakeholder_id)
    if items:
        lens.audit_medical_read(CATEGORY)
    return items
