"""QueryPlanner accuracy on the labelled set in tests/workflows/planner_set.json, and model calls per strategy.

    .venv/bin/python benchmarks/bench_planner.py            # rules only: analyze_query unavailable
    .venv/bin/python benchmarks/bench_planner.py --local    # with the embedded model for analyze_query
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "tests" / "workflows" / "planner_set.json"


def steps_match(expected: list[dict], got: list[dict]) -> bool:
    if len(expected) != len(got):
        return False
    for e, g in zip(expected, got):
        task = g["task"].lower()
        if not all(w.lower() in task for w in e["words"]) or list(e["depends_on"]) != list(g["depends_on"]):
            return False
    return True


def evaluate(planner, items) -> dict:
    rows, calls = [], defaultdict(list)
    for item in items:
        with planner.llm_client.usage_scope() as usage:
            plan = planner.plan_execution(item["prompt"])
        ok = plan["strategy"] == item["strategy"]
        if ok and "steps" in item:
            ok = steps_match(item["steps"], plan.get("sub_tasks") or [])
        rows.append({"prompt": item["prompt"], "expected": item["strategy"], "got": plan["strategy"], "correct": ok,
                     "sub_tasks": plan.get("sub_tasks"), "model_calls": usage.calls,
                     "needs_model": bool(item.get("needs_model"))})
        calls[plan["strategy"]].append(usage.calls)
    n = len(rows)
    return {"rows": rows, "requests": n, "correct": sum(r["correct"] for r in rows),
            "accuracy": round(sum(r["correct"] for r in rows) / n, 3),
            "accuracy_rule_decidable": round(sum(r["correct"] for r in rows if not r["needs_model"])
                                             / max(1, sum(not r["needs_model"] for r in rows)), 3),
            "model_calls_per_strategy": {k: {"requests": len(v), "mean_calls": round(sum(v) / len(v), 2)}
                                         for k, v in sorted(calls.items())},
            "wrong": [r for r in rows if not r["correct"]]}


def build(local: bool):
    os.environ.setdefault("SELFENG_DATA_DIR", tempfile.mkdtemp(prefix="selfeng-planner-"))
    from selfeng.config import load_settings
    from selfeng.llm_client import LLMClient
    from selfeng.orchestrator import AgentOrchestrator
    from selfeng.seed_tools import install_seed_tools
    if local:
        settings = load_settings(llm_provider="local")
        client = LLMClient(settings=settings)
    else:
        from selfeng.llm.scripted import ScriptedProvider
        settings = load_settings(llm_provider="scripted")
        client = LLMClient(ScriptedProvider([]), settings=settings)  # any analyze_query call fails -> one step
    orch = AgentOrchestrator(settings=settings, llm_client=client)
    install_seed_tools(orch)
    return orch.query_planner


def dependency_accuracy(rows, items) -> dict:
    """Among multi-step requests: the share whose every step's depends_on is right (steps must align)."""
    ok = n = 0
    for r, item in zip(rows, items):
        if "steps" not in item:
            continue
        n += 1
        got = r["sub_tasks"] or []
        ok += len(got) == len(item["steps"]) and all(list(e["depends_on"]) == list(g["depends_on"])
                                                     for e, g in zip(item["steps"], got))
    return {"multi_step": n, "dependencies_right": ok, "dependency_accuracy": round(ok / max(n, 1), 3)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", action="store_true", help="use the embedded model for analyze_query")
    ap.add_argument("--postfreeze", action="store_true", help="also tests/workflows/planner_postfreeze.json")
    args = ap.parse_args()
    items = json.loads(SET.read_text())["requests"]
    if args.postfreeze:
        items += json.loads((SET.parent / "planner_postfreeze.json").read_text())["requests"]
    planner = build(args.local)
    summary = {}
    for split in ("tune", "test", "postfreeze"):
        sub = [i for i in items if i.get("split", "tune") == split]
        if not sub:
            continue
        result = evaluate(planner, sub)
        result.update(dependency_accuracy(result.pop("rows"), sub))
        summary[split] = result
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
