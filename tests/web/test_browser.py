"""The web UI in headless Chromium, as the demo personas use it.

One live server per backend (a fresh, migrated, demo-seeded database served by uvicorn in a
thread), one browser per module, a new browser context (cookies, storage) per test. Every
test saves screenshots to its tmp_path.
"""

from __future__ import annotations

import re
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from accord.app import create_app
from accord.config import Settings
from accord.db.session import set_database
from accord.jobs.dispatch import configure_broker
from tests.backends import fresh_database, unavailable

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "demo"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Expected:
    """What a persona's home page must show."""

    full_name: str
    function_label: str
    panels: frozenset[str]
    territories: tuple[str, ...] = ()  # territory names, or "All territories"
    team: tuple[str, ...] = ()  # full names that must be in the team card
    not_team: tuple[str, ...] = ()  # full names that must not be


def _panels(*keys: str) -> frozenset[str]:
    return frozenset(keys)


EXPECTED: dict[str, Expected] = {
    "msl": Expected(
        "Dr. Daniel Okafor",
        "Medical affairs",
        _panels("suggestions", "open_requests", "insights", "top_stakeholders", "territories"),
        territories=("Northeast",),
    ),
    "meddir": Expected(
        "Dr. Priya Raman",
        "Medical affairs",
        _panels(
            "suggestions", "open_requests", "insights", "top_stakeholders", "team", "territories"
        ),
        territories=("Northeast",),
        team=("Dr. Daniel Okafor",),
        not_team=("Jason Morales", "Karen Whitfield"),
    ),
    "rep": Expected(
        "Jason Morales",
        "Sales & marketing",
        _panels("suggestions", "calls", "speaker_requests", "top_stakeholders", "territories"),
        territories=("Northeast",),
    ),
    "salesmgr": Expected(
        "Karen Whitfield",
        "Sales & marketing",
        _panels(
            "suggestions", "calls", "speaker_requests", "top_stakeholders", "team", "territories"
        ),
        territories=("Northeast",),
        team=("Jason Morales",),
        not_team=("Dr. Daniel Okafor", "Alicia Tran"),
    ),
    "rep_west": Expected(
        "Alicia Tran",
        "Sales & marketing",
        _panels("suggestions", "calls", "speaker_requests", "top_stakeholders", "territories"),
        territories=("West",),
    ),
    "access": Expected(
        "Robert Lindqvist",
        "Market access",
        _panels("coverage", "accounts", "suggestions", "territories"),
        territories=("United States",),
    ),
    "research": Expected(
        "Dr. Helen Marsh",
        "Clinical research",
        _panels("trials", "iss", "top_stakeholders", "territories"),
        territories=("United States",),
    ),
    "compliance": Expected(
        "Samuel Adeyemi",
        "Compliance",
        _panels("policy", "consents", "verification", "territories"),
        territories=("All territories",),
    ),
    "finance": Expected(
        "Linda Park",
        "Finance",
        _panels("payments", "top_stakeholders", "territories"),
        territories=("United States",),
    ),
    "admin": Expected(
        "Chris Novak",
        "Administration",
        _panels("territories"),
        territories=("All territories",),
    ),
}

