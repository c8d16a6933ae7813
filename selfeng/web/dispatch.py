"""Running one request for a client: what the web server does in-process and a broker's worker does remotely.

Both shapes call the same two functions, so the events a browser sees (and their order) do not depend on
where the request ran. `send(event, payload)` delivers to the asking client: a Socket.IO emit to its room,
direct or through the message queue.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Callable

from .jobs import Job, JobCancelled

log = logging.getLogger(__name__)

Send = Callable[[str, dict], None]


def jsonable(value: Any) -> Any:
    """Whatever a tool or the model produced, as plain JSON values (unknown types become strings).

    NaN and ±Infinity, which browsers' JSON.parse rejects, become the strings "NaN", "Infinity" and
    "-Infinity" (the OpenAPI document says so)."""
    return json.loads(json.dumps(value, default=str), parse_constant=str)


def recent_messages(orchestrator, session_id: str, limit: int = 20) -> list[dict]:
    return jsonable(orchestrator.memory_manager.get_recent_messages(session_id, limit))


def complete_payload(result: dict, job_id: str | None = None) -> dict:
    """The `query_complete` event for a result (the seeds' keys, plus the job's id)."""
    out = {
        "success": bool(result.get("success")), "response": result.get("response") or "",
        "metadata": jsonable({
            "tool_name": result.get("tool_name"), "synthesized": bool(result.get("synthesized")),
            "tool_result": result.get("tool_result"), "experimental": bool(result.get("experimental")),
            "error_type": result.get("error_type"), "timings": result.get("timings") or {},
            "strategy": result.get("strategy"), "workflow": result.get("workflow"),
            "composite_created": result.get("composite_created")}),
        "session_id": result.get("session_id")}
    if job_id is not None:
        out["job_id"] = job_id
    return out


def failure_result(message: str, session_id: str | None, error_type: str = "internal_error") -> dict:
    return {"success": False, "response": message, "error": message, "error_type": error_type,
            "session_id": session_id, "tool_name": None, "synthesized": False}


def run_socket_request(orchestrator, send: Send, prompt: str, session_id: str | None, job: Job,
                       *, tool_count: Callable[[], None] | None = None, conclude: bool = True) -> dict:
    """Run a Socket.IO client's request: its events, then query_complete and session_memory, to `send`.

    A cancelled job (its client left) stops at the next safe point and sends nothing more. With
    `conclude=False` (a broker's worker) only the events are sent: the web front that holds the client's
    socket sends query_complete and session_memory from the stored result, so they are never lost with a
    pub/sub message."""
    def on_event(event_type: str, payload: dict) -> None:
        job.checkpoint(event_type)
        send("agent_event", {"event_type": event_type, "data": jsonable(payload or {})})

    try:
        result = orchestrator.process_request(prompt, session_id=session_id, callback=on_event)
    except JobCancelled:
        raise
    except Exception as exc:  # noqa: BLE001 - the client must always get an answer
        log.exception("request failed")
        send("error", {"message": f"internal error: {exc}"})
        result = failure_result(f"Internal error: {exc}", session_id)
    if not conclude:
        return result
    send_conclusion(orchestrator, send, result, job.id)
    if tool_count is not None:
        tool_count()
    return result


def send_conclusion(orchestrator, send: Send, result: dict, job_id: str) -> None:
    """query_complete, then the session's messages."""
    send("query_complete", complete_payload(result, job_id))
    if result.get("session_id"):
        try:
            messages = recent_messages(orchestrator, result["session_id"])
        except Exception:  # noqa: BLE001 - e.g. the database is away: the answer has been sent already
            log.exception("could not read the session's messages")
            return
        send("session_memory", {"session_id": result["session_id"], "messages": messages})


def run_rest_request(orchestrator, prompt: str, session_id: str | None,
                     *, tool_count: Callable[[], None] | None = None) -> dict:
    """Run a REST request; the result is returned (and kept for polling under the job's id)."""
    try:
        return orchestrator.process_request(prompt, session_id=session_id)
    finally:
        if tool_count is not None:
            tool_count()
