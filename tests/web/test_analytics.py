"""Analytics routes: learned patterns, tool relationships and figures, on the real pipeline (model scripted)."""
from __future__ import annotations

import json

import pytest

from selfeng.seed_tools import install_seed_tools
from selfeng.web.app import PATTERN_KEYS

TWO_STEPS = "Calculate 20% of 100 and also find the square root of 64"
FAILING = ("Reverse the string 'abc', then calculate the square root of -4, "
           "then calculate the factorial of that result")
PAIR = ["calculate_percentage", "calculate_square_root"]
ROUTES = ("/api/analytics/patterns", "/api/analytics/relationships", "/api/analytics/stats")


_ROOTS = [64, 81, 49, 36, 25, 16, 9]


def _ask_two_steps(web, client, times: int) -> list[dict]:
    """Varied inputs each time: composites are only built from distinct successful runs."""
    out = []
    for _ in range(times):
        asked = getattr(web, "_asked", 0)
        web._asked = asked + 1
        web.provider.enqueue("extract_arguments", json.dumps({"percentage": 20, "base": 100}))
        r = client.post("/api/query", json={"prompt": TWO_STEPS.replace("64", str(_ROOTS[asked]))})
        assert r.status_code == 200 and r.json["success"], r.json
        out.append(r.json)
    return out


def test_empty_database(make_web):
    client = make_web().app.test_client()
    assert client.get("/api/analytics/patterns").json == {"patterns": [], "count": 0}
    assert client.get("/api/analytics/relationships").json == {"relationships": [], "count": 0}
    assert client.get("/api/analytics/stats").json == {
        "tool_count": 0, "composite_count": 0, "pattern_count": 0, "sequence_count": 0, "relationship_count": 0,
        "execution_count": 0, "execution_success_rate": None, "workflow_run_count": 0, "top_tools": [],
        "composites": []}


def test_after_scripted_workflows(make_web):
    web = make_web()
    install_seed_tools(web.orchestrator)
    client = web.app.test_client()

    first, second = _ask_two_steps(web, client, 2)
    assert first["strategy"] == "multi_tool_composition" and first["tool_result"] == [20.0, 8.0]
    assert first["workflow"]["tool_sequence"] == PAIR and first["composite_created"] is None
    (pattern,) = client.get("/api/analytics/patterns").json["patterns"]
    assert set(pattern) == set(PATTERN_KEYS)
    assert pattern["tool_sequence"] == PAIR and pattern["frequency"] == 2
    assert pattern["avg_success_rate"] == 1.0 and pattern["composite_tool"] is None
    assert pattern["confidence_score"] == pytest.approx(2 / 3)
    assert "square root" in pattern["description"]

    # The third run promotes the pair to a verified composite tool.
    (third,) = _ask_two_steps(web, client, 1)
    composite = third["composite_created"]
    assert composite
    # A failing workflow: reverse_string runs, the square root of -4 fails, the factorial is skipped.
    r = client.post("/api/query", json={"prompt": FAILING})
    assert r.status_code == 200 and r.json["success"] is False and r.json["workflow"]["failed_step"] == 1
    assert web.provider.remaining() == 0

    patterns = client.get("/api/analytics/patterns").json
    assert patterns["count"] == 1
    assert patterns["patterns"][0]["frequency"] == 3 and patterns["patterns"][0]["composite_tool"] == composite
    seen_once = client.get("/api/analytics/patterns?min_frequency=1").json["patterns"]
    assert [p["tool_sequence"] for p in seen_once] == [PAIR, ["reverse_string", "calculate_square_root"]]
    assert client.get("/api/analytics/patterns?min_frequency=1&limit=1").json["count"] == 1
    assert client.get("/api/analytics/patterns?min_frequency=4").json == {"patterns": [], "count": 0}

    rels = client.get("/api/analytics/relationships").json["relationships"]
    assert {(r["tool_a"], r["tool_b"], r["count"]) for r in rels} == {
        ("calculate_percentage", "calculate_square_root", 3), ("reverse_string", "calculate_square_root", 1)}
    only = client.get("/api/analytics/relationships?tool=reverse_string&min_confidence=0").json
    assert only["count"] == 1 and only["relationships"][0]["tool_b"] == "calculate_square_root"
    assert client.get("/api/analytics/relationships?tool=calculate_factorial").json["count"] == 0

    stats = client.get("/api/analytics/stats").json
    assert stats["tool_count"] == 7 and stats["composite_count"] == 1
    assert stats["pattern_count"] == 1 and stats["sequence_count"] == 2 and stats["relationship_count"] == 2
    # 3 × 2 workflow steps, then reverse_string and the failed square root: 7 of 8 succeeded.
    assert stats["execution_count"] == 8 and stats["execution_success_rate"] == 0.875
    assert stats["workflow_run_count"] == 4
    assert [t["name"] for t in stats["top_tools"]] == ["calculate_square_root", "calculate_percentage",
                                                       "reverse_string"]
    assert stats["top_tools"][0] == {"name": "calculate_square_root", "usage_count": 4, "success_rate": 0.75,
                                     "composite": False}
    assert stats["composites"] == [{"name": composite, "component_tools": PAIR, "usage_count": 0,
                                    "success_rate": 0.0, "pattern_frequency": 3, "pattern_confidence": 0.75}]

    # The library marks the composite; plain tools have no components.
    tools = {t["name"]: t for t in client.get("/api/tools").json["tools"]}
    assert tools[composite]["component_tools"] == PAIR
    assert tools["reverse_string"]["component_tools"] == []
    assert client.get(f"/api/tools/{composite}").json["component_tools"] == PAIR


