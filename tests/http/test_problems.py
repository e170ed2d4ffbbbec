"""The HTTP edge: problem+json errors, request ids on responses and in logs, the OpenAPI docs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from accord.logs import RequestIdFilter, configure_logging, request_id_var

PROBLEM = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "request_id"}
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    return body


class ListHandler(logging.Handler):
    """Keeps records, each stamped with its request id by the same filter Accord installs."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def log_records() -> Iterator[list[logging.LogRecord]]:
    """Records of the accord loggers at INFO and above, with `record.request_id`."""
    handler = ListHandler()
    logger = logging.getLogger("accord")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


@pytest.fixture
def failing_route(app: FastAPI) -> str:
    """A route that fails with an unexpected error, as a bug in a service would."""

    def explode() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/explode", explode)
    return "/api/v1/explode"


class TestProblemDetails:
    def test_an_unknown_api_route_is_a_404_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/no-such-thing")

        body = assert_problem(response, 404)
        assert body["detail"] == "nothing at /api/v1/no-such-thing"

    def test_an_unknown_api_route_is_a_problem_even_for_a_browser(self, client: TestClient) -> None:
        response = client.get("/api/v1/no-such-thing", headers={"Accept": "text/html"})

        assert_problem(response, 404)

    def test_a_wrong_method_is_a_405_problem_with_allow(self, client: TestClient) -> None:
        response = client.delete("/api/v1/health")

        assert_problem(response, 405)
        assert response.headers["allow"] == "GET"

    def test_not_signed_in_is_a_401_problem(self, client: TestClient) -> None:
        response = client.get("/api/v1/me")

        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"

    def test_invalid_input_is_a_422_problem_listing_each_field(self, client: TestClient) -> None:
        response = client.post("/api/v1/auth/token", data={})

        body = assert_problem(response, 422)
        assert {e["field"] for e in body["errors"]} == {"username", "password"}
        assert all(e["message"] for e in body["errors"])
        assert "username" in body["detail"]
        assert "password" in body["detail"]

    def test_an_unexpected_error_is_a_500_problem_without_internals(
        self, client: TestClient, failing_route: str
    ) -> None:
        response = client.get(failing_route)

        assert_problem(response, 500)
        assert "a bug" not in response.text
        assert "Traceback" not in response.text

    def test_a_page_error_for_a_browser_is_a_friendly_page(self, client: TestClient) -> None:
        response = client.get("/no-such-page", headers={"Accept": "text/html"})

        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Error 404" in response.text


class TestRequestId:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/api/v1/health"),
            ("GET", "/api/v1/me"),
            ("GET", "/api/v1/no-such-thing"),
            ("DELETE", "/api/v1/health"),
            ("GET", "/login"),
            ("GET", "/api/openapi.json"),
        ],
    )
    def test_every_response_carries_one(self, client: TestClient, method: str, path: str) -> None:
        response = client.request(method, path)

        assert GENERATED_ID.match(response.headers["x-request-id"])

    def test_an_unexpected_error_carries_one_too(
        self, client: TestClient, failing_route: str
    ) -> None:
        response = client.get(failing_route, headers={"X-Request-ID": "support-ticket-42"})

        assert response.status_code == 500
        assert response.headers.get("x-request-id") == "support-ticket-42"
        assert response.json()["request_id"] == "support-ticket-42"
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"

    def test_every_response_says_how_long_the_server_took(self, client: TestClient) -> None:
        timing = client.get("/api/v1/health").headers["server-timing"]

        assert timing.startswith("app;dur=")
        assert float(timing.removeprefix("app;dur=")) >= 0

    def test_each_request_gets_its_own(self, client: TestClient) -> None:
        ids = {client.get("/api/v1/health").headers["x-request-id"] for _ in range(3)}

        assert len(ids) == 3

    @pytest.mark.parametrize("sane", ["abc-123", "trace.ID_7", "x" * 64])
    def test_a_sane_incoming_id_is_echoed(self, client: TestClient, sane: str) -> None:
        response = client.get("/api/v1/health", headers={"X-Request-ID": sane})

        assert response.headers["x-request-id"] == sane

    @pytest.mark.parametrize(
        "insane",
        ["x" * 65, "has space", "semi;colon", "<script>", "line\tbreak", "ünïcode"],
        ids=["too-long", "space", "semicolon", "markup", "tab", "non-ascii"],
    )
    def test_an_insane_incoming_id_is_replaced(self, client: TestClient, insane: str) -> None:
        response = client.get(
            "/api/v1/no-such-thing", headers={"X-Request-ID": insane.encode("utf-8")}
        )

        assert GENERATED_ID.match(response.headers["x-request-id"])
        assert response.json()["request_id"] == response.headers["x-request-id"]

    def test_the_problem_body_names_the_same_id(self, client: TestClient) -> None:
        response = client.get("/api/v1/me", headers={"X-Request-ID": "abc-123"})

        assert response.json()["request_id"] == "abc-123"


