"""Stakeholders (persons and organizations) and what identifies and places them."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.audit.mixin import Audited
from accord.db.base import Base, Timestamped, code_string, str_enum


class StakeholderKind(enum.StrEnum):
    person = "person"
    organization = "organization"


class StakeholderType(enum.StrEnum):
    # persons
    hcp = "hcp"
    researcher = "researcher"
    payer_official = "payer_official"
    regulator_official = "regulator_official"
    patient_advocate = "patient_advocate"
    # organizations
    hospital = "hospital"
    clinic = "clinic"
    academic_medical_center = "academic_medical_center"
    idn = "idn"
    payer = "payer"
    health_plan = "health_plan"
    pbm = "pbm"
    regulatory_agency = "regulatory_agency"
    patient_advocacy_group = "patient_advocacy_group"
    professional_society = "professional_society"


PERSON_TYPES = frozenset(
    {
        StakeholderType.hcp,
        StakeholderType.researcher,
        StakeholderType.payer_official,
        StakeholderType.regulator_official,
        StakeholderType.patient_advocate,
    }
)


class Tier(enum.StrEnum):
    """The stakeholder pyramid: very few global, some national, more regional, most local."""

    global_ = "global"
    national = "national"
    regional = "regional"
    local = "local"


class StakeholderStatus(enum.StrEnum):
    active = "active"
    inactive = "inactive"
    #: merged into another record (merged_into_id): hidden from lists, search and views
    merged = "merged"


class Specialty(Base):
    """A NUCC Health Care Provider Taxonomy code (reference data)."""

    __tablename__ = "specialty"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    grouping: Mapped[str] = mapped_column(String(200))
    classification: Mapped[str] = mapped_column(String(200))
    specialization: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(250))


class Stakeholder(Audited, Timestamped, Base):
    """A person or organization the company engages. `territory_id`, `state` and `city` are the
    primary practice location, kept here so that every list filters without a join."""

    __tablename__ = "stakeholder"
    __table_args__ = (
        Index("ix_stakeholder_territory_id_id", "territory_id", "id"),
        # byte-ordered (code_string): serves ORDER BY sort_name and the prefix LIKE of name
        # search alike
        Index("ix_stakeholder_sort_name", "sort_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[StakeholderKind] = mapped_column(str_enum(StakeholderKind, 16))
    type: Mapped[StakeholderType] = mapped_column(str_enum(StakeholderType), index=True)
    name: Mapped[str] = mapped_column(String(300))
    #: lower-case "last first" for search and ordering, compared byte by byte
    sort_name: Mapped[str] = mapped_column(code_string(300))
    first_name: Mapped[str | None] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    credentials: Mapped[str | None] = mapped_column(String(60))
    sex: Mapped[str | None] = mapped_column(String(1))
    primary_specialty_code: Mapped[str | None] = mapped_column(
        ForeignKey("specialty.code", ondelete="SET NULL"), index=True
    )
    tier: Mapped[Tier | None] = mapped_column(str_enum(Tier, 16), index=True)
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("territory.id", ondelete="SET NULL")
    )
    state: Mapped[str | None] = mapped_column(code_string(2), index=True)
    city: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[StakeholderStatus] = mapped_column(
        str_enum(StakeholderStatus, 16), default=StakeholderStatus.active
    )
    #: another name the organization uses (NPPES "other organization name": DBA, former name)
    other_name: Mapped[str | None] = mapped_column(String(300))
    #: an organization subpart's parent, by legal business name as the registry gives it
    parent_organization_name: Mapped[str | None] = mapped_column(String(300))
    #: the bulk import job that created the stakeholder (its chained audit entry covers the
    #: creation; see docs/importing.md); None for stakeholders created one by one
    import_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_job.id", ondelete="SET NULL")
    )
    #: the survivor this record was merged into (status `merged`); kept so a merge can be undone
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL")
    )


class StakeholderIdentifier(Audited, Base):
    """An identifier with where it came from and when (NPI, ORCID, CMS profile id, ...)."""

    __tablename__ = "stakeholder_identifier"
    # value first: the system repeats across millions of rows, the value tells them apart,
    # so the index sorts on 8-byte prefixes of the value (see the 2026-12-03 migration)
    __table_args__ = (UniqueConstraint("value", "system"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    system: Mapped[str] = mapped_column(code_string(40))  # npi, orcid, cms_profile_id, license:CA
    value: Mapped[str] = mapped_column(code_string(80))
    source: Mapped[str] = mapped_column(String(80))
    recorded_on: Mapped[date]


class StakeholderSpecialty(Audited, Base):
    __tablename__ = "stakeholder_specialty"
    __table_args__ = (UniqueConstraint("stakeholder_id", "specialty_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    specialty_code: Mapped[str] = mapped_column(ForeignKey("specialty.code", ondelete="RESTRICT"))
    is_primary: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(80))


class AddressKind(enum.StrEnum):
    practice = "practice"
    mailing = "mailing"


class Address(Audited, Base):
    """A practice or mailing address with its contact points (the `contact` category)."""

    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AddressKind] = mapped_column(str_enum(AddressKind, 16))
    is_primary: Mapped[bool] = mapped_column(default=False)
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    source: Mapped[str] = mapped_column(String(80))


class Affiliation(Audited, Base):
    """person -> organization or organization -> organization, with a role and dates: the
    organizational status."""

    __tablename__ = "affiliation"

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(80))
    is_primary: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(80))


class StakeholderProduct(Audited, Base):
    """A product a stakeholder relates to (prescriber, investigator, payer decision); the
    firewall reads the strictest stage among them."""

    __tablename__ = "stakeholder_product"
    __table_args__ = (UniqueConstraint("stakeholder_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    relation: Mapped[str] = mapped_column(String(40))


class AuthorizedOfficial(Audited, Base):
    """The person who signs for an organization in the NPI registry."""

    __tablename__ = "authorized_official"

    id: Mapped[int] = mapped_column(primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="CASCADE"), unique=True
    )
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str | None] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(120))
    credentials: Mapped[str | None] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(80))
