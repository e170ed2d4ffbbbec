"""The HTML routes of users: sign in and out, API tokens, and the users list."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.access.principal import Principal
from accord.user import service as user_service
from accord.user.models import User
from tests.conftest import DEMO_PASSWORD, csrf_from
from tests.user.conftest import NEW_PASSWORD

HTML = {"Accept": "text/html,application/xhtml+xml"}
TOKEN_SECRET = re.compile(r"acc_[A-Za-z0-9_-]{43}")

WebAs = Callable[[str], TestClient]
NewUser = Callable[..., User]
PersonaOf = Callable[[str], Principal]


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A signed-out browser with its own cookie jar."""
    with TestClient(app, raise_server_exceptions=False, headers=HTML) as c:
        yield c


def csrf_of(web: TestClient) -> str:
    """The CSRF token web_as found on the signed-in home page."""
    token: str = web.csrf
    return token


def login_form_token(browser: TestClient) -> str:
    page = browser.get("/login")
    assert page.status_code == 200
    return csrf_from(page.text)


def submit_login(
    browser: TestClient, username: str, password: str, *, next_url: str | None = None
) -> httpx.Response:
    data = {"username": username, "password": password, "csrf_token": login_form_token(browser)}
    if next_url is not None:
        data["next"] = next_url
    return browser.post("/login", data=data, follow_redirects=False)


def signed_in_as(browser: TestClient) -> str | None:
    """Who the browser's session cookie belongs to, as the API sees it."""
    response = browser.get("/api/v1/me", headers={"Accept": "application/json"})
    return response.json()["username"] if response.status_code == 200 else None


