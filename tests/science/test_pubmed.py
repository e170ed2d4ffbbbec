"""PubMed import on the real files (../shared/data/pubmed): every article, author slot,
affiliation and ORCID SOURCES.md counts; linking by ORCID and by name + affiliation + place;
re-imports, changed records, dry runs and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.importer import service as import_service
from accord.importer.models import ImportJob, ImportStatus
from accord.science.models import Publication, PublicationAuthor
from accord.science.pubmed import read_articles
from accord.stakeholder.models import Stakeholder, StakeholderIdentifier, StakeholderType
from tests.science.conftest import SINGLE, SUBSET, make_person, run_pubmed

HANSON_ORCID = "0000-0002-4106-9819"


def count(session: Session, *where: object) -> int:
    stmt = select(func.count()).select_from(PublicationAuthor)
    for clause in where:
        stmt = stmt.where(clause)  # type: ignore[arg-type]
    return int(session.scalar(stmt) or 0)


class TestImportPubmed:
    def test_the_subset_holds_every_article_author_and_orcid(
        self, session: Session, pubmed_dir: Path
    ) -> None:
        job = run_pubmed(session, pubmed_dir / SUBSET)
        assert (job.read, job.created, job.updated, job.rejected) == (557, 557, 0, 0)
        assert job.status == ImportStatus.succeeded
        pmids = session.execute(select(func.min(Publication.pmid), func.max(Publication.pmid)))
        assert pmids.one() == ("31981024", "34097190")
        assert session.scalar(select(func.count()).where(Publication.doi.is_not(None))) == 557
        years = dict(
            session.execute(
                select(Publication.published_year, func.count()).group_by(
                    Publication.published_year
                )
            ).all()
        )
        assert years == {2021: 529, 2020: 28}
        journals = dict(
            session.execute(
                select(Publication.journal_abbreviation, func.count()).group_by(
                    Publication.journal_abbreviation
                )
            ).all()
        )
        assert len(journals) == 23
        assert journals["Clin Imaging"] == 44
        assert journals["Contemp Clin Trials"] == 39
        assert count(session) == 4_344
        assert count(session, PublicationAuthor.collective_name.is_not(None)) == 21
        assert count(session, PublicationAuthor.last_name.is_not(None)) == 4_323
        assert count(session, PublicationAuthor.orcid.is_not(None)) == 277
        distinct_orcids = select(func.count(func.distinct(PublicationAuthor.orcid)))
        assert session.scalar(distinct_orcids) == 251
        with_affiliation = session.scalars(select(PublicationAuthor.affiliations)).all()
        assert sum(1 for a in with_affiliation if a) == 4_315
        # nobody is in the master yet: every person is named, none linked
        assert "4,323 people named: 0 linked by ORCID" in (job.message or "")

    def test_authors_keep_their_order_names_and_parsed_place(
        self, session: Session, pubmed_dir: Path
    ) -> None:
        run_pubmed(session, pubmed_dir / SUBSET)
        article = session.scalars(select(Publication).where(Publication.pmid == "31981024")).one()
        assert article.title.startswith("Charcot-Bouchard Dilatations")
        assert article.journal_abbreviation == "Neurocrit Care"
        assert article.doi == "10.1007/s12028-020-00924-4"
        assert article.publication_types == ["Journal Article"]
        author = session.scalars(
            select(PublicationAuthor).where(PublicationAuthor.publication_id == article.id)
        ).one()
        assert (author.position, author.last_name, author.fore_name, author.initials) == (
            1,
            "Wijdicks",
            "Eelco F M",
            "EFM",
        )
        assert author.orcid == "0000-0001-9807-9172"
        assert (author.city, author.state, author.country) == ("Rochester", "MN", "United States")

    def test_mesh_terms_are_kept(self, session: Session, pubmed_dir: Path) -> None:
        run_pubmed(session, pubmed_dir / SINGLE)
        article = session.scalars(select(Publication).where(Publication.pmid == "29768149")).one()
        assert article.mesh_terms
        assert all(isinstance(t, str) and t for t in article.mesh_terms)

    def test_re_importing_the_same_file_changes_nothing(
        self, session: Session, pubmed_dir: Path
    ) -> None:
        run_pubmed(session, pubmed_dir / SUBSET)
        again = run_pubmed(session, pubmed_dir / SUBSET)
        assert (again.read, again.created, again.updated, again.unchanged) == (557, 0, 0, 557)
        assert count(session) == 4_344

    def test_a_changed_record_updates_in_place(
        self, session: Session, pubmed_dir: Path, tmp_path: Path
    ) -> None:
        run_pubmed(session, pubmed_dir / SINGLE)
        before = session.scalars(select(Publication).where(Publication.pmid == "29768149")).one()
        pid, authors = before.id, count(session, PublicationAuthor.publication_id == before.id)
        text = (pubmed_dir / SINGLE).read_text()
        changed = tmp_path / "changed.xml"
        changed.write_text(text.replace("<ArticleTitle>", "<ArticleTitle>Corrected: ", 1))
        job = run_pubmed(session, changed)
        assert (job.created, job.updated, job.unchanged) == (0, 1, 0)
        session.expire_all()
        after = session.scalars(select(Publication).where(Publication.pmid == "29768149")).one()
        assert after.id == pid
        assert after.title.startswith("Corrected: ")
        assert count(session, PublicationAuthor.publication_id == pid) == authors

    def test_a_dry_run_counts_and_writes_nothing(self, session: Session, pubmed_dir: Path) -> None:
        job = run_pubmed(session, pubmed_dir / SUBSET, dry_run=True)
        assert (job.read, job.created) == (557, 557)
        assert job.message == "dry run: nothing was written"
        assert session.scalar(select(func.count()).select_from(Publication)) == 0


class TestLinking:
    def test_an_orcid_links_wherever_the_stakeholder_practises(
        self, session: Session, pubmed_dir: Path
    ) -> None:
        hanson = make_person(session, "Summer", "Hanson", orcid=HANSON_ORCID)
        job = run_pubmed(session, pubmed_dir / SUBSET)
        linked = session.execute(
            select(PublicationAuthor.linked_by, PublicationAuthor.link_score).where(
                PublicationAuthor.stakeholder_id == hanson.id
            )
        ).all()
        assert linked == [("orcid", 1.0)] * 6
        assert "6 linked by ORCID" in (job.message or "")

    def test_name_affiliation_and_place_link_when_one_candidate_wins(
        self, session: Session, pubmed_dir: Path
    ) -> None:
        schnipper = make_person(session, "Jeffrey", "Schnipper", city="Boston", state="MA")
        run_pubmed(session, pubmed_dir / SUBSET)
        rows = session.execute(
            select(PublicationAuthor.linked_by, PublicationAuthor.link_score).where(
                PublicationAuthor.stakeholder_id == schnipper.id
            )
        ).all()
        # first name 0.4 + city 0.15 + state 0.15 (no affiliation recorded in the master)
        assert rows == [("name_affiliation_place", 0.7)] * 2

    def test_people_who_are_not_clearly_the_same_stay_unlinked(
        self, session: Session, pubmed_dir: Path
    ) -> None:
        # Jessica D Hanson (Duluth, MN) is an author: a different first name is no candidate
        jane = make_person(session, "Jane", "Hanson", city="Duluth", state="MN")
        # Melhem Solh publishes from Atlanta, GA: the name alone (0.4) is below the threshold
        solh = make_person(session, "Melhem", "Solh", city="Boston", state="MA")
        # two Jeffrey Schnippers in Boston score the same: neither wins
        twins = [make_person(session, "Jeffrey", "Schnipper") for _ in range(2)]
        run_pubmed(session, pubmed_dir / SUBSET)
        ids = [jane.id, solh.id, *(t.id for t in twins)]
        assert count(session, PublicationAuthor.stakeholder_id.in_(ids)) == 0

    def test_create_researchers_gives_every_unlinked_orcid_a_node(
        self, session: Session, pubmed_dir: Path
    ) -> None:
        hanson = make_person(session, "Summer", "Hanson", orcid=HANSON_ORCID)
        job = run_pubmed(session, pubmed_dir / SUBSET, create_researchers=True)
        researchers = session.scalars(
            select(Stakeholder).where(Stakeholder.type == StakeholderType.researcher)
        ).all()
        # 251 distinct ORCIDs, one of them already held by Hanson
        assert len(researchers) == 250
        assert "250 researchers created" in (job.message or "")
        sources = session.scalars(
            select(StakeholderIdentifier.source).where(
                StakeholderIdentifier.stakeholder_id.in_([r.id for r in researchers])
            )
        ).all()
        assert sources == ["pubmed"] * 250
        assert count(session, PublicationAuthor.orcid.is_not(None)) == count(
            session, PublicationAuthor.linked_by == "orcid"
        )
        assert count(session, PublicationAuthor.stakeholder_id == hanson.id) == 6
        wijdicks = session.scalars(
            select(Stakeholder)
            .join(StakeholderIdentifier, StakeholderIdentifier.stakeholder_id == Stakeholder.id)
            .where(StakeholderIdentifier.value == "0000-0001-9807-9172")
        ).one()
        assert (wijdicks.name, wijdicks.city, wijdicks.state) == (
            "Eelco F M Wijdicks",
            "Rochester",
            "MN",
        )
        again = run_pubmed(session, pubmed_dir / SUBSET, create_researchers=True)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 557)
        assert "0 researchers created" in (again.message or "")


class TestBadFiles:
    def test_a_file_that_is_not_xml_fails_the_job_and_writes_nothing(
        self, session: Session, tmp_path: Path
    ) -> None:
        path = tmp_path / "articles.xml"
        path.write_text("PMID,Title\n1,Not XML\n")
        with pytest.raises(import_service.BadFile) as caught:
            run_pubmed(session, path)
        assert "articles.xml is not well-formed XML" in caught.value.message
        job = session.scalars(select(ImportJob).order_by(ImportJob.id.desc())).first()
        assert job is not None
        assert job.status == ImportStatus.failed
        assert session.scalar(select(func.count()).select_from(Publication)) == 0

    def test_another_root_element_is_refused(
        self, session: Session, trials_dir: Path, tmp_path: Path
    ) -> None:
        with pytest.raises(import_service.BadFile) as caught:
            run_pubmed(session, trials_dir / "legacy-xml" / "NCT00001177.xml")
        assert "root element is <clinical_study>, not <PubmedArticleSet>" in caught.value.message

    def test_a_truncated_file_writes_nothing_of_what_it_read(
        self, session: Session, pubmed_dir: Path, tmp_path: Path
    ) -> None:
        path = tmp_path / "truncated.xml"
        path.write_bytes((pubmed_dir / SUBSET).read_bytes()[:1_000_000])
        with pytest.raises(import_service.BadFile) as caught:
            run_pubmed(session, path)
        assert "truncated.xml is not well-formed XML (after article" in caught.value.message
        assert session.scalar(select(func.count()).select_from(Publication)) == 0

    def test_articles_stream_one_at_a_time(
        self, session: Session, pubmed_dir: Path, tmp_path: Path
    ) -> None:
        path = tmp_path / "truncated.xml"
        path.write_bytes((pubmed_dir / SUBSET).read_bytes()[:1_000_000])
        seen: list[str] = []

        def read_all() -> None:
            with import_service.run_job(session, kind="pubmed", path=path, dry_run=True) as run:
                seen.extend(article.pmid for article in read_articles(run, path))

        with pytest.raises(import_service.BadFile):
            read_all()
        # the articles before the break were handed over before the file was read to its end
        assert len(seen) > 50
        assert seen[0] == "31981024"

    def test_an_article_without_pmid_is_rejected_alone(
        self, session: Session, pubmed_dir: Path, tmp_path: Path
    ) -> None:
        text = (pubmed_dir / SINGLE).read_text()
        start = text.index("<PubmedArticle>")
        end = text.index("</PubmedArticle>") + len("</PubmedArticle>")
        article = text[start:end]
        broken = article.replace('<PMID Version="1">29768149</PMID>', "", 1)
        assert broken != article
        path = tmp_path / "two.xml"
        path.write_text(text[:start] + broken + article + text[end:])
        job = run_pubmed(session, path)
        assert (job.read, job.created, job.rejected) == (2, 1, 1)
