"""Event names and the callback type that threads through every layer.

A callback is `callback(event_type: str, data: dict)`. The names are the seeds' public API: the web UI,
the CLI and users' own handlers switch on them, so they never change spelling.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Optional

Callback = Optional[Callable[[str, dict], None]]

SEARCHING = "searching"
TOOL_FOUND = "tool_found"
NO_TOOL_FOUND = "no_tool_found"
ENTERING_SYNTHESIS_MODE = "entering_synthesis_mode"
SYNTHESIS_STEP = "synthesis_step"
SYNTHESIS_COMPLETE = "synthesis_complete"
SYNTHESIS_FAILED = "synthesis_failed"
EXECUTING = "executing"
EXECUTION_COMPLETE = "execution_complete"
SYNTHESIZING_RESPONSE = "synthesizing_response"
COMPLETE = "complete"
ERROR = "error"

# Planning and workflows (QueryPlanner, CompositionPlanner, WorkflowTracker)
PLANNING_QUERY = "planning_query"
PLAN_COMPLETE = "plan_complete"
WORKFLOW_START = "workflow_start"
WORKFLOW_STEP = "workflow_step"
WORKFLOW_STEP_TOOL_FOUND = "workflow_step_tool_found"
WORKFLOW_STEP_NEEDS_SYNTHESIS = "workflow_step_needs_synthesis"
WORKFLOW_STEP_EXECUTING = "workflow_step_executing"
WORKFLOW_STEP_COMPLETE = "workflow_step_complete"
WORKFLOW_STEP_FAILED = "workflow_step_failed"
WORKFLOW_COMPLETE = "workflow_complete"
COMPOSITE_CREATED = "composite_created"

# synthesis_step data: {"step": one of SYNTHESIS_STEPS, "status": in_progress|complete|failed, ...}
SYNTHESIS_STEPS = ("specification", "tests", "implementation", "verification", "registration")

log = logging.getLogger("selfeng.events")


def emit(callback: Callback, event_type: str, data: dict[str, Any] | None = None) -> None:
    """Send one event. A failing callback is logged, never allowed to break the request."""
    if callback is None:
        return
    try:
        callback(event_type, data or {})
    except Exception:  # noqa: BLE001 - an observer's bug must not abort the agent's work
        log.exception("event callback failed on %s", event_type)
