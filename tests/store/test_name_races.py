"""Name races outside synthesis, on every store: seed installation and composite promotion. A rival
registry (what a second selfeng process is: its own registry on the same store) commits the same name
between our name check and our registration; the answer must be a clear "exists", never an internal
error, and the library must hold the name once."""
from __future__ import annotations

import json

from selfeng import seed_tools
from selfeng.capability_registry import CapabilityRegistry
from selfeng.config import load_settings
from tests.core.helpers import Recorder, make_orchestrator

PAIR = ["calculate_square_root", "calculate_percentage"]


def _rival_commits_first(registry, rival: CapabilityRegistry, names: set[str]) -> list[str]:
    """Make `registry`'s next registration of one of `names` lose the race: the rival registers the
    same row (code, tests, components) just before our store call. Returns the names the rival took."""
    real, taken = registry.store.register_tool, []

    def rival_first(tool, *args, **kw):
        if tool["name"] in names and tool["name"] not in taken:
            taken.append(tool["name"])
            rival.add_tool(tool["name"], tool["code"], tool["tests"], tool["docstring"], tests_verified=True,
                           spec=tool.get("spec"), component_tools=tool.get("component_tools"))
        return real(tool, *args, **kw)

    registry.store.register_tool = rival_first
    return taken


def test_seed_race_reports_exists(monkeypatch):
    monkeypatch.setattr(seed_tools, "SEED_TOOLS", ["reverse_string", "calculate_factorial"])
    orch, _ = make_orchestrator([])
    rival = CapabilityRegistry(settings=load_settings(), embedder=orch.registry.embedder)
    taken = _rival_commits_first(orch.registry, rival, {"reverse_string"})
    report = seed_tools.install_seed_tools(orch)
    assert taken == ["reverse_string"]
    assert {r["tool"]: r["status"] for r in report} == {"reverse_string": "exists", "calculate_factorial": "registered"}
    assert orch.registry.store.tool_names() == ["calculate_factorial", "reverse_string"]
    assert seed_tools.install_seed_tools(orch) == [{"tool": n, "status": "exists"} for n in seed_tools.SEED_TOOLS]
    rival.close()


def test_composite_race_links_the_rivals_composite(monkeypatch):
    """Two processes promote the same workflow at once: the loser answers normally (its workflow ran),
    creates no second composite, and its pattern points at the winner's composite, which later
    requests use."""
    monkeypatch.setattr(seed_tools, "SEED_TOOLS", PAIR)
    orch, provider = make_orchestrator([])
    seed_tools.install_seed_tools(orch)
    rival = CapabilityRegistry(settings=load_settings(), embedder=orch.registry.embedder)
    from selfeng.composites import composite_name
    name = composite_name(PAIR)
    taken: list[str] = []
    for i, (number, pct, expected) in enumerate([(144, 25, 3.0), (64, 50, 4.0), (100, 20, 2.0)]):
        if i == 2:  # the request that promotes the workflow
            taken = _rival_commits_first(orch.registry, rival, {name})
        provider.enqueue("extract_arguments", json.dumps({"percentage": pct, "base": float(number) ** 0.5}))
        rec = Recorder()
        r = orch.process_request(f"Calculate the square root of {number}, then calculate {pct}% of that result",
                                 callback=rec)
        text = json.dumps(r, default=str)
        assert r["success"] and r["tool_result"] == expected, text[:2000]
        assert "Internal error" not in text and "error" not in rec.names
        assert r["composite_created"] is None and "composite_created" not in rec.names
    assert taken == [name]
    names = orch.registry.store.tool_names()
    assert names.count(name) == 1 and sorted(names) == sorted([*PAIR, name])
    assert orch.workflow_tracker.get_pattern(PAIR)["composite_tool"] == name
    provider.enqueue("extract_arguments", json.dumps({"number": 81, "percentage": 50}))
    r = orch.process_request("Calculate the square root of 81, then calculate 50% of that result")
    assert r["success"] and r["strategy"] == "composite_tool" and r["tool_name"] == name, r
    assert r["tool_result"] == 4.5
    rival.close()
