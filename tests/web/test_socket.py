"""Socket.IO over a real WebSocket (python-socketio client against a live server on 127.0.0.1)."""
from __future__ import annotations

import queue
import time

import pytest
import socketio

from tests.core.helpers import reverse_synthesis_script


class Client:
    """A python-socketio client that records every event it receives, in order."""

    def __init__(self, url: str, transports=("websocket",), **connect_kw):
        self.events: queue.Queue = queue.Queue()
        self.seen: list[tuple[str, dict]] = []
        self.sio = socketio.Client(reconnection=False)
        for name in ("agent_event", "query_complete", "tool_count", "session_memory", "error"):
            self.sio.on(name, lambda data, name=name: self.events.put((name, data)))
        self.sio.connect(url, transports=list(transports), wait_timeout=10, **connect_kw)

    def until(self, name: str, timeout: float = 60.0, pred=lambda d: True) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name} within {timeout}s; saw {[n for n, _ in self.seen]}")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(event)
            if event[0] == name and pred(event[1]):
                return event[1]

    def drain(self, wait: float = 0.3) -> list[tuple[str, dict]]:
        time.sleep(wait)
        while not self.events.empty():
            self.seen.append(self.events.get())
        return self.seen

    def close(self):
        self.sio.disconnect()


def test_events_reach_only_the_asker_and_requests_queue_fifo(make_web, live_server):
    web = make_web(reverse_synthesis_script())
    url = live_server(web)
    a, b, c = Client(url), Client(url), Client(url)
    try:
        assert a.sio.transport() == "websocket"
        for cl in (a, b, c):
            assert cl.until("tool_count", 10) == {"count": 0}
        a.sio.emit("query", {"prompt": "Reverse the string 'hello world'", "session_id": "sa"})
        a.until("agent_event", 30)  # a's job is running now
        b.sio.emit("query", {"prompt": "Reverse 'Python'", "session_id": None})
        assert b.until("agent_event", 30) == {"event_type": "queued", "data": {"position": 1}}

        done_a = a.until("query_complete", 60)
        assert done_a["success"] is True and done_a["session_id"] == "sa"
        assert done_a["metadata"]["tool_name"] == "reverse_string" and done_a["metadata"]["synthesized"] is True
        assert done_a["metadata"]["tool_result"] == "dlrow olleh"
        memory = a.until("session_memory", 10)
        assert memory["session_id"] == "sa" and [m["role"] for m in memory["messages"]] == ["user", "assistant"]
        a_types = [d["event_type"] for n, d in a.seen if n == "agent_event"]
        assert a_types[:3] == ["planning_query", "plan_complete", "searching"]  # a one-tool plan, then search
        assert a_types[-1] == "complete" and "queued" not in a_types
        steps = [d["data"]["step"] for n, d in a.seen if n == "agent_event"
                 and d["event_type"] == "synthesis_step" and d["data"]["status"] == "complete"]
        assert steps == ["specification", "tests", "implementation", "verification", "registration"]

        done_b = b.until("query_complete", 60)
        assert done_b["success"] and done_b["metadata"]["synthesized"] is False
        assert done_b["metadata"]["tool_result"] == "nohtyP"
        b_types = [d["event_type"] for n, d in b.seen if n == "agent_event"]
        assert b_types[0] == "queued" and "tool_found" in b_types and "no_tool_found" not in b_types

        # c asked nothing: it saw only the broadcast tool counts.
        assert {n for n, _ in c.drain()} == {"tool_count"}
        assert c.seen[-1][1] == {"count": 1}
        assert not [e for e in a.drain() if e[0] == "agent_event" and e[1]["event_type"] == "tool_found"]
    finally:
        for cl in (a, b, c):
            cl.close()


def test_bad_queries_get_an_error_event(make_web, live_server):
    web = make_web(max_prompt_chars=40)
    cl = Client(live_server(web))
    try:
        for payload in ({"prompt": ""}, {"prompt": "x" * 41}, {"prompt": "hi", "session_id": "bad id"}, "text", None):
            cl.sio.emit("query", payload)
            assert cl.until("error", 10)["message"]
        assert web.provider.calls == []
    finally:
        cl.close()


def test_cross_origin_and_tokenless_connections_are_refused(make_web, live_server, monkeypatch):
    monkeypatch.setenv("SELFENG_API_TOKEN", "tok-123")
    url = live_server(make_web())
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(url, auth={"token": "nope"})
    # Polling sends exactly the Origin given (the WebSocket client would add its own next to it).
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(url, transports=["polling"], auth={"token": "tok-123"}, headers={"Origin": "http://evil.example"})
    same_origin = Client(url, transports=["polling"], auth={"token": "tok-123"}, headers={"Origin": url})
    same_origin.close()
    ok = Client(url, auth={"token": "tok-123"})
    try:
        assert ok.until("tool_count", 10) == {"count": 0}
    finally:
        ok.close()


def test_workflow_events_reach_only_the_asker_with_the_plan_in_query_complete(make_web, live_server):
    import json

    from selfeng.seed_tools import install_seed_tools
    web = make_web()
    install_seed_tools(web.orchestrator)
    web.provider.enqueue("extract_arguments", json.dumps({"percentage": 20, "base": 100}))
    url = live_server(web)
    a, b = Client(url), Client(url)
    try:
        a.sio.emit("query", {"prompt": "Calculate 20% of 100 and also find the square root of 64", "session_id": None})
        done = a.until("query_complete", 60)
        meta = done["metadata"]
        assert done["success"] and meta["strategy"] == "multi_tool_composition"
        assert meta["tool_result"] == [20.0, 8.0] and meta["composite_created"] is None
        assert meta["workflow"]["tool_sequence"] == ["calculate_percentage", "calculate_square_root"]
        assert [s["status"] for s in meta["workflow"]["results"]] == ["complete", "complete"]
        events = [(d["event_type"], d["data"]) for n, d in a.seen if n == "agent_event"]
        types = [t for t, _ in events]
        assert types[:3] == ["planning_query", "plan_complete", "workflow_start"]
        assert types.index("workflow_complete") < types.index("complete") == len(types) - 1
        completes = [d for t, d in events if t == "workflow_step_complete"]
        assert [(d["index"], d["tool_name"], d["result"]) for d in completes] == [
            (0, "calculate_percentage", 20.0), (1, "calculate_square_root", 8.0)]
        assert {n for n, _ in b.drain()} <= {"tool_count"}  # b asked nothing
    finally:
        a.close()
        b.close()
