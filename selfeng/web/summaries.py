"""What the REST API says about tools and the library: a tool's summary and the analytics figures."""
from __future__ import annotations

from typing import Any

SUMMARY_KEYS = ("name", "docstring", "signature", "tests_verified", "experimental", "usage_count",
                "success_rate", "timestamp", "component_tools")
TOP_TOOLS = 5


def tool_summary(tool: dict) -> dict:
    out = {k: tool.get(k) for k in SUMMARY_KEYS}
    out["docstring"] = out["docstring"] or ""
    out["signature"] = out["signature"] or tool.get("name", "")
    out["tests_verified"] = bool(out["tests_verified"])
    out["experimental"] = bool(out["experimental"])
    out["usage_count"] = int(out["usage_count"] or 0)
    out["success_rate"] = float(out["success_rate"] or 0.0)
    out["timestamp"] = None if out["timestamp"] is None else str(out["timestamp"])
    out["component_tools"] = [str(t) for t in out["component_tools"] or []]  # non-empty: a composite tool
    return out


def analytics_stats(orchestrator) -> dict[str, Any]:
    """Library, pattern and execution figures for the page: a handful of reads, no model, no sandbox."""
    tools = orchestrator.registry.get_all_tools()
    composites = [t for t in tools if t.get("component_tools")]
    tracker = orchestrator.workflow_tracker
    store = getattr(orchestrator, "store", None) or tracker.store
    executions = store.get_executions(limit=None)
    succeeded = sum(1 for e in executions if e.get("success"))
    observed = tracker.get_workflow_patterns(min_frequency=1, limit=1_000_000)
    by_composite = {p["composite_tool"]: p for p in observed if p.get("composite_tool")}
    used = sorted((t for t in tools if t.get("usage_count")), key=lambda t: (-int(t["usage_count"]), t["name"]))
    return {
        "tool_count": len(tools),
        "composite_count": len(composites),
        "pattern_count": sum(1 for p in observed if int(p["frequency"]) >= 2),
        "sequence_count": len(observed),
        "relationship_count": len(tracker.get_tool_relationships(min_confidence=0.0)),
        "execution_count": len(executions),
        "execution_success_rate": round(succeeded / len(executions), 4) if executions else None,
        "workflow_run_count": len({e["session_id"] for e in executions if e.get("session_id")}),
        "top_tools": [{"name": t["name"], "usage_count": int(t["usage_count"]),
                       "success_rate": float(t.get("success_rate") or 0.0),
                       "composite": bool(t.get("component_tools"))} for t in used[:TOP_TOOLS]],
        "composites": [{"name": t["name"], "component_tools": list(t["component_tools"]),
                        "usage_count": int(t.get("usage_count") or 0),
                        "success_rate": float(t.get("success_rate") or 0.0),
                        "pattern_frequency": (by_composite.get(t["name"]) or {}).get("frequency"),
                        "pattern_confidence": (by_composite.get(t["name"]) or {}).get("confidence_score")}
                       for t in sorted(composites, key=lambda t: t["name"])],
    }
