"""The /imports page in headless Chromium: an administrator uploads a real file, follows the
job's row until it ends, and a refused upload shows its error beside the field."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from pydantic import SecretStr

from accord.app import create_app
from accord.config import Settings
from accord.db.session import set_database
from accord.jobs.dispatch import configure_broker, wait_for_background
from tests.backends import fresh_database
from tests.web.test_browser import (  # noqa: F401 - fixtures used by name
    _free_port,
    _wait_until_serving,
    browser,
    new_page,
    page,
    shot,
    sign_in,
)

pytestmark = pytest.mark.browser

NPPES = "nppes-csv/npidata_pfile_2025-04_first1000.csv"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("uploads")


@pytest.fixture(scope="module")
def live_server(
    backend: str, tmp_path_factory: pytest.TempPathFactory, uploads: Path
) -> Iterator[str]:
    """The app over a fresh demo database, with an upload folder of its own."""
    with fresh_database(backend, tmp_path_factory.mktemp(f"live-imports-{backend}")) as db:
        settings = Settings(
            database_url=db.url,
            secret_key=SecretStr("x" * 40),
            log_level="WARNING",
            redis_url=None,
            upload_dir=uploads,
        )
        app = create_app(settings, database=db)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        )
        thread = threading.Thread(target=server.run, name=f"live-imports-{backend}", daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(url, server, thread)
            yield url
        finally:
            wait_for_background(timeout=120)
            server.should_exit = True
            thread.join(timeout=10)
            set_database(None)
            configure_broker(None)


def test_admin_uploads_and_follows_the_job(  # type: ignore[no-untyped-def]
    page,  # noqa: F811 - the fixture imported above
    live_server: str,
    data_dir: Path,
    tmp_path: Path,
    uploads: Path,
) -> None:
    from playwright.sync_api import expect

    # a few hundred real NPPES rows: long enough to be seen running, short enough for a test
    lines = (data_dir / NPPES).read_text(encoding="utf-8").splitlines(keepends=True)
    sample = tmp_path / "npidata_head300.csv"
    sample.write_text("".join(lines[:301]), encoding="utf-8")

    sign_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")

    # a file the kind does not read: the error is beside the file field, nothing is queued
    page.get_by_label("What kind of file is it?").select_option("nucc")
    wrong = tmp_path / "taxonomy.json"
    wrong.write_text("{}", encoding="utf-8")
    page.get_by_label("File", exact=True).set_input_files(str(wrong))
    page.get_by_role("button", name="Upload and import").click()
    error = page.locator(".field--error")
    expect(error).to_contain_text("taxonomy.json is not a file the NUCC provider taxonomy import")
    expect(page.get_by_label("File", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("What kind of file is it?")).to_have_value("nucc")
    shot(page, tmp_path, "imports-refused")

    page.get_by_label("What kind of file is it?").select_option("nppes")
    page.get_by_label("File", exact=True).set_input_files(str(sample))
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_role("status").filter(has_text="is uploaded")).to_be_visible()
    row = page.locator("tr[data-job]").first
    expect(row).to_contain_text("npidata_head300.csv")
    expect(row).to_contain_text("admin")
    if row.get_attribute("data-status") in ("queued", "running"):
        expect(row.locator("progress")).to_be_visible()
        shot(page, tmp_path, "imports-running")
    # htmx polls the row until the job ends, then the row stops polling
    expect(page.locator("tr[data-job]").first).to_have_attribute(
        "data-status", "succeeded", timeout=60_000
    )
    done = page.locator("tr[data-job]").first
    expect(done).not_to_have_attribute("hx-trigger", re.compile("every"))
    expect(done.locator("td.num").first).to_have_text("300")
    expect(done.get_by_role("link", name=re.compile("Errors CSV"))).to_be_visible()
    shot(page, tmp_path, "imports-succeeded")
    assert list(uploads.glob("*")) == []