@pytest.mark.parametrize("query, word", [
    ("/api/analytics/patterns?min_frequency=0", "min_frequency"),
    ("/api/analytics/patterns?min_frequency=-1", "min_frequency"),
    ("/api/analytics/patterns?min_frequency=abc", "min_frequency"),
    ("/api/analytics/patterns?min_frequency=1000001", "min_frequency"),
    ("/api/analytics/patterns?limit=0", "limit"),
    ("/api/analytics/patterns?limit=101", "limit"),
    ("/api/analytics/patterns?limit=1.5", "limit"),
    ("/api/analytics/patterns?limit=", "limit"),
    ("/api/analytics/relationships?min_confidence=1.5", "min_confidence"),
    ("/api/analytics/relationships?min_confidence=-0.1", "min_confidence"),
    ("/api/analytics/relationships?min_confidence=nan", "min_confidence"),
    ("/api/analytics/relationships?min_confidence=inf", "min_confidence"),
    ("/api/analytics/relationships?min_confidence=2e0", "min_confidence"),
    ("/api/analytics/relationships?min_confidence=", "min_confidence"),
    ("/api/analytics/relationships?tool=bad-name", "tool"),
    ("/api/analytics/relationships?tool=", "tool"),
    ("/api/analytics/relationships?tool=abc%0A", "tool"),
    ("/api/analytics/relationships?tool=" + "a" * 65, "tool"),
])
def test_bad_input_is_a_json_400(make_web, query, word):
    r = make_web().app.test_client().get(query)
    assert r.status_code == 400 and word in r.json["error"], r.json


def test_good_edge_values(make_web):
    client = make_web().app.test_client()
    for query in ("/api/analytics/patterns?min_frequency=1&limit=100", "/api/analytics/patterns?limit=1",
                  "/api/analytics/relationships?min_confidence=0", "/api/analytics/relationships?min_confidence=1",
                  "/api/analytics/relationships?min_confidence=.25&tool=reverse_string",
                  "/api/analytics/relationships?min_confidence=1e-05",
                  "/api/analytics/relationships?min_confidence=0.3656864182807141"):
        assert client.get(query).status_code == 200, query


def test_token_required_when_set(make_web, monkeypatch):
    monkeypatch.setenv("SELFENG_API_TOKEN", "s3cret-token")
    client = make_web().app.test_client()
    for path in ROUTES:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}):
            r = client.get(path, headers=headers)
            assert r.status_code == 401 and "token" in r.json["error"], (path, headers)
        assert client.get(path, headers={"Authorization": "Bearer s3cret-token"}).status_code == 200, path
    doc = client.get("/api/openapi.json").json
    for path in ROUTES:
        assert doc["paths"][path]["get"]["security"] == [{"bearerAuth": []}]
        assert "401" in doc["paths"][path]["get"]["responses"]
