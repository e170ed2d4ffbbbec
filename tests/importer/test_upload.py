"""Uploads through POST /api/v1/imports and the /imports page: the file is stored with its
SHA-256, the job is queued at once and a background job runs the importer (in-process here, a
real `accord worker` on Redis below) with the same counts as the CLI; bad uploads are refused
naming the field, bad files fail their job and write nothing; progress is visible mid-run."""

from __future__ import annotations

import hashlib
import io
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accord.access.principal import Principal
from accord.app import create_app
from accord.cli import app as cli_app
from accord.config import Settings
from accord.db.session import Database, set_database
from accord.errors import InvalidInput
from accord.importer import service as import_service
from accord.importer import service_upload
from accord.importer.jobs import run_uploaded_import
from accord.importer.kinds import KINDS, import_kind
from accord.importer.models import ImportJob, ImportStatus
from accord.importer.progress import Progress, RedisProgress, local_progress
from accord.importer.upload import store_file
from accord.jobs.dispatch import configure_broker, wait_for_background
from accord.stakeholder.models import Specialty, Stakeholder
from tests.backends import REDIS_URL, fresh_database, unavailable

NUCC = "nucc-taxonomy/nucc_taxonomy_251.csv"
NPPES = "nppes-csv/npidata_pfile_2025-04_first1000.csv"
REPO_ROOT = Path(__file__).resolve().parents[2]


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def upload_dir(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def settings(settings: Settings, upload_dir: Path) -> Settings:
    """The suite's settings with an upload folder of the test's own."""
    return settings.model_copy(update={"upload_dir": upload_dir})


def nppes_head(data_dir: Path, tmp_path: Path, rows: int, name: str = "nppes-head.csv") -> Path:
    """The real NPPES sample's header and first rows (the whole sample takes ~14 s)."""
    lines = (data_dir / NPPES).read_text(encoding="utf-8").splitlines(keepends=True)
    out = tmp_path / name
    out.write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return out


def upload(
    client: TestClient,
    headers: dict[str, str],
    path: Path | None,
    kind: str | None,
    *,
    dry_run: str | None = None,
    filename: str | None = None,
) -> tuple[int, dict[str, object], dict[str, str]]:
    data = {k: v for k, v in (("kind", kind), ("dry_run", dry_run)) if v is not None}
    files = None
    if path is not None:
        files = {"file": (filename or path.name, path.read_bytes(), "application/octet-stream")}
    response = client.post("/api/v1/imports", headers=headers, data=data, files=files)
    return response.status_code, response.json(), dict(response.headers)


def finished(client: TestClient, headers: dict[str, str], job_id: int) -> dict[str, object]:
    """The job once the in-process background run is over."""
    wait_for_background(timeout=120)
    response = client.get(f"/api/v1/imports/{job_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def cli_counts(path: Path, kind: str) -> dict[str, int]:
    """What `accord import <kind> --dry-run FILE` reports for the same file."""
    command = import_kind(kind).command
    result = CliRunner().invoke(cli_app, ["import", command, "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    job_id = int(result.output.split("job ", 1)[1].split(":", 1)[0])
    return {"job": job_id, **{k: int(v.replace(",", "")) for k, v in _counts(result.output)}}


def _counts(output: str) -> list[tuple[str, str]]:
    line = " ".join(output.split())
    pairs = []
    for key in import_service.COUNTS:
        value = line.split(f"{key} ", 1)[1].split(",")[0].split()[0]
        pairs.append((key, value))
    return pairs


def counts_of(body: dict[str, object]) -> dict[str, object]:
    return {k: body[k] for k in import_service.COUNTS}


def count(session: Session, model: type[Stakeholder] | type[Specialty]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def stored_files(upload_dir: Path) -> list[Path]:
    return sorted(upload_dir.glob("*")) if upload_dir.exists() else []


# --- the registry --------------------------------------------------------------------------


class TestTheRegistryOfImportKinds:
    def test_lists_every_importer_with_its_file_types(self) -> None:
        assert {k: v.suffixes for k, v in KINDS.items()} == {
            "nucc": (".csv",),
            "nppes": (".csv", ".zip"),
            "npi_json": (".json",),
            "open_payments": (".csv",),
            "referrals": (".csv", ".txt"),
            "fhir": (".json", ".ndjson"),
            "pubmed": (".xml",),
            "clinicaltrials": (".json", ".ndjson", ".xml"),
        }

    def test_an_unknown_kind_names_the_field_and_the_kinds(self) -> None:
        with pytest.raises(InvalidInput) as raised:
            import_kind("pubmedd")
        assert raised.value.field == "kind"
        assert (
            "nucc, nppes, npi_json, open_payments, referrals, fhir, pubmed, clinicaltrials"
            in str(raised.value)
        )


# --- uploads in-process --------------------------------------------------------------------


class TestUploadARealFile:
    """POST /api/v1/imports in-process: 202 with the queued job, then the same counts as the
    CLI for the same file."""

    def test_nucc_is_queued_then_succeeds_with_the_cli_counts(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
        session: Session,
        upload_dir: Path,
    ) -> None:
        path = data_dir / NUCC
        expected = cli_counts(path, "nucc")
        admin = api_as("admin")

        status, body, headers = upload(client, admin, path, "nucc")

        assert status == 202, body
        assert body["status"] == "queued"
        assert headers["location"] == f"/api/v1/imports/{body['id']}"
        assert body["source_name"] == path.name
        assert body["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert body["source_bytes"] == path.stat().st_size
        assert body["started_by"] == "admin"
        assert body["queued_at"] is not None

        done = finished(client, admin, int(str(body["id"])))
        assert done["status"] == "succeeded", done["message"]
        assert done["finished_at"] is not None
        assert done["progress"] is None
        assert counts_of(done) == {k: expected[k] for k in import_service.COUNTS}
        assert expected["read"] > 800
        assert count(session, Specialty) >= expected["created"]
        assert stored_files(upload_dir) == [], "the stored upload is deleted after the run"

    @pytest.mark.parametrize(
        ("kind", "name"),
        [
            ("pubmed", "pubmed/pubmed-29768149.xml"),
            ("clinicaltrials", "clinicaltrials-gov/api-v2-json/NCT00465816.json"),
        ],
    )
    def test_science_files_upload_with_the_cli_counts(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
        kind: str,
        name: str,
    ) -> None:
        path = data_dir / name
        expected = cli_counts(path, kind)
        admin = api_as("admin")

        status, body, _ = upload(client, admin, path, kind)

        assert status == 202, body
        done = finished(client, admin, int(str(body["id"])))
        assert done["status"] == "succeeded", done["message"]
        assert counts_of(done) == {k: expected[k] for k in import_service.COUNTS}
        assert expected["created"] >= 1

    def test_nppes_rows_give_the_cli_counts_and_an_audit_reason(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
        tmp_path: Path,
        session: Session,
    ) -> None:
        path = nppes_head(data_dir, tmp_path, 25)
        expected = cli_counts(path, "nppes")
        admin = api_as("admin")
        before = count(session, Stakeholder)

        status, body, _ = upload(client, admin, path, "nppes")
        assert status == 202, body
        done = finished(client, admin, int(str(body["id"])))

        assert done["status"] == "succeeded", done["message"]
        assert counts_of(done) == {k: expected[k] for k in import_service.COUNTS}
        assert expected["created"] > 0
        assert count(session, Stakeholder) == before + expected["created"]

    def test_a_dry_run_writes_nothing_but_reports_what_would_change(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
        tmp_path: Path,
        session: Session,
    ) -> None:
        path = nppes_head(data_dir, tmp_path, 10)
        admin = api_as("admin")
        before = count(session, Stakeholder)

        status, body, _ = upload(client, admin, path, "nppes", dry_run="true")
        assert status == 202, body
        assert body["dry_run"] is True
        done = finished(client, admin, int(str(body["id"])))

        assert done["status"] == "succeeded"
        assert done["message"] == "dry run: nothing was written"
        assert done["created"] == 10 - int(str(done["unchanged"]))
        assert count(session, Stakeholder) == before

    def test_the_kept_upload_stays_when_the_setting_says_so(
        self,
        settings: Settings,
        test_database: Database,
        data_dir: Path,
        upload_dir: Path,
    ) -> None:
        keeping = create_app(settings.model_copy(update={"upload_keep": True}), test_database)
        with TestClient(keeping, raise_server_exceptions=False) as client:
            token = client.post(
                "/api/v1/auth/token", data={"username": "admin", "password": "demo"}
            )
            admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
            status, body, _ = upload(client, admin, data_dir / NUCC, "nucc")
            assert status == 202
            assert finished(client, admin, int(str(body["id"])))["status"] == "succeeded"
        kept = stored_files(upload_dir)
        assert len(kept) == 1
        assert kept[0].read_bytes() == (data_dir / NUCC).read_bytes()


class TestTheErrorReportOfAnUpload:
    def test_a_bad_row_is_rejected_alone_and_listed_in_errors_csv(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
        tmp_path: Path,
    ) -> None:
        lines = (data_dir / NUCC).read_text(encoding="utf-8-sig").splitlines(keepends=True)
        # the first data row's code loses a character: that row alone is refused
        broken = lines[0] + lines[1].replace(lines[1][:10], lines[1][:9], 1) + "".join(lines[2:40])
        path = tmp_path / "nucc-with-a-bad-code.csv"
        path.write_text(broken, encoding="utf-8")
        admin = api_as("admin")

        _, body, _ = upload(client, admin, path, "nucc")
        done = finished(client, admin, int(str(body["id"])))

        assert done["status"] == "succeeded"
        assert done["rejected"] == 1
        assert (
            done["read"]
            == int(str(done["created"]))
            + int(str(done["updated"]))
            + int(str(done["unchanged"]))
            + 1
        )
        report = client.get(f"/api/v1/imports/{body['id']}/errors.csv", headers=admin)
        assert report.status_code == 200
        assert report.headers["content-type"].startswith("text/csv")
        rows = report.text.splitlines()
        assert rows[0] == "row,column,value,reason"
        assert rows[1] == f"2,Code,{lines[1][:9]},a taxonomy code has 10 characters"


class TestBadUploadsAreRefused:
    """Refused before a job exists: a 4xx problem naming the field, no file left behind."""

    @pytest.mark.parametrize(
        ("kind", "filename", "content", "status", "field", "words"),
        [
            ("pubmedd", "x.csv", b"a,b\n1,2\n", 400, "kind", "is not one of the import kinds"),
            (None, "x.csv", b"a,b\n1,2\n", 400, "kind", "say which kind"),
            ("nucc", "empty.csv", b"", 400, "file", "empty.csv is empty"),
            ("nucc", "taxonomy.json", b"{}", 400, "file", "it takes .csv"),
            ("fhir", "bundle.xml", b"<Bundle/>", 400, "file", "it takes .json, .ndjson"),
        ],
    )
    def test_a_bad_field_names_it(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        session: Session,
        upload_dir: Path,
        kind: str | None,
        filename: str,
        content: bytes,
        status: int,
        field: str,
        words: str,
    ) -> None:
        jobs = count_jobs(session)
        data = {"kind": kind} if kind else {}
        response = client.post(
            "/api/v1/imports",
            headers=api_as("admin"),
            data=data,
            files={"file": (filename, content, "text/csv")},
        )
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["field"] == field
        assert words in response.json()["detail"]
        assert count_jobs(session) == jobs
        assert stored_files(upload_dir) == []

    def test_no_file_at_all(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        response = client.post(
            "/api/v1/imports", headers=api_as("admin"), files={"kind": (None, "nucc")}
        )
        assert response.status_code == 400
        assert response.json()["field"] == "file"
        assert "choose a file" in response.json()["detail"]

    def test_not_multipart(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]]
    ) -> None:
        response = client.post("/api/v1/imports", headers=api_as("admin"), json={"kind": "nucc"})
        assert response.status_code == 400
        assert response.json()["field"] == "file"
        assert "multipart/form-data" in response.json()["detail"]

    def test_a_bad_dry_run_flag(
        self, client: TestClient, api_as: Callable[[str], dict[str, str]], data_dir: Path
    ) -> None:
        status, body, _ = upload(client, api_as("admin"), data_dir / NUCC, "nucc", dry_run="maybe")
        assert status == 400
        assert body["field"] == "dry_run"

    def test_too_large_is_413_and_nothing_is_kept(
        self,
        settings: Settings,
        test_database: Database,
        data_dir: Path,
        upload_dir: Path,
        session: Session,
    ) -> None:
        small = create_app(settings.model_copy(update={"upload_max_bytes": 4096}), test_database)
        jobs = count_jobs(session)
        with TestClient(small, raise_server_exceptions=False) as client:
            token = client.post(
                "/api/v1/auth/token", data={"username": "admin", "password": "demo"}
            )
            admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
            status, body, _ = upload(client, admin, data_dir / NUCC, "nucc")
        assert status == 413
        assert body["field"] == "file"
        assert "larger than the 4,096 bytes" in str(body["detail"])
        assert stored_files(upload_dir) == []
        assert count_jobs(session) == jobs


def count_jobs(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ImportJob)) or 0


class TestBadFilesFailTheirJob:
    """The importer finds the file bad: the job fails with the message, nothing is written."""

    def test_a_truncated_zip(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
        tmp_path: Path,
        session: Session,
        upload_dir: Path,
    ) -> None:
        whole = io.BytesIO()
        with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(data_dir / NPPES, "npidata_pfile_20250414-20250420.csv")
        path = tmp_path / "NPPES_Weekly.zip"
        path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
        admin = api_as("admin")
        before = count(session, Stakeholder)

        status, body, _ = upload(client, admin, path, "nppes")
        assert status == 202
        done = finished(client, admin, int(str(body["id"])))

        assert done["status"] == "failed"
        assert "NPPES_Weekly.zip" in str(done["message"])
        assert "truncated" in str(done["message"]) or "damaged" in str(done["message"])
        assert done["created"] == 0
        assert count(session, Stakeholder) == before
        assert stored_files(upload_dir) == []

    def test_a_wrong_header(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
    ) -> None:
        admin = api_as("admin")
        _, body, _ = upload(client, admin, data_dir / NUCC, "nppes")
        done = finished(client, admin, int(str(body["id"])))
        assert done["status"] == "failed"
        assert "is not an NPPES file" in str(done["message"])

    def test_invalid_fhir(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        tmp_path: Path,
        session: Session,
    ) -> None:
        path = tmp_path / "Practitioner-bad.json"
        # a delivery cut off mid-resource
        path.write_text(
            '{"resourceType": "Practitioner", "name": [{"family": "Wi', encoding="utf-8"
        )
        admin = api_as("admin")
        before = count(session, Stakeholder)
        _, body, _ = upload(client, admin, path, "fhir")
        done = finished(client, admin, int(str(body["id"])))
        assert done["status"] == "failed"
        assert "Practitioner-bad.json is not FHIR JSON: invalid JSON" in str(done["message"])
        assert count(session, Stakeholder) == before


class TestWhoMayUpload:
    def test_a_rep_gets_403_and_nothing_is_stored(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
        upload_dir: Path,
        session: Session,
    ) -> None:
        jobs = count_jobs(session)
        status, body, _ = upload(client, api_as("rep"), data_dir / NUCC, "nucc")
        assert status == 403
        assert "import:run" in str(body["detail"]) or "administrators" in str(body["detail"])
        assert stored_files(upload_dir) == []
        assert count_jobs(session) == jobs

    def test_without_a_token_401(self, client: TestClient, data_dir: Path) -> None:
        status, _, _ = upload(client, {}, data_dir / NUCC, "nucc")
        assert status == 401


# --- progress ------------------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[list[Callable[[int, Progress], None]]]:
    """Callbacks the in-process progress store calls on every tick, removed after the test."""
    added: list[Callable[[int, Progress], None]] = []
    yield added
    for callback in added:
        local_progress.listeners.remove(callback)


class TestProgressWhileRunning:
    """Another request sees a running import's progress; the row in the database only gets the
    counts at the commit."""

    def test_the_api_and_the_page_row_show_progress_mid_run(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        web_as: Callable[[str], TestClient],
        listener: list[Callable[[int, Progress], None]],
        data_dir: Path,
    ) -> None:
        admin = api_as("admin")
        web = web_as("admin")
        seen: list[dict[str, object]] = []
        rows: list[str] = []

        def look(job_id: int, progress: Progress) -> None:
            # runs inside the import, on its thread: ask as another request would
            if progress.phase == "reading" and not seen:
                seen.append(client.get(f"/api/v1/imports/{job_id}", headers=admin).json())
                rows.append(web.get(f"/imports/{job_id}/row").text)

        local_progress.listeners.append(look)
        listener.append(look)
        _, body, _ = upload(client, admin, data_dir / NUCC, "nucc")
        done = finished(client, admin, int(str(body["id"])))

        assert len(seen) == 1
        mid = seen[0]
        assert mid["status"] == "running"
        progress = mid["progress"]
        assert isinstance(progress, dict)
        assert progress["phase"] == "reading"
        assert 0 < int(progress["rows_read"]) < int(str(done["read"]))
        assert 0 < int(progress["bytes_read"]) <= int(progress["total_bytes"])
        assert progress["total_bytes"] == (data_dir / NUCC).stat().st_size
        assert 0 < int(progress["percent"]) < 100
        assert 'hx-trigger="every 1s"' in rows[0]
        assert "<progress" in rows[0]
        assert f"Reading: {int(progress['rows_read']):,} rows" in rows[0]

        # once the job has ended, the row no longer polls and the progress is gone
        assert done["status"] == "succeeded"
        assert done["progress"] is None
        row = web.get(f"/imports/{body['id']}/row").text
        assert "hx-trigger" not in row
        assert "Errors CSV" in row
        assert local_progress.read(int(str(body["id"]))) is None


class TestRunningAQueuedJob:
    """run_job continues a queued job instead of opening a new one; a job runs once."""

    def test_a_stored_file_that_changed_fails_the_job(
        self,
        session: Session,
        persona: Callable[[str], Principal],
        data_dir: Path,
        upload_dir: Path,
    ) -> None:
        with (data_dir / NUCC).open("rb") as source:
            stored = store_file(source, "nucc.csv", upload_dir, 10**9)
        # flushed, not committed: the job is queued and nothing has sent its run yet
        job = service_upload.queue_upload(
            session, persona("admin"), upload=stored, kind="nucc", dry_run=False, keep_file=False
        )
        assert job.status == ImportStatus.queued
        assert stored.path is not None
        stored.path.write_bytes(stored.path.read_bytes() + b"tampered\n")

        run_uploaded_import(job.id)

        session.refresh(job)
        assert job.status == ImportStatus.failed
        assert "is not the file that was received" in (job.message or "")
        assert job.read == 0
        assert stored_files(upload_dir) == []

    def test_a_second_run_of_the_same_job_changes_nothing(
        self,
        client: TestClient,
        api_as: Callable[[str], dict[str, str]],
        data_dir: Path,
        session: Session,
    ) -> None:
        admin = api_as("admin")
        _, body, _ = upload(client, admin, data_dir / NUCC, "nucc")
        first = finished(client, admin, int(str(body["id"])))

        run_uploaded_import(int(str(body["id"])))

        again = client.get(f"/api/v1/imports/{body['id']}", headers=admin).json()
        assert again == first
        assert service_upload.begin_upload_run(session, int(str(body["id"]))) is None


# --- the page ------------------------------------------------------------------------------


class TestTheImportsPage:
    def test_admin_sees_the_form_the_jobs_and_the_nav_entry(
        self, web_as: Callable[[str], TestClient]
    ) -> None:
        page = web_as("admin").get("/imports")
        assert page.status_code == 200
        html = page.text
        assert '<a class="nav__link" href="/imports" aria-current="page">' in html
        assert '<label class="field__label" for="f-kind">' in html
        assert 'enctype="multipart/form-data"' in html
        assert 'name="csrf_token"' in html
        assert "Upload and import" in html
        for kind in KINDS.values():
            assert f'<option value="{kind.name}"' in html

    def test_a_rep_has_no_entry_and_gets_403(self, web_as: Callable[[str], TestClient]) -> None:
        rep = web_as("rep")
        assert 'href="/imports"' not in rep.get("/").text
        assert rep.get("/imports").status_code == 403

    def test_uploading_through_the_form_queues_a_job(
        self, web_as: Callable[[str], TestClient], data_dir: Path
    ) -> None:
        admin = web_as("admin")
        path = data_dir / NUCC
        response = admin.post(
            "/imports",
            data={"kind": "nucc", "csrf_token": admin.csrf},  # type: ignore[attr-defined]
            files={"file": (path.name, path.read_bytes(), "text/csv")},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        wait_for_background(timeout=120)
        page = admin.get(response.headers["location"]).text
        assert f"{path.name} is uploaded; its import is job" in page
        assert 'data-status="succeeded"' in page

    def test_a_refused_upload_shows_the_error_beside_the_field(
        self, web_as: Callable[[str], TestClient], upload_dir: Path
    ) -> None:
        admin = web_as("admin")
        response = admin.post(
            "/imports",
            data={"kind": "nucc", "csrf_token": admin.csrf},  # type: ignore[attr-defined]
            files={"file": ("taxonomy.json", b"{}", "application/json")},
        )
        assert response.status_code == 400
        html = response.text
        error_at = html.index('id="f-file-error"')
        assert html.index('for="f-file"') < error_at < html.index('id="f-file"')
        assert "taxonomy.json is not a file the NUCC provider taxonomy import reads" in html
        assert '<option value="nucc" selected>' in html
        assert stored_files(upload_dir) == []

    def test_the_form_without_its_csrf_token_is_refused(
        self, web_as: Callable[[str], TestClient], data_dir: Path, upload_dir: Path
    ) -> None:
        admin = web_as("admin")
        response = admin.post(
            "/imports",
            data={"kind": "nucc"},
            files={"file": ("x.csv", b"Code\n", "text/csv")},
        )
        assert response.status_code == 403
        assert stored_files(upload_dir) == []

    def test_the_stewardship_page_links_to_it(self, web_as: Callable[[str], TestClient]) -> None:
        assert 'href="/imports"' in web_as("admin").get("/stewardship").text


# --- Redis: a real worker ------------------------------------------------------------------


def redis_client() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable(f"Redis at {REDIS_URL} is unreachable: {error.__class__.__name__}")
    client.flushdb()
    return client


class TestProgressInRedis:
    @pytest.mark.redis
    def test_written_by_one_process_read_by_another_and_expiring(self) -> None:
        client = redis_client()
        try:
            writer, reader = RedisProgress(REDIS_URL), RedisProgress(REDIS_URL)
            tick = Progress("reading", 1200, 65536, 131072, time.time())
            writer.write(41, tick)
            assert reader.read(41) == tick
            assert 0 < client.ttl("accord:import-progress:41") <= 3600
            writer.clear(41)
            assert reader.read(41) is None
        finally:
            client.flushdb()
            client.close()


class TestProgressWhenRedisIsAway:
    def test_neither_writing_nor_reading_fails(self) -> None:
        # nothing listens on port 1: the import goes on and the job reads without progress
        away = RedisProgress("redis://127.0.0.1:1/0")
        away.write(7, Progress("reading", 10, None, 100, time.time()))
        assert away.read(7) is None
        away.clear(7)


class TestUploadThroughRedisAndAWorker:
    @pytest.mark.redis
    def test_a_worker_runs_the_upload_with_the_cli_counts(
        self, backend: str, tmp_path: Path, data_dir: Path
    ) -> None:
        from tests.jobs.test_jobs import start_worker, stop_worker

        client = redis_client()
        uploads = tmp_path / "uploads"
        with fresh_database(backend, tmp_path) as database:
            set_database(database)
            configure_broker(None)
            path = nppes_head(data_dir, tmp_path, 20)
            try:
                expected = cli_counts(path, "nppes")
                settings = Settings(
                    database_url=database.url,
                    secret_key=SecretStr("test-secret-key-" + "x" * 32),
                    redis_url=REDIS_URL,
                    log_level="WARNING",
                    upload_dir=uploads,
                )
                app: FastAPI = create_app(settings, database=database)
                log = tmp_path / "worker.log"
                worker = start_worker(database, log)
                try:
                    with TestClient(app, raise_server_exceptions=False) as api:
                        token = api.post(
                            "/api/v1/auth/token", data={"username": "admin", "password": "demo"}
                        )
                        admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
                        status, body, _ = upload(api, admin, path, "nppes")
                        assert status == 202, body
                        assert body["status"] == "queued"
                        done = wait_for_worker(api, admin, int(str(body["id"])), log)
                        # the worker deletes the stored file just after it commits the
                        # job's end, so a reader can see "succeeded" a moment before that
                        wait_for_no_stored_files(uploads)
                finally:
                    stop_worker(worker)
            finally:
                set_database(None)
                configure_broker(None)
                client.flushdb()
                client.close()
        assert done["status"] == "succeeded", done["message"]
        assert counts_of(done) == {k: expected[k] for k in import_service.COUNTS}
        assert stored_files(uploads) == []


def wait_for_no_stored_files(upload_dir: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while stored_files(upload_dir) and time.monotonic() < deadline:
        time.sleep(0.1)


def wait_for_worker(
    client: TestClient, headers: dict[str, str], job_id: int, log: Path
) -> dict[str, object]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body: dict[str, object] = client.get(f"/api/v1/imports/{job_id}", headers=headers).json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(
        f"the worker did not finish import job {job_id}; its output:\n"
        f"{log.read_text(errors='replace')}"
    )