class TestLoginForm:
    def test_the_form_carries_the_session_s_csrf_token(self, browser: TestClient) -> None:
        page = browser.get("/login")

        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        token = csrf_from(page.text)
        assert len(token) >= 32
        assert f'name="csrf_token" value="{token}"' in page.text

    def test_a_signed_in_user_is_sent_on_to_next(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.get("/login", params={"next": "/account/tokens"}, follow_redirects=False)

        assert response.status_code == 303
        assert response.headers["location"] == "/account/tokens"


class TestLogin:
    def test_without_csrf_token_is_refused_with_a_friendly_page(self, browser: TestClient) -> None:
        browser.get("/login")

        response = browser.post(
            "/login", data={"username": "msl", "password": DEMO_PASSWORD}, follow_redirects=False
        )

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("text/html")
        assert "Error 403" in response.text
        assert "csrf" in response.text.lower()
        assert signed_in_as(browser) is None

    def test_with_a_forged_csrf_token_is_refused(self, browser: TestClient) -> None:
        browser.get("/login")

        response = browser.post(
            "/login",
            data={"username": "msl", "password": DEMO_PASSWORD, "csrf_token": "x" * 43},
            follow_redirects=False,
        )

        assert response.status_code == 403

    def test_without_csrf_token_a_json_client_gets_a_problem(self, client: TestClient) -> None:
        response = client.post("/login", data={"username": "msl", "password": DEMO_PASSWORD})

        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["field"] == "csrf_token"

    def test_wrong_password_shows_the_error_with_401_and_no_session(
        self, browser: TestClient
    ) -> None:
        response = submit_login(browser, "msl", "wrong")

        assert response.status_code == 401
        assert "wrong username or password" in response.text.lower()
        assert 'value="msl"' in response.text, "the username is kept in the form"
        assert signed_in_as(browser) is None

    def test_an_empty_password_shows_the_field_error_with_400(self, browser: TestClient) -> None:
        response = submit_login(browser, "msl", "")

        assert response.status_code == 400
        assert "enter your password" in response.text.lower()
        assert signed_in_as(browser) is None

    def test_a_locked_account_shows_the_lock_with_423(
        self, browser: TestClient, session: Session, new_user: NewUser
    ) -> None:
        user = new_user("nurse")
        for _ in range(5):
            assert submit_login(browser, "nurse", "wrong").status_code == 401

        response = submit_login(browser, "nurse", NEW_PASSWORD)

        assert response.status_code == 423
        assert "locked" in response.text.lower()
        session.refresh(user)
        assert user.locked_until is not None

    def test_success_redirects_to_next_with_a_session(self, browser: TestClient) -> None:
        response = submit_login(browser, "msl", DEMO_PASSWORD, next_url="/account/tokens")

        assert response.status_code == 303
        assert response.headers["location"] == "/account/tokens"
        assert signed_in_as(browser) == "msl"

    def test_success_without_next_goes_home(self, browser: TestClient) -> None:
        response = submit_login(browser, "msl", DEMO_PASSWORD)

        assert response.headers["location"] == "/"

    @pytest.mark.parametrize(
        "next_url",
        ["https://evil.example/login", "//evil.example/login", "javascript:alert(1)"],
    )
    def test_next_pointing_to_another_site_is_ignored(
        self, browser: TestClient, next_url: str
    ) -> None:
        response = submit_login(browser, "msl", DEMO_PASSWORD, next_url=next_url)

        assert response.status_code == 303
        assert response.headers["location"] == "/"

    def test_a_backslash_cannot_smuggle_another_site_into_next(self, browser: TestClient) -> None:
        # browsers read "/\evil.example" as "//evil.example"
        response = submit_login(browser, "msl", DEMO_PASSWORD, next_url="/\\evil.example")

        location = response.headers["location"]
        assert location.startswith("/")
        assert not location.startswith(("//", "/\\"))

    def test_the_session_is_renewed_at_sign_in(self, browser: TestClient) -> None:
        before = login_form_token(browser)

        submit_login(browser, "msl", DEMO_PASSWORD)

        after = csrf_from(browser.get("/account/tokens").text)
        assert after != before, "a CSRF token from before sign-in must not stay valid"


class TestLogout:
    def test_without_csrf_token_is_refused_and_keeps_the_session(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.post("/logout", headers=HTML, follow_redirects=False)

        assert response.status_code == 403
        assert signed_in_as(msl) == "msl"

    def test_with_csrf_token_clears_the_session(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.post("/logout", data={"csrf_token": csrf_of(msl)}, follow_redirects=False)

        assert response.status_code == 303
        assert response.headers["location"] == "/login"
        assert signed_in_as(msl) is None

    def test_the_old_csrf_token_dies_with_the_session(self, web_as: WebAs) -> None:
        msl = web_as("msl")
        old = csrf_of(msl)
        msl.post("/logout", data={"csrf_token": old})

        response = msl.post("/logout", data={"csrf_token": old}, follow_redirects=False)

        assert response.status_code == 403


class TestTokensPage:
    def test_the_page_lists_the_user_s_tokens(
        self, web_as: WebAs, session: Session, persona: PersonaOf
    ) -> None:
        msl = web_as("msl")
        user_service.create_api_token(
            session, persona("msl"), name="nightly export", expires_in_days=None
        )
        session.flush()

        page = msl.get("/account/tokens")

        assert page.status_code == 200
        assert "nightly export" in page.text

    def test_a_token_created_through_the_form_is_shown_once_and_works(
        self, web_as: WebAs, client: TestClient
    ) -> None:
        msl = web_as("msl")

        created = msl.post(
            "/account/tokens",
            data={"name": "crm sync", "csrf_token": csrf_of(msl)},
            follow_redirects=False,
        )
        assert created.status_code == 303
        assert created.headers["location"] == "/account/tokens"

        first = msl.get("/account/tokens")
        secrets = TOKEN_SECRET.findall(first.text)
        assert len(set(secrets)) == 1, "the new token is shown on the next page"
        again = msl.get("/account/tokens")
        assert secrets[0] not in again.text, "and only once"
        assert "crm sync" in again.text

        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secrets[0]}"})
        assert me.json()["username"] == "msl"

    def test_creating_without_csrf_token_is_refused(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.post("/account/tokens", data={"name": "crm sync"}, headers=HTML)

        assert response.status_code == 403
        listed = msl.get("/api/v1/tokens").json()["items"]
        assert listed == []

    def test_a_token_without_a_name_shows_the_field_error(self, web_as: WebAs) -> None:
        msl = web_as("msl")

        response = msl.post(
            "/account/tokens",
            data={"name": "   ", "csrf_token": csrf_of(msl)},
        )

        assert response.status_code == 400
        assert "give the token a name" in response.text.lower()

    def test_a_token_is_revoked_through_the_form(self, web_as: WebAs, client: TestClient) -> None:
        msl = web_as("msl")
        msl.post("/account/tokens", data={"name": "crm sync", "csrf_token": csrf_of(msl)})
        token = msl.get("/api/v1/tokens").json()["items"][0]

        response = msl.post(
            f"/account/tokens/{token['id']}/revoke",
            data={"csrf_token": csrf_of(msl)},
            follow_redirects=False,
        )

        assert response.status_code == 303
        assert msl.get("/api/v1/tokens").json()["items"][0]["revoked_at"] is not None

    def test_revoking_without_csrf_token_is_refused(self, web_as: WebAs) -> None:
        msl = web_as("msl")
        msl.post("/account/tokens", data={"name": "crm sync", "csrf_token": csrf_of(msl)})
        token = msl.get("/api/v1/tokens").json()["items"][0]

        response = msl.post(f"/account/tokens/{token['id']}/revoke", headers=HTML)

        assert response.status_code == 403
        assert msl.get("/api/v1/tokens").json()["items"][0]["revoked_at"] is None

    def test_revoking_someone_else_s_token_is_404(
        self, web_as: WebAs, session: Session, persona: PersonaOf
    ) -> None:
        token, _ = user_service.create_api_token(
            session, persona("msl"), name="msl's", expires_in_days=None
        )
        session.flush()
        rep = web_as("rep")

        response = rep.post(
            f"/account/tokens/{token.id}/revoke",
            data={"csrf_token": csrf_of(rep)},
            headers=HTML,
        )

        assert response.status_code == 404
        assert "Error 404" in response.text


class TestUsersPage:
    # signed in through the form rather than web_as, so these tests do not depend on the
    # home page rendering for each persona
    def test_admin_sees_every_user(self, browser: TestClient) -> None:
        submit_login(browser, "admin", DEMO_PASSWORD)

        page = browser.get("/users")

        assert page.status_code == 200
        for username in ("meddir", "msl", "rep_west", "compliance"):
            assert username in page.text

    def test_rep_is_forbidden_with_a_friendly_page(self, browser: TestClient) -> None:
        submit_login(browser, "rep", DEMO_PASSWORD)

        page = browser.get("/users")

        assert page.status_code == 403
        assert page.headers["content-type"].startswith("text/html")
        assert "only administrators manage users" in page.text.lower()


class TestSignInRedirect:
    def test_an_anonymous_page_request_goes_to_the_login_with_next(
        self, browser: TestClient
    ) -> None:
        response = browser.get("/", follow_redirects=False)

        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/"

    def test_next_keeps_the_path_and_query(self, browser: TestClient) -> None:
        response = browser.get("/users?cursor=abc", follow_redirects=False)

        assert response.status_code == 303
        assert response.headers["location"] == "/login?next=/users%3Fcursor%3Dabc"

    def test_an_anonymous_json_request_gets_a_401_problem_instead(self, client: TestClient) -> None:
        response = client.get("/", headers={"Accept": "application/json"})

        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
