"""Publications (PubMed) and clinical trials (ClinicalTrials.gov) with the people and sites in
them, each linked to a stakeholder where Accord can tell who it is."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from accord.db.base import Base, Timestamped


class Publication(Timestamped, Base):
    """One PubMed article. NLM's published data, loaded by recorded import jobs (one audit
    entry per job, as for Open Payments); `fingerprint` is the hash of everything the import
    derived from the record, links included, so a re-import can tell unchanged from updated."""

    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    pmid: Mapped[str] = mapped_column(String(20), unique=True)
    doi: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    journal: Mapped[str | None] = mapped_column(String(300))
    journal_abbreviation: Mapped[str | None] = mapped_column(String(120))
    published_year: Mapped[int | None]
    #: the issue's date; the first of the month (or of January) where PubMed gives less
    published_date: Mapped[date | None]
    mesh_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    publication_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    fingerprint: Mapped[str] = mapped_column(String(64))
    import_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_job.id", ondelete="SET NULL")
    )


class PublicationAuthor(Base):
    """An author slot of an article, in order; a collective name has no person names."""

    __tablename__ = "publication_author"
    __table_args__ = (UniqueConstraint("publication_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"))
    position: Mapped[int]
    last_name: Mapped[str | None] = mapped_column(String(150))
    fore_name: Mapped[str | None] = mapped_column(String(150))
    initials: Mapped[str | None] = mapped_column(String(20))
    collective_name: Mapped[str | None] = mapped_column(String(500))
    orcid: Mapped[str | None] = mapped_column(String(19), index=True)
    affiliations: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: the place parsed from the first affiliation that names one (US city and state)
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(2))
    country: Mapped[str | None] = mapped_column(String(100))
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )
    #: orcid | name_affiliation_place | None (not linked)
    linked_by: Mapped[str | None] = mapped_column(String(30))
    link_score: Mapped[float | None] = mapped_column(Float)


class ClinicalTrial(Timestamped, Base):
    """One ClinicalTrials.gov study (API v2 JSON or the legacy XML); phase and status in the
    API v2 vocabulary (PHASE1/PHASE2, ACTIVE_NOT_RECRUITING) whatever the source format."""

    __tablename__ = "clinical_trial"

    id: Mapped[int] = mapped_column(primary_key=True)
    nct_id: Mapped[str] = mapped_column(String(11), unique=True)
    title: Mapped[str] = mapped_column(Text)
    official_title: Mapped[str | None] = mapped_column(Text)
    phase: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str | None] = mapped_column(String(60))
    study_type: Mapped[str | None] = mapped_column(String(60))
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    interventions: Mapped[list[str]] = mapped_column(JSON, default=list)
    sponsor: Mapped[str | None] = mapped_column(String(300))
    sponsor_class: Mapped[str | None] = mapped_column(String(40))
    start_date: Mapped[date | None]
    completion_date: Mapped[date | None]
    enrollment: Mapped[int | None]
    source_format: Mapped[str] = mapped_column(String(20))  # api_v2_json | legacy_xml
    fingerprint: Mapped[str] = mapped_column(String(64))
    import_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_job.id", ondelete="SET NULL")
    )


class TrialOfficial(Base):
    """An overall official: principal investigator, study director or chair."""

    __tablename__ = "trial_official"
    __table_args__ = (UniqueConstraint("trial_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("clinical_trial.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str | None] = mapped_column(String(60))
    affiliation: Mapped[str | None] = mapped_column(String(500))
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )
    linked_by: Mapped[str | None] = mapped_column(String(30))
    link_score: Mapped[float | None] = mapped_column(Float)


class TrialSite(Base):
    """A location of a trial, linked to an organization stakeholder by name, city and state."""

    __tablename__ = "trial_site"
    __table_args__ = (UniqueConstraint("trial_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("clinical_trial.id", ondelete="CASCADE"))
    position: Mapped[int]
    facility: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    zip: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(60))
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )
    linked_by: Mapped[str | None] = mapped_column(String(30))
    link_score: Mapped[float | None] = mapped_column(Float)


class TrialSiteInvestigator(Base):
    """A person at a site: the legacy XML's site investigators, API v2's site contacts."""

    __tablename__ = "trial_site_investigator"
    __table_args__ = (
        UniqueConstraint("site_id", "position"),
        Index("ix_trial_site_investigator_trial_id", "trial_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("trial_site.id", ondelete="CASCADE"))
    #: the site's trial, kept here so a stakeholder's trials read without the site
    trial_id: Mapped[int] = mapped_column(ForeignKey("clinical_trial.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str | None] = mapped_column(String(60))
    stakeholder_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder.id", ondelete="SET NULL"), index=True
    )
    linked_by: Mapped[str | None] = mapped_column(String(30))
    link_score: Mapped[float | None] = mapped_column(Float)
