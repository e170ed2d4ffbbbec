"""A small network for the tests: four physicians and a hospital in Boston and Los Angeles,
related by an affiliation, a referral, a national congress and a co-authored paper."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.event.models import Event, EventKind, EventParticipant, EventScope, ParticipantRole
from accord.network import service_recompute
from accord.network.models import Referral
from accord.product.models import TherapeuticArea
from accord.science.models import Publication, PublicationAuthor
from accord.stakeholder import service as stakeholder_service
from accord.stakeholder.models import Affiliation, Stakeholder
from accord.stakeholder.schemas import AddressIn, StakeholderCreate
from tests.factories import make_hcp


def hospital(session: Session, name: str, city: str, state: str) -> Stakeholder:
    return stakeholder_service.create_stakeholder(
        session,
        None,
        StakeholderCreate(
            type="hospital",  # type: ignore[arg-type]
            organization_name=name,
            address=AddressIn(line1="1 Hospital Way", city=city, state=state),
        ),
    )


def paper(session: Session, pmid: str, title: str, *authors: Stakeholder) -> None:
    publication = Publication(
        pmid=pmid, title=title, published_date=date(2026, 3, 1), fingerprint=pmid, mesh_terms=[]
    )
    session.add(publication)
    session.flush()
    for position, author in enumerate(authors, start=1):
        session.add(
            PublicationAuthor(
                publication_id=publication.id,
                position=position,
                last_name=author.last_name,
                fore_name=author.first_name,
                stakeholder_id=author.id,
                city=author.city,
                state=author.state,
                country="USA",
            )
        )
    session.flush()


class Graph:
    """Boston: Ames and Baker at Fenway General, Cole refers to Ames, Ames speaks at a national
    cardiology congress to Baker and Cole; Ames writes a cardiology paper with West (Los
    Angeles, another territory)."""

    def __init__(self, session: Session) -> None:
        cardio = session.scalars(
            select(TherapeuticArea).where(TherapeuticArea.code == "CARDIO")
        ).one()
        cardio.keywords = ["cardi", "heart"]
        self.ames = make_hcp(session, "Ames")
        self.baker = make_hcp(session, "Baker")
        self.cole = make_hcp(session, "Cole", city="Cambridge")
        self.west = make_hcp(session, "West", city="Los Angeles", state="CA")
        self.fenway = hospital(session, "Fenway General Hospital", "Boston", "MA")
        for person in (self.ames, self.baker):
            session.add(
                Affiliation(
                    stakeholder_id=person.id,
                    organization_id=self.fenway.id,
                    role="attending",
                    source="test",
                )
            )
        session.add(
            Referral(
                from_npi="1234567893",
                to_npi="1245319599",
                from_stakeholder_id=self.cole.id,
                to_stakeholder_id=self.ames.id,
                pair_count=40,
                beneficiary_count=30,
                same_day_count=2,
            )
        )
        congress = Event(
            name="National Heart Congress 2026",
            kind=EventKind.congress,
            scope=EventScope.national,
            therapeutic_area_id=cardio.id,
            start_date=date(2026, 5, 1),
            city="Chicago",
            state="IL",
        )
        session.add(congress)
        session.flush()
        for person, role in (
            (self.ames, ParticipantRole.speaker),
            (self.baker, ParticipantRole.attendee),
            (self.cole, ParticipantRole.attendee),
        ):
            session.add(EventParticipant(event_id=congress.id, stakeholder_id=person.id, role=role))
        paper(session, "90000001", "Heart failure in the community", self.ames, self.west)
        session.flush()


def computed_graph(session: Session) -> Graph:
    """The graph with its first snapshot computed (the caller commits when a request must see
    it)."""
    built = Graph(session)
    service_recompute.recompute(session, requested_by="test")
    return built
