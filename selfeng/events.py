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
