"""GET /api/v1/products: the demo catalogue, one product at each interesting stage."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


def test_every_signed_in_user_lists_products_with_code_and_stage(
    client: TestClient, api_as: Callable[[str], dict[str, str]]
) -> None:
    body = client.get("/api/v1/products", headers=api_as("rep")).json()
    assert set(body) == {"items", "next_cursor"}
    stages = {p["code"]: p["lifecycle_stage"] for p in body["items"]}
    assert set(stages.values()) == {
        "development",
        "pre_launch",
        "launch",
        "growth",
        "mature",
        "loss_of_exclusivity",
    }
    assert len({p["therapeutic_area"] for p in body["items"]}) == 3


def test_anonymous_callers_get_401(client: TestClient) -> None:
    assert client.get("/api/v1/products").status_code == 401
