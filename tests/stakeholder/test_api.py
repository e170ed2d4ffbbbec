"""The stakeholder API keeps the integrators' contract and answers 404 out of scope."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Auth = Callable[[str], dict[str, str]]

BODY = {
    "type": "hcp",
    "first_name": "Ines",
    "last_name": "Okonkwo",
    "credentials": "DO",
    "specialty": "207RR0500X",
    "address": {"line1": "55 Fruit St", "city": "Boston", "state": "MA", "postal_code": "02114"},
}


def test_create_then_view_in_the_contract_shape(client: TestClient, api_as: Auth) -> None:
    headers = api_as("msl")
    created = client.post("/api/v1/stakeholders", json=BODY, headers=headers)
    assert created.status_code == 201, created.text
    view = client.get(f"/api/v1/stakeholders/{created.json()['id']}", headers=headers).json()
    assert set(view) == {"id", "name", "type", "sections", "timeline"}
    assert view["sections"]["identity"]["visibility"] == "full"
    assert (
        client.get(
            f"/api/v1/stakeholders/{created.json()['id']}", headers=api_as("rep_west")
        ).status_code
        == 404
    )


def test_bad_input_names_the_field(client: TestClient, api_as: Auth) -> None:
    body = {**BODY, "address": {**BODY["address"], "state": "Massachusetts"}}
    response = client.post("/api/v1/stakeholders", json=body, headers=api_as("msl"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "address.state"


def test_list_is_the_one_shape_and_unknown_ids_are_404(client: TestClient, api_as: Auth) -> None:
    headers = api_as("rep")
    body = client.get("/api/v1/stakeholders?limit=5", headers=headers).json()
    assert set(body) == {"items", "next_cursor"}
    assert client.get("/api/v1/stakeholders/987654321", headers=headers).status_code == 404