#: panels whose content is medical-only or commercial-only: the firewall on the home page
MEDICAL_ONLY = {"open_requests", "insights"}
COMMERCIAL_ONLY = {"calls", "speaker_requests"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(url: str, server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the live server stopped while starting")
        if server.started:
            try:
                with urllib.request.urlopen(url + "/login", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
        time.sleep(0.05)
    raise RuntimeError(f"the live server at {url} did not start within 20 s")


@pytest.fixture(scope="module")
def live_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a free port, over a fresh demo database of `backend`; yields its base URL."""
    with fresh_database(backend, tmp_path_factory.mktemp(f"live-{backend}")) as db:
        settings = Settings(
            database_url=db.url,
            secret_key=SecretStr("x" * 40),
            log_level="WARNING",
            redis_url=None,
            demo_mode=True,
        )
        app = create_app(settings, database=db)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
        )
        thread = threading.Thread(target=server.run, name=f"live-{backend}", daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(url, server, thread)
            yield url
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            set_database(None)
            configure_broker(None)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, live_server: str):  # type: ignore[no-untyped-def]
    """new_page(viewport=DESKTOP) -> a page in a fresh browser context (no cookies)."""
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP):  # type: ignore[no-untyped-def]
        context = browser.new_context(base_url=live_server, viewport=viewport)  # type: ignore[attr-defined]
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):  # type: ignore[no-untyped-def]
    return new_page()


def sign_in(page, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():  # the form posts; right or wrong, a new page loads
        page.get_by_role("button", name="Sign in").click()


def nav_labels(page) -> list[str]:  # type: ignore[no-untyped-def]
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    return [text.strip() for text in links.all_inner_texts()]


def shot(page, tmp_path: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


# --- every persona ---------------------------------------------------------------------


@pytest.mark.parametrize("username", list(EXPECTED))
def test_persona_home(page, live_server: str, username: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    want = EXPECTED[username]
    sign_in(page, username)
    expect(page).to_have_url(f"{live_server}/")
    expect(page).to_have_title(re.compile(rf"^Home · {re.escape(want.function_label)}"))

    header = page.locator(".page-header")
    expect(header.get_by_role("heading", level=1)).to_have_text(want.function_label)
    expect(header).to_contain_text(f"Welcome, {want.full_name}")
    expect(header.locator(".badge.fn-" + _function_class(want))).to_have_text(want.function_label)
    expect(page.locator(".topbar .user__name")).to_have_text(want.full_name)
    expect(page.get_by_role("status").filter(has_text="Signed in as")).to_contain_text(
        want.full_name
    )

    # the navigation shows only what the persona may use
    labels = nav_labels(page)
    assert labels[0] == "Home"
    assert ("Audit trail" in labels) == (username == "compliance"), labels
    assert ("Users" in labels) == (username == "admin"), labels
    assert "API tokens" in labels
    assert labels.index("Network") == labels.index("Stakeholders") + 1  # network:read, everyone

    # the function's panels, no others; each says what to do while it is empty
    shown = set(page.locator("[data-panel]").evaluate_all("els => els.map(e => e.dataset.panel)"))
    assert shown == want.panels, f"{username}: panels {sorted(shown)}"
    if want.function_label != "Medical affairs":
        assert not shown & MEDICAL_ONLY
    if want.function_label != "Sales & marketing":
        assert not shown & COMMERCIAL_ONLY
    for key in want.panels - {"team", "territories", "verification"}:
        panel = page.locator(f'[data-panel="{key}"]')
        expect(panel.get_by_role("heading", level=2)).not_to_be_empty()
        expect(panel.locator(".empty-state__text")).not_to_be_empty()

    territories = page.locator('[data-panel="territories"]')
    for name in want.territories:
        expect(territories).to_contain_text(name)

    if want.team:
        team = page.locator('[data-panel="team"]')
        for name in want.team:
            expect(team.get_by_role("row", name=re.compile(re.escape(name)))).to_be_visible()
        for name in want.not_team:
            expect(team).not_to_contain_text(name)

    if username == "compliance":
        chain = page.locator('[data-panel="verification"]')
        expect(chain).to_contain_text("Not verified yet")
        expect(chain.get_by_role("link", name="Open the audit trail")).to_have_attribute(
            "href", "/audit"
        )
        expect(_stat(page, "Audit entries")).to_be_visible()
    if username == "admin":
        expect(_stat(page, "Users").locator(".stat__value")).to_have_text("10")

    shot(page, tmp_path, f"home-{username}")

    # pages outside the persona's permissions answer "no access", not an empty page
    if username != "compliance":
        response = page.goto("/audit")
        assert response is not None
        assert response.status == 403
        expect(page.locator(".error-page")).to_contain_text("only compliance reads the audit trail")
        expect(page.get_by_role("link", name="Back to home")).to_be_visible()
    if username != "admin":
        response = page.goto("/users")
        assert response is not None
        assert response.status == 403


def _stat(page, label: str):  # type: ignore[no-untyped-def]
    return page.locator(".stat").filter(
        has=page.locator(".stat__label", has_text=re.compile(rf"^{re.escape(label)}$"))
    )


def _function_class(want: Expected) -> str:
    return {
        "Medical affairs": "medical",
        "Sales & marketing": "commercial",
        "Market access": "market_access",
        "Clinical research": "research",
        "Compliance": "compliance",
        "Finance": "finance",
        "Administration": "admin",
    }[want.function_label]


# --- signing in and out ----------------------------------------------------------------


def test_login_page_lists_demo_logins(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    demo = page.locator(".demo-logins")
    expect(demo).to_contain_text("password: demo")
    for username in EXPECTED:
        expect(demo.get_by_text(username, exact=True)).to_be_visible()
    expect(demo).to_contain_text("medical science liaison, Northeast")
    expect(page.get_by_label("Username")).to_be_focused()
    shot(page, tmp_path, "login")


def test_wrong_password_stays_on_login(page, live_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "rep_west", "not-the-password")
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    expect(page.get_by_label("Username")).to_have_value("rep_west")
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    shot(page, tmp_path, "login-error")

    # an empty password is an error beside the field
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".field--error")).to_contain_text("enter your password")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


def test_sign_out_returns_to_login(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "rep")
    expect(page).to_have_url(f"{live_server}/")
    page.locator(".topbar").get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    page.goto("/account/tokens")
    expect(page).to_have_url(re.compile(r"/login\?next=/account/tokens$"))


# --- keyboard ---------------------------------------------------------------------------


def test_keyboard_slash_focuses_search_and_skip_link(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "msl")
    page.keyboard.press("/")
    search = page.get_by_role("searchbox", name="Search stakeholders, NPI and organizations")
    expect(search).to_be_focused()
    expect(search).to_have_value("")  # the "/" is not typed into the box
    page.keyboard.press("Escape")

    # the first Tab from the top of a fresh page reaches the skip link, which moves focus to main
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("#main")).to_be_focused()


# --- the audit trail --------------------------------------------------------------------


def test_audit_trail_filters_with_htmx(page, live_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "compliance")
    # a change by compliance itself, so that the trail has more than one actor
    page.goto("/account/tokens")
    page.get_by_label("What is this token for?").fill("Audit export")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#issued-token")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    expect(page).to_have_url(f"{live_server}/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    rows = page.locator("#audit-entries tbody tr")
    expect(rows.first).to_be_visible()
    all_actors = set(page.locator("#audit-entries tbody tr td:nth-child(3)").all_inner_texts())
    assert {"system", "compliance"} <= all_actors
    expect(page.get_by_role("link", name="Older entries")).to_have_attribute(
        "href", re.compile(r"^/audit\?cursor=")
    )
    shot(page, tmp_path, "audit")

    # filter by actor: htmx swaps the entries and pushes the URL, without a page load
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Changed by").fill("compliance")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{live_server}/audit?actor=compliance")
    expect(page.locator("#audit-summary")).to_contain_text("Changed by: compliance")
    expect(page.locator("#audit-status")).to_contain_text("Changed by: compliance")  # announced
    assert page.evaluate("window.__sameDocument") is True
    actors = page.locator("#audit-entries tbody tr td:nth-child(3)").all_inner_texts()
    assert actors
    assert set(actors) == {"compliance"}
    records = page.locator("#audit-entries tbody tr td:nth-child(5)").all_inner_texts()
    assert all(r.startswith("api_token#") for r in records), records
    shot(page, tmp_path, "audit-filtered")

    # no match: an empty state that says what to do
    page.get_by_label("Changed by").fill("nobody")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{live_server}/audit?actor=nobody")
    empty = page.locator("#audit-entries .empty-state")
    expect(empty).to_contain_text("No entries match these filters")
    expect(empty.get_by_role("link", name="Clear filters")).to_have_attribute("href", "/audit")

    # the back button restores the previous filter
    page.go_back()
    expect(page).to_have_url(f"{live_server}/audit?actor=compliance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.locator("#audit-entries tbody tr").first).to_contain_text("compliance")

    # ... also after leaving for another page: the whole page, not the cached htmx fragment
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(page).to_have_url(f"{live_server}/")
    page.go_back()
    expect(page).to_have_url(f"{live_server}/audit?actor=compliance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit trail")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_label("Changed by")).to_have_value("compliance")

    # a shared filtered URL renders the full page with the filter filled in
    page.goto("/audit?actor=system&entity=territory")
    expect(page.get_by_label("Changed by")).to_have_value("system")
    expect(page.get_by_label("Record type")).to_have_value("territory")
    records = page.locator("#audit-entries tbody tr td:nth-child(5)").all_inner_texts()
    assert records
    assert all(r.startswith("territory#") for r in records)

    # paging keeps the filters in the URL
    page.goto("/audit?actor=system")
    first_seq = int(page.locator("#audit-entries tbody tr td").first.inner_text())
    page.get_by_role("link", name="Older entries").click()
    expect(page).to_have_url(re.compile(r"/audit\?actor=system&cursor=\w+"))
    expect(page.locator("#audit-entries tbody tr").first).to_be_visible()
    older_seq = int(page.locator("#audit-entries tbody tr td").first.inner_text())
    assert older_seq < first_seq

    # a bad date in the URL is reported beside its field
    response = page.goto("/audit?since=yesterday")
    assert response is not None
    assert response.status == 400
    expect(page.locator(".field--error")).to_contain_text("From must be a date")
    expect(page.get_by_label("From")).to_have_attribute("aria-invalid", "true")


def test_audit_verify_chain(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "compliance")
    page.goto("/audit")
    page.get_by_role("button", name="Verify chain now").click()
    expect(page).to_have_url(f"{live_server}/audit")
    expect(page.get_by_role("status").filter(has_text="Verification #")).to_be_visible()
    runs = page.locator("#verifications .list > li")
    expect(runs.first).to_contain_text("Intact")
    expect(runs.first).to_contain_text("audit entries are intact")
    expect(runs.first).to_contain_text("by compliance")

    page.goto("/")
    chain = page.locator('[data-panel="verification"]')
    expect(chain).to_contain_text("Intact")
    expect(chain).to_contain_text("Entries checked")


# --- API tokens -------------------------------------------------------------------------


def test_api_token_create_use_revoke(page, live_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "research")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.locator("#token-help")).to_contain_text("Authorization: Bearer <token>")
    expect(page.get_by_role("link", name="API reference")).to_have_attribute("href", "/api/docs")

    # a name is required, and the error is beside the field
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".field--error")).to_contain_text("Give the token a name")
    expect(page.get_by_label("What is this token for?")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("What is this token for?").fill("Trial sites sync")
    page.get_by_role("button", name="Create token").click()
    issued = page.locator("#issued-token")
    expect(issued).to_be_visible()
    expect(issued).to_have_attribute("readonly", "")
    expect(page.locator("[data-issued-token]")).to_contain_text("will not be shown again")
    secret = issued.input_value()
    row = page.get_by_role("row", name=re.compile("Trial sites sync"))
    expect(row).to_contain_text("Active")
    prefix = row.locator("td").first.inner_text().rstrip("…")
    assert secret.startswith(prefix)
    assert len(secret) > len(prefix) + 20
    shot(page, tmp_path, "tokens-issued")

    # the token works against the API on its own (no session cookie)
    me = httpx.get(
        f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert me.status_code == 200
    assert me.json()["username"] == "research"

    # shown once only
    page.reload()
    expect(page.locator("#issued-token")).to_have_count(0)
    assert secret not in page.content()

    row.get_by_role("button", name="Revoke token").click()
    expect(page.get_by_role("status").filter(has_text="revoked")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Trial sites sync"))
    expect(row).to_contain_text("Revoked")
    expect(row.get_by_role("button", name="Revoke token")).to_have_count(0)
    shot(page, tmp_path, "tokens-revoked")

    gone = httpx.get(
        f"{live_server}/api/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert gone.status_code == 401


# --- the administrators' user list ----------------------------------------------------


def test_admin_users_list(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    table = page.locator("[data-users-table]")
    for username, want in EXPECTED.items():
        row = table.locator(f'tr[data-username="{username}"]')
        expect(row).to_contain_text(want.full_name)
        expect(row).to_contain_text(want.function_label)
        expect(row).to_contain_text("Active")
    expect(table.locator('tr[data-username="msl"]')).to_contain_text("US-NE")
    expect(table.locator('tr[data-username="meddir"]')).to_contain_text("Manager")
    shot(page, tmp_path, "users")


# --- narrow screens -------------------------------------------------------------------


def test_phone_layout(new_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = new_page(PHONE)
    sign_in(page, "msl")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    # nothing wider than the screen, apart from tables, which scroll inside their frame
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (width, _overflowing(page))
    shot(page, tmp_path, "home-msl-390")

    menu = page.get_by_role("button", name="Menu", exact=True)
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()

    compliance = new_page(PHONE)
    sign_in(compliance, "compliance")
    compliance.goto("/audit")
    expect(compliance.locator("#audit-entries tbody tr").first).to_be_visible()
    width = compliance.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    shot(compliance, tmp_path, "audit-390")


# --- the stakeholder page (the 360 view) ------------------------------------------------

MED_NOTE = "Discussed the lipid panel data from the phase 3 extension"
REP_NOTE = "Dropped off the formulary leaflet; asked for a lunch meeting"
MIR_QUESTION = "Is there any data on dosing in severe renal impairment?"
INSIGHT = "Sees statin intolerance as the main unmet need in her practice"


def _api(live_server: str, username: str) -> httpx.Client:
    token = httpx.post(
        f"{live_server}/api/v1/auth/token",
        data={"username": username, "password": PASSWORD},
        timeout=10,
    ).json()["access_token"]
    return httpx.Client(
        base_url=f"{live_server}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def _ago(days: float) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
def planted(live_server: str) -> int:
    """A Boston cardiologist met by medical and by sales, with a consent, a stated preference,
    an off-label question and an insight, planted through the API as the personas."""
    msl, rep = _api(live_server, "msl"), _api(live_server, "rep")
    created = msl.post(
        "/stakeholders",
        json={
            "type": "hcp",
            "first_name": "Maria",
            "last_name": "Alvarez",
            "credentials": "MD, PhD",
            "npi": "1234567893",
            "specialty": "207RC0000X",
            "tier": "national",
            "address": {"line1": "55 Fruit St", "city": "Boston", "state": "MA"},
        },
    )
    assert created.status_code == 201, created.text
    sid = int(created.json()["id"])

    def post(client: httpx.Client, path: str, body: dict[str, object]) -> None:
        response = client.post(f"/stakeholders/{sid}/{path}", json=body)
        assert response.status_code == 201, response.text

    post(
        msl,
        "interactions",
        {
            "channel": "in_person",
            "occurred_at": _ago(40),
            "outcome": "positive",
            "products": ["LPT"],
            "topics": ["lipid panel", "phase 3"],
            "notes": MED_NOTE,
        },
    )
    post(msl, "interactions", {"channel": "remote_meeting", "occurred_at": _ago(70)})
    for days in (3, 12, 33):
        post(
            rep, "interactions", {"channel": "phone", "occurred_at": _ago(days), "notes": REP_NOTE}
        )
    post(rep, "interactions", {"channel": "approved_email", "occurred_at": _ago(20)})
    post(
        rep,
        "consents",
        {
            "channel": "email",
            "purpose": "promotional",
            "status": "granted",
            "source": "signed form",
            "proof": "form 2026-114",
            "effective_at": _ago(200),
        },
    )
    post(
        msl,
        "consents",
        {
            "channel": "phone",
            "purpose": "scientific",
            "status": "granted",
            "source": "verbal",
            "proof": "said yes on the call",
            "effective_at": _ago(100),
        },
    )
    post(
        msl,
        "channel-preferences",
        {"channel": "in_person", "preference": "preferred", "source": "told the MSL"},
    )
    post(
        msl,
        "requests",
        {"kind": "mir", "question": MIR_QUESTION, "product": "LPT", "off_label": True},
    )
    post(msl, "insights", {"text": INSIGHT, "topics": ["statin intolerance"], "product": "LPT"})
    return sid


def _overflowing(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The elements that stick out of the screen (inside a scrolling frame too: an absolutely
    positioned child escapes a frame that is not itself positioned)."""
    return page.evaluate(  # type: ignore[no-any-return]
        """[...document.querySelectorAll('main *')]
          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
          .map(e => e.tagName + '.' + String(e.className)).slice(0, 8)"""
    )


def test_stakeholder_page_as_msl(page, live_server: str, planted: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "msl")
    page.goto(f"/stakeholders/{planted}")
    expect(page).to_have_title("Maria Alvarez, MD, PhD · Accord")
    header = page.locator("header.profile")
    expect(header.get_by_role("heading", level=1)).to_have_text("Maria Alvarez, MD, PhD")
    expect(header).to_contain_text("Cardiovascular Disease Physician")
    expect(header).to_contain_text("National tier")
    expect(header).to_contain_text("Boston, MA")
    expect(header).to_contain_text("1234567893")
    expect(header.locator("[data-next]")).to_contain_text(
        "Medical affairs should engage next: a medical information request is open"
    )
    # cards in their fixed order, titled by firewall category
    titles = page.locator(".card__title").all_inner_texts()
    assert titles[:4] == [
        "Engagement status",
        "Channel preferences",
        "Consents",
        "Timeline of activities",
    ], titles
    # medical reads its own notes and the request's question; sales activity as counts
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(MED_NOTE)
    expect(timeline).not_to_contain_text(REP_NOTE)
    expect(page.locator("#requests_content")).to_contain_text(MIR_QUESTION)
    expect(page.locator("#requests_content")).to_contain_text("Off-label")
    expect(page.locator("#insights")).to_contain_text(INSIGHT)
    commercial = page.locator("#activities_commercial")
    expect(commercial.locator(".lock-note")).to_contain_text("you see counts only")
    expect(commercial.locator("[data-total]")).to_have_text("4")
    chip = page.locator("#consents tr", has_text="Email").locator("[data-consent]").first
    expect(chip).to_have_attribute(
        "title", re.compile(r"^Granted on \d\d \w{3} \d{4} \(signed form\)$")
    )
    shot(page, tmp_path, "stakeholder-msl")

    # filters swap the list with htmx, keep the filter in the URL, and back works
    page.evaluate("window.__sameDocument = true")
    page.get_by_role("search", name="Filter the timeline").get_by_label("Channel").select_option(
        "remote_meeting"
    )
    expect(page).to_have_url(f"{live_server}/stakeholders/{planted}?channel=remote_meeting")
    expect(page.locator("#timeline-items > li.timeline__item")).to_have_count(1)
    expect(page.locator("#timeline-summary")).to_contain_text("Channel: Remote meeting")
    assert page.evaluate("window.__sameDocument") is True
    page.go_back()
    expect(page).to_have_url(f"{live_server}/stakeholders/{planted}")
    expect(page.locator("#timeline-items > li.timeline__item")).to_have_count(2)

    # log an interaction: an error beside the field, then the new item on the timeline
    page.get_by_text("Log interaction", exact=True).first.click()
    form = page.locator(".log-form__form")
    form.get_by_role("button", name="Log interaction").click()
    expect(page.locator(".log-form .field--error")).to_contain_text("Choose how you met")
    form = page.locator(".log-form__form")
    form.get_by_label("Channel").select_option("phone")
    form.get_by_label("Notes").fill("Follow-up call on the renal question")
    form.get_by_role("button", name="Log interaction").click()
    expect(page.get_by_role("status").filter(has_text="interaction logged")).to_be_visible()
    expect(page.locator("#timeline-items .timeline__item").first).to_contain_text(
        "Follow-up call on the renal question"
    )
    shot(page, tmp_path, "stakeholder-msl-logged")

    # at 1024 px (an iPad in landscape) nothing is wider than the screen
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"/stakeholders/{planted}")
    shot(page, tmp_path, "stakeholder-msl-1024")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1024, (width, _overflowing(page))


def test_stakeholder_page_as_rep(page, new_page, planted: int, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sign_in(page, "rep")
    page.goto(f"/stakeholders/{planted}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Alvarez, MD, PhD")
    expect(page.locator("#timeline")).to_contain_text(REP_NOTE)
    medical = page.locator("#activities_medical")
    expect(medical.locator(".lock-note")).to_contain_text(
        "Medical detail is visible to medical affairs; you see counts only"
    )
    # two planted; three once the MSL's test has logged its call (the server is per module)
    expect(medical.locator("[data-total]")).to_have_text(re.compile(r"^[23]$"))
    # the reason, quoting the rule, one click away
    medical.get_by_text("Why?").click()
    expect(medical.locator(".lock-note__why")).to_contain_text("rule activities_medical.commercial")
    requests = page.locator("#requests_existence")
    expect(requests).to_contain_text("Medical information request")
    expect(requests.locator(".lock-note")).to_contain_text("never what they ask")
    expect(page.locator("#insights .lock-note")).to_contain_text("you see the count only")
    body = page.locator("main")
    for secret in (MED_NOTE, MIR_QUESTION, INSIGHT, "lipid panel"):
        expect(body).not_to_contain_text(secret)
    expect(page.locator("#requests_content")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays at the top of the shot
    shot(page, tmp_path, "stakeholder-rep")

    # on a phone, for reading: one column, nothing wider than the screen
    phone = new_page(PHONE)
    sign_in(phone, "rep")
    phone.goto(f"/stakeholders/{planted}")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    shot(phone, tmp_path, "stakeholder-rep-390")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (
        width,
        _overflowing(phone),
    )
