"""Near-duplicates for the demo: HCPs a rep or an event desk keyed in again by hand, as happens
in every CRM, so that the matcher and the stewards' queue have real work to show."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import Address, AddressKind, Stakeholder, StakeholderType
from accord.stakeholder.schemas import AddressIn, StakeholderCreate


@dataclass(frozen=True)
class Variation:
    """How the second entry differs from the registry record."""

    source: str
    #: keep the middle name, credentials, address exactly (a sure duplicate) or not
    exact: bool
    typo: bool = False
    moved: bool = False


#: half sure (merged by the matcher), half likely (left to the stewards)
VARIATIONS = (
    Variation("event sign-in sheet", exact=True),
    Variation("rep entry", exact=True),
    Variation("speaker bureau form", exact=True),
    Variation("congress badge scan", exact=True),
    Variation("rep entry", exact=False, typo=True),
    Variation("event sign-in sheet", exact=False, moved=True),
    Variation("medical information call", exact=False, typo=True, moved=True),
    Variation("rep entry", exact=False, moved=True),
)


def _typo(name: str, rng: np.random.Generator) -> str:
    """Two neighbouring letters swapped, as fast typing does."""
    if len(name) < 4:
        return name + name[-1]
    i = int(rng.integers(1, len(name) - 2))
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def seed_near_duplicates(session: Session, seed: int) -> list[tuple[int, int]]:
    """Key in again a few generated HCPs (deterministic for `seed`), without their NPI:
    (original id, duplicate id) pairs."""
    rng = np.random.default_rng(seed + 7)
    hcps = session.scalars(
        select(Stakeholder.id)
        .where(Stakeholder.type == StakeholderType.hcp, Stakeholder.middle_name.is_not(None))
        .order_by(Stakeholder.id)
    ).all()
    if len(hcps) < len(VARIATIONS):
        return []
    picked = sorted(int(x) for x in rng.choice(len(hcps), size=len(VARIATIONS), replace=False))
    out: list[tuple[int, int]] = []
    for index, variation in zip(picked, VARIATIONS, strict=True):
        original = session.get_one(Stakeholder, hcps[index])
        address = session.scalars(
            select(Address)
            .where(Address.stakeholder_id == original.id, Address.kind == AddressKind.practice)
            .order_by(Address.is_primary.desc(), Address.id)
        ).first()
        if address is None:
            continue
        last = original.last_name or ""
        line1 = address.line1
        if variation.moved:
            number = int(rng.integers(2, 900))
            line1 = f"{number} {line1.split(' ', 1)[-1]}"
        duplicate = stakeholder_service.create_stakeholder(
            session,
            None,
            StakeholderCreate(
                type=StakeholderType.hcp,
                first_name=original.first_name,
                middle_name=original.middle_name
                if variation.exact
                else (original.middle_name or "")[:1] or None,
                last_name=_typo(last, rng) if variation.typo else last,
                credentials=original.credentials if variation.exact else None,
                sex=original.sex,
                specialty=original.primary_specialty_code,
                address=AddressIn(
                    line1=line1.replace(" Street", " St").replace(" Avenue", " Ave"),
                    city=address.city,
                    state=address.state,
                    postal_code=None if variation.moved else address.postal_code,
                ),
                source=variation.source,
            ),
        )
        out.append((original.id, duplicate.id))
    return out
