"""The network API as the demo personas call it: what each must and must not see, bad query
values named by field, the on-demand recompute for administrators only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.network import jobs as network_jobs
from tests.network.graph import Graph, computed_graph

Api = Callable[[str], dict[str, str]]


@pytest.fixture
def graph(session: Session) -> Graph:
    built = computed_graph(session)
    session.commit()
    return built


def _get(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> Any:
    response = client.get(f"/api/v1{path}", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


class TestTop:
    def test_msl_sees_names_tiers_influence_and_evidence(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        body = _get(client, api_as("msl"), "/network/top")
        assert set(body) == {"items", "next_cursor"}
        ames = next(r for r in body["items"] if r["id"] == graph.ames.id)
        assert ames["tier"] == "national"
        assert ames["influence"] is not None
        assert "speaker at 1 national event" in ames["evidence"]
        assert graph.west.id not in {r["id"] for r in body["items"]}  # Los Angeles
        assert [r["rank"] for r in body["items"]] == list(range(1, len(body["items"]) + 1))

    def test_finance_sees_names_and_tiers_but_no_evidence(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        items = _get(client, api_as("finance"), "/network/top")["items"]
        assert graph.ames.id in {r["id"] for r in items}
        assert all(r["name"] and r["tier"] for r in items)
        assert all(r["evidence"] is None for r in items)
        # the firewall's network summary is "tier and influence score" (FIREWALL.md)
        assert all(r["influence"] is not None for r in items)

    def test_tier_filter_and_pages_follow_the_cursor(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        headers = api_as("compliance")
        national = _get(client, headers, "/network/top", tier="national")["items"]
        assert national
        assert {r["tier"] for r in national} == {"national"}
        first = _get(client, headers, "/network/top", limit=2)
        assert len(first["items"]) == 2
        assert first["next_cursor"]
        second = _get(client, headers, "/network/top", limit=2, cursor=first["next_cursor"])
        assert [r["rank"] for r in second["items"]][:1] == [3]
        assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}

    def test_unknown_tier_and_area_name_their_field(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        headers = api_as("msl")
        tier = client.get("/api/v1/network/top", headers=headers, params={"tier": "galactic"})
        assert tier.status_code == 422
        assert [e["field"] for e in tier.json()["errors"]] == ["tier"]
        area = client.get(
            "/api/v1/network/top", headers=headers, params={"therapeutic_area": "DERM"}
        )
        assert area.status_code == 400
        assert area.json()["field"] == "therapeutic_area"
        cursor = client.get("/api/v1/network/top", headers=headers, params={"cursor": "%%%"})
        assert cursor.status_code == 400
        assert cursor.json()["field"] == "cursor"

    def test_signed_out_gets_401(self, client: TestClient, graph: Graph) -> None:
        assert client.get("/api/v1/network/top").status_code == 401


class TestPyramid:
    def test_counts_per_tier_and_type_in_territory(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        everyone = _get(client, api_as("compliance"), "/network/pyramid")
        boston = _get(client, api_as("rep"), "/network/pyramid")
        assert [t["tier"] for t in everyone["tiers"]] == ["global", "national", "regional", "local"]
        assert sum(t["total"] for t in everyone["tiers"]) == (
            sum(t["total"] for t in boston["tiers"]) + 1  # West is in Los Angeles
        )
        national = next(t for t in boston["tiers"] if t["tier"] == "national")
        assert national["by_type"] == {"hcp": 1}
        assert everyone["snapshot"]["node_count"] >= 5

    def test_finance_reads_the_pyramid(self, client: TestClient, api_as: Api, graph: Graph) -> None:
        body = _get(client, api_as("finance"), "/network/pyramid")
        assert sum(t["total"] for t in body["tiers"]) >= 4

    def test_the_area_pyramid(self, client: TestClient, api_as: Api, graph: Graph) -> None:
        body = _get(client, api_as("compliance"), "/network/pyramid", therapeutic_area="CARDIO")
        assert body["therapeutic_area"] == "CARDIO"
        assert sum(t["total"] for t in body["tiers"]) == 4


class TestEgoNetwork:
    def test_msl_gets_nodes_and_edges_with_types_and_weights(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        body = _get(client, api_as("msl"), f"/stakeholders/{graph.ames.id}/network")
        ids = {n["id"] for n in body["nodes"]}
        assert {graph.ames.id, graph.baker.id, graph.cole.id, graph.fenway.id} <= ids
        assert graph.west.id not in ids
        assert body["hidden_relations"] == 1
        referral = next(e for e in body["edges"] if e["type"] == "referral")
        assert (referral["source_id"], referral["target_id"]) == (graph.cole.id, graph.ames.id)
        assert referral["directed"] is True
        assert referral["weight"] > 0

    def test_edge_type_and_depth_filters(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        headers = api_as("msl")
        colleagues = _get(
            client, headers, f"/stakeholders/{graph.ames.id}/network", edge_type="colleague"
        )
        assert {e["type"] for e in colleagues["edges"]} == {"colleague"}
        two = _get(client, headers, f"/stakeholders/{graph.baker.id}/network", depth=2)
        assert {n["id"]: n["depth"] for n in two["nodes"]}[graph.cole.id] == 2

    def test_rep_west_gets_404_outside_territory(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        response = client.get(
            f"/api/v1/stakeholders/{graph.ames.id}/network", headers=api_as("rep_west")
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("username", ["finance", "admin"])
    def test_network_summary_gets_403_with_the_reason(
        self, client: TestClient, api_as: Api, graph: Graph, username: str
    ) -> None:
        response = client.get(
            f"/api/v1/stakeholders/{graph.ames.id}/network", headers=api_as(username)
        )
        assert response.status_code == 403
        assert f"network is summary for {username}" in response.json()["detail"]

    def test_bad_depth_and_edge_type_name_their_field(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        headers = api_as("msl")
        path = f"/api/v1/stakeholders/{graph.ames.id}/network"
        three = client.get(path, headers=headers, params={"depth": 3})
        assert three.status_code == 400
        assert three.json()["field"] == "depth"
        words = client.get(path, headers=headers, params={"depth": "deep"})
        assert words.status_code == 422
        assert [e["field"] for e in words.json()["errors"]] == ["depth"]
        kind = client.get(path, headers=headers, params={"edge_type": "friend"})
        assert kind.status_code == 422
        assert kind.json()["errors"][0]["field"].startswith("edge_type")


class TestCommunitiesRisingAreas:
    def test_communities_list_and_one_community(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        headers = api_as("msl")
        found = _get(client, headers, "/network/communities")
        assert set(found) == {"items", "next_cursor"}
        assert found["items"]
        first = found["items"][0]
        one = _get(client, headers, f"/network/communities/{first['id']}")
        assert one["size"] == first["size"]
        assert graph.west.id not in {m["id"] for m in one["members"]}

    def test_unknown_community_is_404(self, client: TestClient, api_as: Api, graph: Graph) -> None:
        response = client.get("/api/v1/network/communities/9999", headers=api_as("msl"))
        assert response.status_code == 404

    def test_rising_stars_need_two_snapshots(
        self, client: TestClient, api_as: Api, graph: Graph
    ) -> None:
        body = _get(client, api_as("msl"), "/network/rising")
        assert body["stakeholders"] == []
        assert body["snapshot"] is not None
        assert body["since"] is None

    def test_areas(self, client: TestClient, api_as: Api, graph: Graph) -> None:
        items = _get(client, api_as("finance"), "/network/areas")["items"]
        assert "CARDIO" in {a["code"] for a in items}


class TestRecompute:
    def test_admin_queues_a_recompute_sent_after_the_commit(
        self,
        client: TestClient,
        api_as: Api,
        graph: Graph,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        sent: list[tuple[Any, ...]] = []
        monkeypatch.setattr(network_jobs.recompute_network, "send_now", lambda *a: sent.append(a))
        response = client.post("/api/v1/network/recompute", headers=api_as("admin"))
        assert response.status_code == 202, response.text
        assert response.json()["queued"] is True
        assert response.json()["requested_by"] == "admin"
        assert sent == [("admin",)]

    @pytest.mark.parametrize("username", ["msl", "compliance", "finance"])
    def test_others_get_403_and_nothing_is_queued(
        self,
        client: TestClient,
        api_as: Api,
        graph: Graph,
        monkeypatch: pytest.MonkeyPatch,
        username: str,
    ) -> None:
        sent: list[tuple[Any, ...]] = []
        monkeypatch.setattr(network_jobs.recompute_network, "send_now", lambda *a: sent.append(a))
        response = client.post("/api/v1/network/recompute", headers=api_as(username))
        assert response.status_code == 403
        assert "only administrators recompute" in response.json()["detail"]
        assert sent == []
