"""PubMed / MEDLINE XML (PubmedArticleSet): articles with their authors, affiliations and
ORCIDs, streamed element by element so that a baseline file of any size reads in constant memory."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from sqlalchemy import delete, insert, select, update

from accord.audit import trail
from accord.importer.service import BadFile, Run
from accord.science import service as science_service
from accord.science.linking import Link, Linker, Person, Place, orcid_of, place_of
from accord.science.models import Publication, PublicationAuthor

SOURCE = "pubmed"
BATCH = 200
ROOT = "PubmedArticleSet"
MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


@dataclass
class Author:
    position: int
    last_name: str | None
    fore_name: str | None
    initials: str | None
    collective_name: str | None
    orcid: str | None
    affiliations: list[str]
    place: Place

    def person(self) -> Person | None:
        if not self.last_name:
            return None
        return Person(
            last_name=self.last_name,
            first_name=self.fore_name or self.initials,
            orcid=self.orcid,
            affiliation=" ".join(self.affiliations) or None,
            city=self.place.city,
            state=self.place.state,
        )


@dataclass
class Article:
    number: int
    pmid: str
    values: dict[str, Any]
    authors: list[Author] = field(default_factory=list)


def _text(element: Element | None) -> str | None:
    """All the text of an element, inline markup (<i>, <sup>) included, spaces collapsed."""
    if element is None:
        return None
    value = " ".join("".join(element.itertext()).split())
    return value or None


def _published(issue: Element | None) -> tuple[int | None, date | None]:
    if issue is None:
        return None, None
    pub = issue.find("PubDate")
    if pub is None:
        return None, None
    year_text = _text(pub.find("Year"))
    if year_text is None:
        # MedlineDate: "2021 Jan-Feb", "2020-2021"
        found = re.search(r"\d{4}", _text(pub.find("MedlineDate")) or "")
        year_text = found.group(0) if found else None
    if year_text is None or not year_text.isdigit():
        return None, None
    year = int(year_text)
    month_text = (_text(pub.find("Month")) or "").lower()
    month = MONTHS.get(month_text[:3]) or (int(month_text) if month_text.isdigit() else 1)
    day_text = _text(pub.find("Day")) or ""
    day = int(day_text) if day_text.isdigit() else 1
    try:
        return year, date(year, month, day)
    except ValueError:
        return year, date(year, 1, 1)


def _authors(article: Element | None) -> list[Author]:
    out: list[Author] = []
    if article is None:
        return out
    for position, el in enumerate(article.findall("AuthorList/Author"), 1):
        affiliations = [
            a for a in (_text(x) for x in el.findall("AffiliationInfo/Affiliation")) if a
        ]
        orcid = None
        for ident in el.findall("Identifier"):
            if (ident.get("Source") or "").upper() == "ORCID":
                orcid = orcid_of(_text(ident))
        place = Place()
        for text in affiliations:
            place = place_of(text)
            if place.state:
                break
        out.append(
            Author(
                position=position,
                last_name=(_text(el.find("LastName")) or "")[:150] or None,
                fore_name=(_text(el.find("ForeName")) or "")[:150] or None,
                initials=(_text(el.find("Initials")) or "")[:20] or None,
                collective_name=(_text(el.find("CollectiveName")) or "")[:500] or None,
                orcid=orcid,
                affiliations=affiliations,
                place=place,
            )
        )
    return out


def parse_article(run: Run, number: int, element: Element) -> Article | None:
    citation = element.find("MedlineCitation")
    pmid = _text(citation.find("PMID")) if citation is not None else None
    if citation is None or pmid is None or not pmid.isdigit():
        run.reject(number, "PMID", pmid, "every article has its numeric PMID")
        return None
    article = citation.find("Article")
    doi = None
    for ident in element.findall("PubmedData/ArticleIdList/ArticleId"):
        if ident.get("IdType") == "doi":
            doi = _text(ident)
    if doi is None and article is not None:
        for loc in article.findall("ELocationID"):
            if loc.get("EIdType") == "doi":
                doi = _text(loc)
    journal = article.find("Journal") if article is not None else None
    year, published = _published(journal.find("JournalIssue") if journal is not None else None)
    values: dict[str, Any] = {
        "pmid": pmid,
        "doi": (doi or "")[:200] or None,
        "title": _text(article.find("ArticleTitle")) if article is not None else None,
        "journal": (_text(journal.find("Title")) or "")[:300] or None
        if journal is not None
        else None,
        "journal_abbreviation": (_text(journal.find("ISOAbbreviation")) or "")[:120] or None
        if journal is not None
        else None,
        "published_year": year,
        "published_date": published,
        "mesh_terms": [
            t
            for t in (
                _text(d) for d in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")
            )
            if t
        ],
        "publication_types": [
            t
            for t in (
                _text(p)
                for p in (
                    article.findall("PublicationTypeList/PublicationType")
                    if article is not None
                    else []
                )
            )
            if t
        ],
    }
    values["title"] = values["title"] or ""
    return Article(number, pmid, values, _authors(article))


def _elements(path: Path) -> Iterator[Element]:
    """The file's PubmedArticle and PubmedBookArticle elements in order, one in memory at a
    time. A file that is not XML, or whose root is not PubmedArticleSet, stops with BadFile."""
    number = 0
    root: Element | None = None
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            if root is None:
                if element.tag != ROOT:
                    raise BadFile(
                        f"{path.name} is not PubMed XML: the root element is <{element.tag}>, "
                        f"not <{ROOT}>",
                        field="file",
                    )
                root = element
                continue
            if event == "end" and element.tag in ("PubmedArticle", "PubmedBookArticle"):
                number += 1
                yield element
                root.clear()
    except ParseError as error:
        raise BadFile(
            f"{path.name} is not well-formed XML (after article {number}): {error}",
            field="file",
        ) from None
    except DefusedXmlException as error:
        raise BadFile(f"{path.name} uses forbidden XML constructs: {error}", field="file") from None
    if root is None:
        raise BadFile(f"{path.name} is empty", field="file")


def read_articles(run: Run, path: Path) -> Iterator[Article]:
    """The file's articles in order, streamed; book chapters and articles without a PMID are
    rejected alone."""
    for number, element in enumerate(_elements(path), 1):
        run.job.read += 1
        if element.tag == "PubmedBookArticle":
            run.reject(number, "PubmedBookArticle", None, "book chapters are not imported")
            continue
        record = parse_article(run, number, element)
        if record is not None:
            yield record


def _people_with_orcid(path: Path) -> Iterator[Person]:
    for element in _elements(path):
        citation = element.find("MedlineCitation")
        for author in _authors(citation.find("Article") if citation is not None else None):
            person = author.person()
            if person is not None and person.orcid:
                yield person


def _author_row(publication_id: int, author: Author, link: Link) -> dict[str, Any]:
    return {
        "publication_id": publication_id,
        "position": author.position,
        "last_name": author.last_name,
        "fore_name": author.fore_name,
        "initials": author.initials,
        "collective_name": author.collective_name,
        "orcid": author.orcid,
        "affiliations": author.affiliations,
        "city": author.place.city,
        "state": author.place.state,
        "country": author.place.country,
        "stakeholder_id": link.stakeholder_id,
        "linked_by": link.linked_by,
        "link_score": link.score,
    }


class Importer:
    def __init__(self, run: Run, create_researchers: bool) -> None:
        self.run = run
        self.linker = Linker(run.session)
        self.create_researchers = create_researchers
        self.seen: set[str] = set()

    def link_all(self, article: Article) -> list[Link]:
        links: list[Link] = []
        for author in article.authors:
            person = author.person()
            if person is None:
                links.append(Link())
                continue
            links.append(self.linker.link(person))
        return links

    def create_researchers_first(self, path: Path) -> None:
        """A first pass over the file creates the researchers for ORCIDs nobody holds, so
        that every author is then linked against the same master, whatever their order in the
        file (and a re-import finds exactly what the first import did)."""
        pending: dict[str, Person] = {}
        for person in _people_with_orcid(path):
            assert person.orcid is not None
            pending.setdefault(person.orcid, person)
        self.linker.prepare(pending.values())
        for orcid, person in pending.items():
            if orcid not in self.linker.orcids:
                self.linker.create_researcher(person, source=SOURCE)

    def apply(self, batch: list[Article]) -> None:
        session = self.run.session
        self.linker.prepare(p for a in batch for au in a.authors if (p := au.person()))
        existing = {
            pmid: (pid, fp)
            for pmid, pid, fp in session.execute(
                select(Publication.pmid, Publication.id, Publication.fingerprint).where(
                    Publication.pmid.in_([a.pmid for a in batch])
                )
            )
        }
        new: list[tuple[Article, list[Link], str]] = []
        children: list[dict[str, Any]] = []
        for article in batch:
            if article.pmid in self.seen:
                self.run.reject(
                    article.number, "PMID", article.pmid, "this PMID appears twice in the file"
                )
                continue
            self.seen.add(article.pmid)
            links = self.link_all(article)
            fingerprint = science_service.fingerprint(
                article.values, [(a, link) for a, link in zip(article.authors, links, strict=True)]
            )
            current = existing.get(article.pmid)
            if current is None:
                new.append((article, links, fingerprint))
                self.run.count("created")
            elif current[1] == fingerprint:
                self.run.count("unchanged")
            else:
                pid = current[0]
                session.execute(
                    update(Publication)
                    .where(Publication.id == pid)
                    .values(
                        **article.values, fingerprint=fingerprint, import_job_id=self.run.job.id
                    )
                )
                session.execute(
                    delete(PublicationAuthor).where(PublicationAuthor.publication_id == pid)
                )
                children.extend(
                    _author_row(pid, a, link)
                    for a, link in zip(article.authors, links, strict=True)
                )
                self.run.count("updated")
        if new:
            ids = session.scalars(
                insert(Publication).returning(Publication.id, sort_by_parameter_order=True),
                [
                    {**a.values, "fingerprint": fp, "import_job_id": self.run.job.id}
                    for a, _, fp in new
                ],
            ).all()
            for pid, (article, links, _) in zip(ids, new, strict=True):
                children.extend(
                    _author_row(pid, a, link)
                    for a, link in zip(article.authors, links, strict=True)
                )
        if children:
            session.execute(insert(PublicationAuthor), children)


def import_pubmed(run: Run, path: Path, *, create_researchers: bool = False) -> None:
    """Import one PubMed XML file into the run's savepoint, in batches."""
    importer = Importer(run, create_researchers)
    with trail.reason(run.session, f"PubMed import of {path.name} (job {run.job.id})"):
        if create_researchers:
            importer.create_researchers_first(path)
        science_service.apply_in_batches(run, read_articles(run, path), importer.apply, BATCH)
        science_service.close_job(
            run, path, entity="publication", what="PubMed", linker=importer.linker
        )
