"""ClinicalTrials.gov import on the real records (../shared/data/clinicaltrials-gov): API v2
JSON in every shape and the legacy XML, with SOURCES.md's counts of officials, sites and site
investigators; linking investigators and sites; re-imports, dry runs and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.importer import service as import_service
from accord.importer.models import ImportRowError
from accord.science.clinicaltrials import legacy_phase, partial_date, vocabulary
from accord.science.models import ClinicalTrial, TrialOfficial, TrialSite, TrialSiteInvestigator
from tests.science.conftest import make_organization, make_person, run_trials

MATCH = "NCT02465060"


def trial(session: Session, nct: str) -> ClinicalTrial:
    return session.scalars(select(ClinicalTrial).where(ClinicalTrial.nct_id == nct)).one()


def total(session: Session, model: type, *where: object) -> int:
    stmt = select(func.count()).select_from(model)
    for clause in where:
        stmt = stmt.where(clause)  # type: ignore[arg-type]
    return int(session.scalar(stmt) or 0)


def grouped(session: Session, column: object, *where: object) -> dict[object, int]:
    stmt = select(column, func.count()).group_by(column)  # type: ignore[call-overload]
    for clause in where:
        stmt = stmt.where(clause)
    return dict(session.execute(stmt).all())


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
        ("Principal Investigator", "PRINCIPAL_INVESTIGATOR"),
        ("", None),
    ],
)
def test_legacy_values_take_the_api_v2_spelling(text: str, value: str | None) -> None:
    assert vocabulary(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("Phase 1/Phase 2", "PHASE1/PHASE2"), ("N/A", "NA"), ("Early Phase 1", "EARLY_PHASE1")],
)
def test_legacy_phases_take_the_api_v2_spelling(text: str, value: str) -> None:
    assert legacy_phase(text) == value


def test_partial_dates_fall_on_the_first() -> None:
    assert str(partial_date("August 2015")) == "2015-08-01"
    assert str(partial_date("August 12, 2015")) == "2015-08-12"
    assert str(partial_date("2014-08")) == "2014-08-01"
    assert partial_date("soon") is None


class TestApiV2Json:
    def test_the_folder_of_studies(self, session: Session, trials_dir: Path) -> None:
        job = run_trials(session, trials_dir / "api-v2-json")
        assert (job.read, job.created, job.rejected) == (12, 12, 0)
        assert total(session, TrialOfficial) == 9
        assert total(session, TrialSite) == 157
        ucb = trial(session, "NCT02552212")
        assert ucb.sponsor == "UCB BIOSCIENCES GmbH"
        assert total(session, TrialSite, TrialSite.trial_id == ucb.id) == 105
        regeneron = trial(session, "NCT02210780")
        assert (regeneron.phase, regeneron.status, regeneron.enrollment) == (
            "PHASE2",
            "COMPLETED",
            194,
        )
        assert regeneron.conditions == ["Atopic Dermatitis"]
        assert regeneron.interventions == ["DRUG: Dupilumab", "DRUG: Placebo"]
        assert str(regeneron.start_date) == "2014-08-05"
        assert total(session, TrialSite, TrialSite.trial_id == regeneron.id) == 42
        for partial in ("NCT00465816", "NCT03453554"):
            assert trial(session, partial).status is None

    def test_site_contacts_are_kept_with_their_role(
        self, session: Session, trials_dir: Path
    ) -> None:
        run_trials(session, trials_dir / "api-v2-json" / "NCT06171568.json")
        paris = trial(session, "NCT06171568")
        people = session.execute(
            select(TrialSiteInvestigator.name, TrialSiteInvestigator.role)
            .where(TrialSiteInvestigator.trial_id == paris.id)
            .order_by(TrialSiteInvestigator.position)
        ).all()
        assert people == [
            ("Camille Heslot, MD", "CONTACT"),
            ("Emmanuel Mandonnet, MD, PhD", "CONTACT"),
        ]

    @pytest.mark.parametrize("shape", ["array", "page", "ndjson"])
    def test_an_array_a_page_or_ndjson_of_studies(
        self, session: Session, trials_dir: Path, tmp_path: Path, shape: str
    ) -> None:
        studies = [
            json.loads(p.read_text()) for p in sorted((trials_dir / "api-v2-json").glob("*.json"))
        ]
        if shape == "ndjson":
            path = tmp_path / "studies.ndjson"
            path.write_text("\n".join(json.dumps(s) for s in studies) + "\n")
        else:
            path = tmp_path / "studies.json"
            document = studies if shape == "array" else {"studies": studies}
            path.write_text(json.dumps(document))
        job = run_trials(session, path)
        assert (job.read, job.created) == (12, 12)
        assert total(session, TrialSite) == 157


class TestLegacyXml:
    def test_the_folder_of_studies(self, session: Session, trials_dir: Path) -> None:
        job = run_trials(session, trials_dir / "legacy-xml")
        # NCT00980226.xml is another download of NCT00081588: the second is reported, not kept
        assert (job.read, job.created, job.rejected) == (60, 59, 1)
        error = session.scalars(select(ImportRowError).where(ImportRowError.job_id == job.id))
        assert error.one().reason == (
            "NCT00980226.xml: this NCT number was already read in this import"
        )
        # SOURCES.md counts the 60 files: 70 officials and 2,249 locations, 68 and one study
        # director of them in the duplicate
        assert grouped(session, TrialOfficial.role) == {
            "PRINCIPAL_INVESTIGATOR": 40,
            "STUDY_DIRECTOR": 20,
            "STUDY_CHAIR": 9,
        }
        assert total(session, TrialSite) == 2_249 - 68
        assert total(session, TrialSiteInvestigator) == 1_135
        assert grouped(session, ClinicalTrial.sponsor_class) == {
            "OTHER": 34,
            "INDUSTRY": 22,
            "NIH": 2,
            None: 1,
        }

    def test_the_nci_match_trial_is_an_investigator_site_network(
        self, session: Session, trials_dir: Path
    ) -> None:
        run_trials(session, trials_dir / "legacy-xml" / f"{MATCH}.xml")
        match = trial(session, MATCH)
        assert (match.sponsor, match.sponsor_class, match.phase, match.status) == (
            "National Cancer Institute (NCI)",
            "NIH",
            "PHASE2",
            "RECRUITING",
        )
        assert (str(match.start_date), match.enrollment) == ("2015-08-12", 6452)
        official = session.scalars(
            select(TrialOfficial).where(TrialOfficial.trial_id == match.id)
        ).one()
        assert (official.name, official.role, official.affiliation) == (
            "Keith Flaherty",
            "PRINCIPAL_INVESTIGATOR",
            "ECOG-ACRIN Cancer Research Group",
        )
        on_match = TrialSite.trial_id == match.id
        assert total(session, TrialSite, on_match) == 1_218
        assert grouped(session, TrialSite.country, on_match) == {
            "United States": 1_214,
            "Puerto Rico": 4,
        }
        assert session.scalar(select(func.count(func.distinct(TrialSite.facility))).where(on_match))
        states = session.scalars(select(TrialSite.state).where(on_match)).all()
        assert len(set(states) - {None}) == 51
        assert states.count(None) == 4
        people = TrialSiteInvestigator.trial_id == match.id
        assert grouped(session, TrialSiteInvestigator.role, people) == {
            "PRINCIPAL_INVESTIGATOR": 1_113
        }
        names = grouped(session, TrialSiteInvestigator.name, people)
        assert len(names) == 256
        assert names["Mehmet S. Copur"] == 60
        assert names["Philip J. Stella"] == 52

    def test_re_importing_the_same_folder_changes_nothing(
        self, session: Session, trials_dir: Path
    ) -> None:
        run_trials(session, trials_dir / "legacy-xml")
        again = run_trials(session, trials_dir / "legacy-xml")
        assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 59, 1)
        assert total(session, TrialSite) == 2_181

    def test_a_changed_record_updates_in_place(
        self, session: Session, trials_dir: Path, tmp_path: Path
    ) -> None:
        source = trials_dir / "legacy-xml" / f"{MATCH}.xml"
        run_trials(session, source)
        before = trial(session, MATCH).id
        changed = tmp_path / f"{MATCH}.xml"
        changed.write_text(
            source.read_text().replace(
                "<overall_status>Recruiting</overall_status>",
                "<overall_status>Active, not recruiting</overall_status>",
            )
        )
        job = run_trials(session, changed)
        assert (job.created, job.updated) == (0, 1)
        session.expire_all()
        after = trial(session, MATCH)
        assert (after.id, after.status) == (before, "ACTIVE_NOT_RECRUITING")
        assert total(session, TrialSite, TrialSite.trial_id == before) == 1_218
        assert total(session, TrialSiteInvestigator, TrialSiteInvestigator.trial_id == before) == (
            1_113
        )

    def test_a_dry_run_counts_and_writes_nothing(self, session: Session, trials_dir: Path) -> None:
        job = run_trials(session, trials_dir / "legacy-xml", dry_run=True)
        assert (job.read, job.created) == (60, 59)
        assert total(session, ClinicalTrial) == 0


class TestLinking:
    def test_an_investigator_links_at_the_sites_in_their_city(
        self, session: Session, trials_dir: Path
    ) -> None:
        copur = make_person(session, "Mehmet", "Copur", city="Omaha", state="NE")
        run_trials(session, trials_dir / "legacy-xml" / f"{MATCH}.xml")
        linked = session.execute(
            select(
                TrialSite.city, TrialSiteInvestigator.linked_by, TrialSiteInvestigator.link_score
            )
            .join(TrialSite, TrialSite.id == TrialSiteInvestigator.site_id)
            .where(TrialSiteInvestigator.stakeholder_id == copur.id)
        ).all()
        # PI at 60 sites; first name, city and state agree only at the 5 in Omaha (0.7), the
        # other Nebraska sites score 0.55, below the threshold
        assert linked == [("Omaha", "name_affiliation_place", 0.7)] * 5

    def test_a_site_links_to_the_organization_by_name_city_and_state(
        self, session: Session, trials_dir: Path
    ) -> None:
        dana = make_organization(session, "Dana-Farber Cancer Institute", city="Boston", state="MA")
        make_organization(session, "Boston Medical Center", city="Boston", state="MA")
        job = run_trials(session, trials_dir / "legacy-xml" / f"{MATCH}.xml")
        sites = session.execute(
            select(TrialSite.facility, TrialSite.linked_by).where(
                TrialSite.organization_id == dana.id
            )
        ).all()
        assert sites == [("Dana-Farber Cancer Institute", "name_city_state")]
        assert "1,218 sites, 2 linked to organizations" in (job.message or "")


class TestBadFiles:
    def test_invalid_json_fails_naming_the_file(self, session: Session, tmp_path: Path) -> None:
        path = tmp_path / "study.json"
        path.write_text('{"protocolSection": ')
        with pytest.raises(import_service.BadFile) as caught:
            run_trials(session, path)
        assert "study.json is not valid JSON" in caught.value.message
        assert total(session, ClinicalTrial) == 0

    def test_json_that_is_no_study_fails(self, session: Session, tmp_path: Path) -> None:
        path = tmp_path / "other.json"
        path.write_text('{"resourceType": "Bundle"}')
        with pytest.raises(import_service.BadFile) as caught:
            run_trials(session, path)
        assert "other.json is not a ClinicalTrials.gov API v2 study" in caught.value.message

    def test_the_retired_v1_format_is_named(self, session: Session, tmp_path: Path) -> None:
        path = tmp_path / "v1.json"
        path.write_text('{"FullStudiesResponse": {"FullStudies": []}}')
        with pytest.raises(import_service.BadFile) as caught:
            run_trials(session, path)
        assert "retired API v1 format" in caught.value.message

    def test_xml_with_another_root_fails(
        self, session: Session, data_dir: Path, tmp_path: Path
    ) -> None:
        path = tmp_path / "pubmed.xml"
        path.write_bytes((data_dir / "pubmed" / "pubmed-29768149.xml").read_bytes())
        with pytest.raises(import_service.BadFile) as caught:
            run_trials(session, path)
        assert "root element is <PubmedArticleSet>, not <clinical_study>" in caught.value.message

    def test_a_broken_file_in_a_folder_writes_nothing_of_the_folder(
        self, session: Session, trials_dir: Path, tmp_path: Path
    ) -> None:
        folder = tmp_path / "studies"
        folder.mkdir()
        for name in ("NCT00001177.xml", "NCT00023673.xml"):
            (folder / name).write_bytes((trials_dir / "legacy-xml" / name).read_bytes())
        (folder / "NCT99999999.xml").write_text("<clinical_study><id_info>")
        with pytest.raises(import_service.BadFile) as caught:
            run_trials(session, folder)
        assert "NCT99999999.xml is not well-formed XML" in caught.value.message
        assert total(session, ClinicalTrial) == 0

    def test_a_bad_ndjson_line_is_rejected_alone(
        self, session: Session, trials_dir: Path, tmp_path: Path
    ) -> None:
        study = json.loads((trials_dir / "api-v2-json" / "NCT03418623.json").read_text())
        path = tmp_path / "studies.ndjson"
        path.write_text(json.dumps(study) + "\n{not json\n" + json.dumps({"x": 1}) + "\n")
        job = run_trials(session, path)
        assert (job.read, job.created, job.rejected) == (3, 1, 2)
        reasons = session.scalars(
            select(ImportRowError.reason)
            .where(ImportRowError.job_id == job.id)
            .order_by(ImportRowError.row_number)
        ).all()
        assert reasons[0].startswith("studies.ndjson line 2 is not JSON")
        assert reasons[1] == "not an API v2 study (no protocolSection)"

    def test_a_folder_without_study_files_fails(self, session: Session, tmp_path: Path) -> None:
        (tmp_path / "readme.txt").write_text("nothing here")
        with pytest.raises(import_service.BadFile) as caught:
            run_trials(session, tmp_path)
        assert "holds no ClinicalTrials.gov file" in caught.value.message