class TestRequestIdInLogs:
    def test_the_request_line_is_logged_with_the_request_id(
        self, client: TestClient, log_records: list[logging.LogRecord]
    ) -> None:
        client.get("/api/v1/health", headers={"X-Request-ID": "trace-me-1"})

        lines = [r for r in log_records if r.name == "accord.request"]
        assert [r.request_id for r in lines] == ["trace-me-1"]  # type: ignore[attr-defined]
        assert "GET /api/v1/health -> 200" in lines[0].getMessage()

    def test_an_unexpected_error_is_logged_with_the_request_id(
        self,
        client: TestClient,
        failing_route: str,
        log_records: list[logging.LogRecord],
    ) -> None:
        client.get(failing_route, headers={"X-Request-ID": "trace-me-2"})

        errors = [r for r in log_records if r.levelno >= logging.ERROR]
        assert errors, "the unexpected error is logged"
        assert all(r.request_id == "trace-me-2" for r in errors)  # type: ignore[attr-defined]
        assert errors[0].exc_info is not None, "with its traceback"

    def test_outside_a_request_the_id_is_a_dash(self, log_records: list[logging.LogRecord]) -> None:
        logging.getLogger("accord.test").warning("no request here")

        assert log_records[-1].request_id == "-"  # type: ignore[attr-defined]

    def test_the_id_does_not_leak_into_the_next_request(
        self, client: TestClient, log_records: list[logging.LogRecord]
    ) -> None:
        client.get("/api/v1/health", headers={"X-Request-ID": "first-one"})
        client.get("/api/v1/health")

        lines = [r for r in log_records if r.name == "accord.request"]
        assert lines[0].request_id == "first-one"  # type: ignore[attr-defined]
        assert lines[1].request_id != "first-one"  # type: ignore[attr-defined]
        assert request_id_var.get() == "-"

    def test_configure_logging_installs_the_filter_on_a_root_handler_once(self) -> None:
        root = logging.getLogger()
        level = root.level
        try:
            configure_logging("WARNING")
            configure_logging("WARNING")
        finally:
            root.setLevel(level)

        ours = [h for h in root.handlers if getattr(h, "_accord", False)]
        assert len(ours) == 1
        assert any(isinstance(f, RequestIdFilter) for f in ours[0].filters)
        assert "%(request_id)s" in (ours[0].formatter._fmt or "")  # type: ignore[union-attr]


class TestOpenApi:
    def test_the_schema_lists_the_api(self, client: TestClient) -> None:
        response = client.get("/api/openapi.json")

        assert response.status_code == 200
        paths = response.json()["paths"]
        for path in ("/api/v1/health", "/api/v1/me", "/api/v1/auth/token", "/api/v1/audit"):
            assert path in paths

    def test_the_schema_leaves_out_the_html_pages(self, client: TestClient) -> None:
        paths = client.get("/api/openapi.json").json()["paths"]

        assert not [p for p in paths if not p.startswith("/api/")]

    def test_the_token_route_documents_the_password_form(self, client: TestClient) -> None:
        schema = client.get("/api/openapi.json").json()

        body = schema["paths"]["/api/v1/auth/token"]["post"]["requestBody"]
        assert "application/x-www-form-urlencoded" in body["content"]

    def test_the_docs_page_is_html(self, client: TestClient) -> None:
        response = client.get("/api/docs")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "/api/openapi.json" in response.text
