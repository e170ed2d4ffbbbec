"""Finding duplicate stakeholders in the master, the data stewards' queue, and its decisions."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.access import gate, permissions
from accord.access.principal import Principal
from accord.db.base import utcnow
from accord.errors import Conflict, InvalidInput, NotFound
from accord.matching import model
from accord.matching.models import CandidateStatus, MatchCandidate, StakeholderMerge
from accord.matching.service_merge import (
    choose_survivor,
    exclusive_identifiers,
    identifier_conflict,
    merge_stakeholders,
)
from accord.stakeholder.models import (
    Address,
    AddressKind,
    Specialty,
    Stakeholder,
    StakeholderIdentifier,
    StakeholderKind,
    StakeholderStatus,
)
from accord.user.models import Function, Role

__all__ = [
    "CandidateView",
    "MatchRunReport",
    "count_pending",
    "get_candidate",
    "list_candidates",
    "list_merges",
    "merge_candidate",
    "merge_stakeholders",
    "reject_candidate",
    "run_matching",
    "steward_principal",
]


def steward_principal() -> Principal:
    """The principal the CLI matches as: the operator runs Accord with the database's rights,
    as the administrators who steward the data; the audit trail names the OS user (the unit of
    work's actor). There is no user row behind it: user id 0 belongs to no one."""
    name = f"cli:{os.environ.get('USER', 'operator')}"
    return Principal(
        user_id=0,
        username=name,
        full_name=name,
        function=Function.admin,
        role=Role.admin,
        territory_ids=None,
        team_ids=frozenset(),
    )


@dataclass
class MatchRunReport:
    """What a run found and did (or would do, in a dry run)."""

    dry_run: bool
    scanned: int = 0
    blocked_pairs: int = 0
    above_review: int = 0
    identifier_conflicts: int = 0
    already_known: int = 0
    auto_merged: list[tuple[int, int, float]] = field(default_factory=list)
    queued: list[tuple[int, int, float]] = field(default_factory=list)
    parameters: dict[str, list[dict[str, object]]] = field(default_factory=dict)


def stakeholder_frame(session: Session, actor: Principal, kind: StakeholderKind) -> pl.DataFrame:
    """The active stakeholders of one kind the actor sees, as the model's record frame: names,
    sex, credentials, specialty name, primary practice location and address."""
    stmt = gate.visible_stakeholders(
        select(
            Stakeholder.id,
            Stakeholder.type,
            Stakeholder.first_name,
            Stakeholder.middle_name,
            Stakeholder.last_name,
            Stakeholder.name,
            Stakeholder.sex,
            Stakeholder.credentials,
            Specialty.display_name,
            Stakeholder.state,
            Stakeholder.city,
        )
        .outerjoin(Specialty, Specialty.code == Stakeholder.primary_specialty_code)
        .where(Stakeholder.kind == kind)
        .order_by(Stakeholder.id),
        actor,
    )
    rows = session.execute(stmt).all()
    addresses: dict[int, tuple[str, str | None]] = {}
    address_rows = session.execute(
        select(Address.stakeholder_id, Address.line1, Address.postal_code)
        .where(Address.kind == AddressKind.practice)
        .order_by(Address.stakeholder_id, Address.is_primary.desc(), Address.id)
    )
    for stakeholder_id, line1, postal_code in address_rows:
        addresses.setdefault(stakeholder_id, (line1, postal_code))
    is_person = kind == StakeholderKind.person
    return pl.DataFrame(
        {
            "id": [r.id for r in rows],
            "type": [r.type.value for r in rows],
            "first_name": [r.first_name if is_person else None for r in rows],
            "middle_name": [r.middle_name if is_person else None for r in rows],
            # an organization's name is compared as a person's surname is
            "last_name": [r.last_name if is_person else r.name for r in rows],
            "sex": [r.sex for r in rows],
            "credentials": [r.credentials for r in rows],
            "specialty": [r.display_name for r in rows],
            "state": [r.state for r in rows],
            "city": [r.city for r in rows],
            "street": [addresses.get(r.id, (None, None))[0] for r in rows],
            "zip5": [addresses.get(r.id, (None, None))[1] for r in rows],
        },
        schema={
            "id": pl.Int64,
            **{
                c: pl.String
                for c in (
                    "type",
                    "first_name",
                    "middle_name",
                    "last_name",
                    "sex",
                    "credentials",
                    "specialty",
                    "state",
                    "city",
                    "street",
                    "zip5",
                )
            },
        },
    )


def run_matching(
    session: Session,
    actor: Principal,
    *,
    dry_run: bool = False,
    auto_merge: float = model.AUTO_MERGE_PROBABILITY,
    review: float = model.REVIEW_PROBABILITY,
    em: bool = False,
) -> MatchRunReport:
    """Scan the master for duplicates, persons against persons and organizations against
    organizations. Deterministic first: two records holding an NPI (or an ORCID) hold
    different ones, by the unique constraint, and are never paired. Then the Fellegi-Sunter
    model: pairs at or above `auto_merge` are merged, those from `review` up go to the
    stewards' queue; a pair decided before (merged, rejected, or an undone merge) is left
    alone. A dry run writes nothing.

    u comes from the master's own random pairs and name frequencies; m is the documented m
    (learned by EM on NPPES vs CMS) unless `em` asks EM to re-learn it from the master, which
    is only sound once the master holds many duplicates: on a master without any, EM calls
    every pair of namesakes a match."""
    permissions.require(actor, permissions.STAKEHOLDER_MERGE)
    if not 0 < review <= auto_merge <= 1:
        raise InvalidInput("thresholds must satisfy 0 < review ≤ auto-merge ≤ 1", field="review")
    report = MatchRunReport(dry_run=dry_run)
    known = {
        (a, b)
        for a, b in session.execute(select(MatchCandidate.stakeholder_id, MatchCandidate.other_id))
    }
    for kind in (StakeholderKind.person, StakeholderKind.organization):
        frame = stakeholder_frame(session, actor, kind)
        report.scanned += frame.height
        if frame.height < 2:
            continue
        scored = model.fit_and_score(frame, em=em)
        report.blocked_pairs += len(scored)
        report.parameters[kind.value] = scored.model.parameters()
        rows = np.where(scored.probability >= review)[0]
        report.above_review += len(rows)
        if len(rows) == 0:
            continue
        ids = sorted(
            {int(x) for x in scored.left_id[rows]} | {int(x) for x in scored.right_id[rows]}
        )
        held = exclusive_identifiers(session, ids)
        touched: set[int] = set()
        for row in sorted(
            rows, key=lambda r: (-scored.weight[r], scored.left_id[r], scored.right_id[r])
        ):
            a, b = sorted((int(scored.left_id[row]), int(scored.right_id[row])))
            probability = float(scored.probability[row])
            if identifier_conflict(held, a, b):
                report.identifier_conflicts += 1
                continue
            if (a, b) in known:
                report.already_known += 1
                continue
            automatic = probability >= auto_merge
            if automatic and (a in touched or b in touched):
                continue  # one side was merged a moment ago; the next run sees the survivor
            target = report.auto_merged if automatic else report.queued
            target.append((a, b, probability))
            if dry_run:
                touched |= {a, b} if automatic else set()
                continue
            candidate = MatchCandidate(
                stakeholder_id=a,
                other_id=b,
                probability=probability,
                weight=float(scored.weight[row]),
                fields=scored.explanation(int(row)),
                status=CandidateStatus.pending,
            )
            session.add(candidate)
            session.flush()
            known.add((a, b))
            if automatic:
                touched |= {a, b}
                _merge_pair(
                    session,
                    actor,
                    candidate,
                    reason=f"automatic: match probability {probability:.4f} ≥ {auto_merge}",
                )
    return report


def _merge_pair(
    session: Session, actor: Principal, candidate: MatchCandidate, *, reason: str
) -> StakeholderMerge:
    a = gate.get_visible_stakeholder(session, actor, candidate.stakeholder_id)
    b = gate.get_visible_stakeholder(session, actor, candidate.other_id)
    survivor, merged = choose_survivor(session, a, b)
    record = merge_stakeholders(
        session,
        actor,
        survivor_id=survivor.id,
        merged_id=merged.id,
        reason=reason,
        candidate=candidate,
    )
    candidate = session.get_one(MatchCandidate, candidate.id)
    candidate.status = CandidateStatus.merged
    candidate.decided_by_id = actor.user_id or None
    candidate.decided_by = actor.username
    candidate.decided_at = utcnow()
    candidate.reason = reason
    session.flush()
    return record


@dataclass(frozen=True)
class Side:
    """One record of a pair with what a steward compares: NPI, specialty, practice address."""

    stakeholder: Stakeholder
    npi: str | None
    specialty: str | None
    address: str | None


@dataclass(frozen=True)
class CandidateView:
    """A possible duplicate with both records as the steward compares them."""

    candidate: MatchCandidate
    left: Side
    right: Side


def _sides(session: Session, stakeholders: Sequence[Stakeholder]) -> dict[int, Side]:
    ids = [s.id for s in stakeholders]
    npis = dict(
        session.execute(
            select(StakeholderIdentifier.stakeholder_id, StakeholderIdentifier.value).where(
                StakeholderIdentifier.stakeholder_id.in_(ids),
                StakeholderIdentifier.system == "npi",
            )
        ).all()
    )
    codes = {s.primary_specialty_code for s in stakeholders if s.primary_specialty_code}
    names = dict(
        session.execute(
            select(Specialty.code, Specialty.display_name).where(Specialty.code.in_(codes))
        ).all()
    )
    addresses: dict[int, str] = {}
    for a in session.scalars(
        select(Address)
        .where(Address.stakeholder_id.in_(ids), Address.kind == AddressKind.practice)
        .order_by(Address.is_primary.desc(), Address.id)
    ):
        line = ", ".join(p for p in (a.line1, a.line2, a.city, a.state, a.postal_code) if p)
        addresses.setdefault(a.stakeholder_id, line)
    return {
        s.id: Side(
            s,
            npis.get(s.id),
            names.get(s.primary_specialty_code or ""),
            addresses.get(s.id),
        )
        for s in stakeholders
    }


def _view(session: Session, actor: Principal, candidate: MatchCandidate) -> CandidateView | None:
    pair = session.scalars(
        gate.visible_stakeholders(
            select(Stakeholder).where(
                Stakeholder.id.in_([candidate.stakeholder_id, candidate.other_id])
            ),
            actor,
            include_merged=True,
        )
    ).all()
    if len(pair) != 2:
        return None  # a record outside the steward's territories: the pair is not theirs
    sides = _sides(session, pair)
    return CandidateView(candidate, sides[candidate.stakeholder_id], sides[candidate.other_id])


def get_candidate(session: Session, actor: Principal, candidate_id: int) -> CandidateView:
    permissions.require(actor, permissions.STAKEHOLDER_MERGE)
    candidate = session.get(MatchCandidate, candidate_id)
    view = _view(session, actor, candidate) if candidate is not None else None
    if view is None:
        raise NotFound(f"no match candidate {candidate_id}")
    return view


def list_candidates(
    session: Session,
    actor: Principal,
    *,
    status: CandidateStatus | None = CandidateStatus.pending,
    limit: int = 100,
) -> Sequence[CandidateView]:
    """The stewards' queue, most probable first; only pairs whose both records the steward
    sees."""
    permissions.require(actor, permissions.STAKEHOLDER_MERGE)
    stmt = select(MatchCandidate).order_by(MatchCandidate.probability.desc(), MatchCandidate.id)
    if status is not None:
        stmt = stmt.where(MatchCandidate.status == status)
    out: list[CandidateView] = []
    for candidate in session.scalars(stmt):
        view = _view(session, actor, candidate)
        if view is None:
            continue
        sides = (view.left.stakeholder, view.right.stakeholder)
        if candidate.status == CandidateStatus.pending and any(
            s.status == StakeholderStatus.merged for s in sides
        ):
            continue  # one record was merged since; the next run pairs its survivor instead
        out.append(view)
        if len(out) >= limit:
            break
    return out


def _pending(session: Session, actor: Principal, candidate_id: int) -> MatchCandidate:
    permissions.require(actor, permissions.STAKEHOLDER_MERGE)
    candidate = session.get(MatchCandidate, candidate_id)
    if candidate is None:
        raise NotFound(f"no match candidate {candidate_id}")
    gate.get_visible_stakeholder(session, actor, candidate.stakeholder_id, include_merged=True)
    gate.get_visible_stakeholder(session, actor, candidate.other_id, include_merged=True)
    if candidate.status != CandidateStatus.pending:
        raise Conflict(
            f"match candidate {candidate_id} was already decided ({candidate.status.value})",
            field="candidate_id",
        )
    return candidate


def merge_candidate(
    session: Session, actor: Principal, *, candidate_id: int, reason: str
) -> StakeholderMerge:
    """A steward confirms a possible duplicate: the records merge, the survivor chosen by the
    documented rule."""
    if not reason.strip():
        raise InvalidInput("say why these records are the same stakeholder", field="reason")
    candidate = _pending(session, actor, candidate_id)
    return _merge_pair(session, actor, candidate, reason=reason.strip())


def reject_candidate(
    session: Session, actor: Principal, *, candidate_id: int, reason: str
) -> MatchCandidate:
    """A steward says the pair are two stakeholders; the matcher will not propose it again."""
    if not reason.strip():
        raise InvalidInput("say why these are different stakeholders", field="reason")
    candidate = _pending(session, actor, candidate_id)
    candidate.status = CandidateStatus.rejected
    candidate.decided_by_id = actor.user_id or None
    candidate.decided_by = actor.username
    candidate.decided_at = utcnow()
    candidate.reason = reason.strip()
    session.flush()
    return candidate


def list_merges(
    session: Session, actor: Principal, *, limit: int = 10
) -> Sequence[StakeholderMerge]:
    """The latest merges whose survivor the steward sees, newest first, undone ones included."""
    permissions.require(actor, permissions.STAKEHOLDER_MERGE)
    visible = gate.visible_stakeholders(select(Stakeholder.id), actor, include_merged=True)
    return session.scalars(
        select(StakeholderMerge)
        .where(StakeholderMerge.survivor_id.in_(visible.scalar_subquery()))
        .order_by(StakeholderMerge.id.desc())
        .limit(limit)
    ).all()


def count_pending(session: Session, actor: Principal) -> int:
    """How many pairs wait for a decision among those the steward sees (both records active
    and in their territories)."""
    permissions.require(actor, permissions.STAKEHOLDER_MERGE)
    visible = gate.visible_stakeholders(select(Stakeholder.id), actor).scalar_subquery()
    return int(
        session.scalar(
            select(func.count())
            .select_from(MatchCandidate)
            .where(
                MatchCandidate.status == CandidateStatus.pending,
                MatchCandidate.stakeholder_id.in_(visible),
                MatchCandidate.other_id.in_(visible),
            )
        )
        or 0
    )
