"""Broker mode (issue 11): `selfeng serve` with SELFENG_BROKER_URL queues requests for `selfeng worker`
processes; events reach only the asking client, across processes; positions, the per-client cap and
cancel on disconnect hold; REST waits time out into polling."""
from __future__ import annotations

import time

import pytest
import requests

from tests.broker.conftest import make_team, str_tool
from tests.web.test_socket import Client

SLOW_TOOL = "import time\n\ndef slow_echo(s: str) -> str:\n    time.sleep(2.5)\n    return s\n"
SLOW_TESTS = "from slow_echo import slow_echo\n\ndef test_it():\n    assert slow_echo('a') == 'a'\n"
SCRIPT = str_tool("shout_text", "Return the text in capitals with an exclamation mark.", "Shout the text",
                  "s.upper() + '!'", "''.join(c.upper() for c in s) + '!'",
                  [("hello", "HELLO!"), ("", "!"), ("a b", "A B!"), ("Hi", "HI!")])


@pytest.fixture(scope="module")
def team(request, redis_server, team_pg, tmp_path_factory):
    t = make_team(request, redis_server, team_pg, tmp_path_factory, SCRIPT, n_workers=2)
    t.orchestrator().registry.add_tool("slow_echo", SLOW_TOOL, SLOW_TESTS, "Echo a string back, slowly.")
    return t


def _types(client: Client) -> list[str]:
    return [d["event_type"] for n, d in client.seen if n == "agent_event"]


def test_a_request_runs_on_a_worker_and_its_events_reach_only_the_asker(team):
    app, url = team.front()
    a, b = Client(url), Client(url)
    try:
        a.sio.emit("query", {"prompt": "Shout the text 'hello'", "session_id": "team-a"})
        done = a.until("query_complete", 120)
        assert done["success"] is True, done
        assert done["metadata"]["tool_name"] == "shout_text" and done["metadata"]["synthesized"] is True
        assert done["metadata"]["tool_result"] == "HELLO!" and len(done["job_id"]) == 32
        memory = a.until("session_memory", 10)
        assert [m["role"] for m in memory["messages"]] == ["user", "assistant"]
        types = _types(a)
        assert types[0] == "planning_query" and types[-1] == "complete" and "queued" not in types
        steps = [d["data"]["step"] for n, d in a.seen if n == "agent_event" and d["event_type"] == "synthesis_step"
                 and d["data"]["status"] == "complete"]
        assert steps == ["specification", "tests", "implementation", "verification", "registration"]
        # It ran in a worker process, not here; b saw nothing of it but tool counts.
        record = team.records().get(done["job_id"])
        assert record["state"] == "done" and int(record["pid"]) != __import__("os").getpid()
        b.drain(0.5)
        assert {n for n, _ in b.seen} <= {"tool_count"}
        # The worker registered the tool in the shared library: this front sees it.
        assert app.extensions["selfeng"].orchestrator.registry.get_tool_by_name("shout_text") is not None
    finally:
        a.close()
        b.close()


def test_rest_waits_then_polls_across_processes(team):
    app, url = team.front(rest_wait_seconds=30.0)
    r = requests.post(url + "/api/query", json={"prompt": "Echo back the string 'quick'"}, timeout=60)
    assert r.status_code == 200 and r.json()["tool_result"] == "quick", r.text
    app.extensions["selfeng"].rest_wait = 0.2
    r = requests.post(url + "/api/query", json={"prompt": "Echo back the string 'later'"}, timeout=60)
    assert r.status_code == 202 and r.headers["Location"] == f"/api/jobs/{r.json()['job_id']}"
    deadline = time.monotonic() + 60
    while (p := requests.get(url + r.headers["Location"], timeout=10)).status_code == 202:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert p.status_code == 200 and p.json()["tool_result"] == "later"
    # Another front polls the same job from the records.
    _, other = team.front()
    q = requests.get(other + r.headers["Location"], timeout=10)
    assert q.status_code == 200 and q.json()["tool_result"] == "later"
    health = requests.get(url + "/api/health", timeout=10).json()
    assert health["queue"]["broker"] == "ok"


def test_positions_cap_and_cancel_on_disconnect_across_processes(team):
    app, url = team.front(max_waiting_per_client=2)
    records = team.records()
    hog = Client(url)
    hog.sio.emit("query", {"prompt": "Echo back the string 'one'"})
    hog.sio.emit("query", {"prompt": "Echo back the string 'two'"})
    deadline = time.monotonic() + 60
    while records.counts()["running"] < 2:  # both workers busy
        assert time.monotonic() < deadline
        time.sleep(0.05)
    c = Client(url)
    c.sio.emit("query", {"prompt": "Echo back the string 'three'"})
    assert c.until("agent_event", 10) == {"event_type": "queued", "data": {"position": 2}}
    c.sio.emit("query", {"prompt": "Echo back the string 'four'"})
    assert c.until("agent_event", 10) == {"event_type": "queued", "data": {"position": 3}}
    c.sio.emit("query", {"prompt": "Echo back the string 'five'"})
    assert "limit per client is 2" in c.until("error", 10)["message"]
    waiting_ids = list(records.r.zrange("selfeng:waiting", 0, -1))
    assert len(waiting_ids) == 2
    c.close()  # gone: its two waiting jobs are cancelled and never run
    deadline = time.monotonic() + 10
    while records.counts()["waiting"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert [records.get(j)["state"] for j in waiting_ids] == ["cancelled", "cancelled"]
    for _ in range(2):
        assert hog.until("query_complete", 60)["success"] is True
    time.sleep(1.0)
    assert [records.get(j)["state"] for j in waiting_ids] == ["cancelled", "cancelled"]
    assert all(records.get(j).get("attempts") == "0" for j in waiting_ids)  # never started

    # A running job stops at its next safe point once its client has gone.
    d = Client(url)
    d.sio.emit("query", {"prompt": "Echo back the string 'bye'"})
    d.until("agent_event", 30, lambda e: e["event_type"] == "executing")
    job_id = next(j for j, _ in records.r.hgetall("selfeng:running").items())
    d.close()
    deadline = time.monotonic() + 30
    while records.get(job_id)["state"] != "cancelled":
        assert time.monotonic() < deadline, records.get(job_id)
        time.sleep(0.1)
    hog.close()
