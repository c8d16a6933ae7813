"""Faults of the team deployment (issue 11), each on the real part: a worker's process killed with
SIGKILL mid-synthesis (once: retried; twice: a clear failure; the whole worker: sent again by another),
redis-server killed and restarted with jobs
waiting and running, and PostgreSQL stopped and started again."""
from __future__ import annotations

import os
import signal
import time

import pytest

from tests.broker.conftest import make_team, str_tool
from tests.broker.test_broker import SLOW_TESTS, SLOW_TOOL
from tests.web.test_socket import Client

SCRIPT = (str_tool("double_letters", "Repeat every character of the text twice.", "Double every letter",
                   "''.join(c * 2 for c in s)", "''.join(c + c for c in s)",
                   [("abc", "aabbcc"), ("", ""), ("x y", "xx  yy"), ("z", "zz")])
          + str_tool("mirror_text", "The text followed by its reverse.", "Mirror the text",
                     "s + s[::-1]", "s + ''.join(reversed(s))", [("ab", "abba"), ("", ""), ("xyz", "xyzzyx"), ("q", "qq")])
          + str_tool("shout_text", "The text in upper case.", "Shout the text",
                     "s.upper()", "''.join(c.upper() for c in s)", [("abc", "ABC"), ("", ""), ("a b", "A B"), ("Hi", "HI")]))


@pytest.fixture(scope="module")
def team(request, redis_server, team_pg, tmp_path_factory):
    t = make_team(request, redis_server, team_pg, tmp_path_factory, SCRIPT, n_workers=2)
    t.orchestrator().registry.add_tool("slow_echo", SLOW_TOOL, SLOW_TESTS, "Echo a string back, slowly.")
    return t


def _kill_running_at_synthesis(client: Client, records) -> int:
    """Wait until the client's job is writing its spec, then SIGKILL the process running it."""
    client.until("agent_event", 60, lambda e: e["event_type"] == "synthesis_step"
                 and e["data"].get("step") == "specification" and e["data"].get("status") == "in_progress")
    (job_id, pid), = records.r.hgetall("selfeng:running").items()
    os.kill(int(pid), signal.SIGKILL)
    return int(pid)


def _executions(team, tool: str) -> int:
    return len(team.orchestrator().store.get_executions(tool_name=tool))


def test_a_worker_killed_mid_synthesis_is_retried_once_and_registers_once(team):
    _, url = team.front()
    records = team.records()
    c = Client(url)
    c.sio.emit("query", {"prompt": "Double every letter of 'abc'"})
    killed = _kill_running_at_synthesis(c, records)
    retried = c.until("agent_event", 60, lambda e: e["event_type"] == "job_retried")
    assert retried["data"]["attempt"] == 2
    done = c.until("query_complete", 120)
    assert done["success"] is True and done["metadata"]["tool_result"] == "aabbcc", done
    record = records.get(done["job_id"])
    assert record["attempts"] == "2" and int(record["pid"]) != killed
    c.drain(1.0)
    assert [n for n, _ in c.seen].count("query_complete") == 1
    tools = [t["name"] for t in team.orchestrator().registry.get_all_tools()]
    assert tools.count("double_letters") == 1 and _executions(team, "double_letters") == 1
    c.close()


def test_a_job_whose_worker_dies_twice_fails_clearly_with_nothing_registered(team):
    _, url = team.front()
    records = team.records()
    c = Client(url)
    c.sio.emit("query", {"prompt": "Mirror the text 'ab'"})
    _kill_running_at_synthesis(c, records)
    c.until("agent_event", 60, lambda e: e["event_type"] == "job_retried")
    _kill_running_at_synthesis(c, records)
    error = c.until("error", 120)
    assert "stopped 2 times" in error["message"] and "not tried again" in error["message"]
    done = c.until("query_complete", 30)
    assert done["success"] is False and done["metadata"]["error_type"] == "job_failed"
    assert team.orchestrator().registry.get_tool_by_name("mirror_text") is None
    assert _executions(team, "mirror_text") == 0
    assert records.counts() == {"running": 0, "waiting": 0}
    c.close()


def test_a_whole_worker_killed_mid_synthesis_is_sent_again_by_another_worker(team):
    """Main process and pool killed together: no process is left to reject the message, and Redis would
    give it back only after the visibility timeout (an hour). The job's lapsed lease gives it away instead."""
    _, url = team.front()
    records = team.records()
    c = Client(url)
    c.sio.emit("query", {"prompt": "Shout the text 'abc'"})
    c.until("agent_event", 60, lambda e: e["event_type"] == "synthesis_step"
            and e["data"].get("step") == "specification" and e["data"].get("status") == "in_progress")
    (job_id, pid), = records.r.hgetall("selfeng:running").items()
    os.killpg(os.getpgid(int(pid)), signal.SIGKILL)  # the worker's session: its main process and pool
    try:
        retried = c.until("agent_event", 150, lambda e: e["event_type"] == "job_retried")
        assert retried["data"]["attempt"] == 2
        done = c.until("query_complete", 120)
        assert done["success"] is True and done["metadata"]["tool_result"] == "ABC", done
        assert done["job_id"] == job_id and records.get(job_id)["attempts"] == "2"
        c.drain(1.0)
        assert [n for n, _ in c.seen].count("query_complete") == 1
        tools = [t["name"] for t in team.orchestrator().registry.get_all_tools()]
        assert tools.count("shout_text") == 1 and _executions(team, "shout_text") == 1
    finally:
        c.close()
        team.wait_ready([team.start_worker("replacement")])  # the next tests expect two workers


def test_a_broker_restart_loses_no_waiting_or_running_job(team):
    _, url = team.front()
    records = team.records()
    before = _executions(team, "slow_echo")
    clients = [Client(url) for _ in range(4)]
    for i, cl in enumerate(clients):
        cl.sio.emit("query", {"prompt": f"Echo back the string 'r{i}'"})
        if i == 1:
            deadline = time.monotonic() + 60
            while records.counts()["running"] < 2:
                assert time.monotonic() < deadline
                time.sleep(0.05)
    deadline = time.monotonic() + 10
    while records.counts()["waiting"] < 2:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    team.redis.kill()  # kill -9; it comes back on the same port and files
    late = Client(url)  # connected before, asks while the broker is down: its request waits, then is queued
    late.sio.emit("query", {"prompt": "Echo back the string 'r4'"})
    time.sleep(1.5)
    team.redis.start()
    clients.append(late)
    results = sorted(cl.until("query_complete", 180)["metadata"]["tool_result"] for cl in clients)
    assert results == ["r0", "r1", "r2", "r3", "r4"]
    time.sleep(2.0)
    for cl in clients:
        cl.drain(0.1)
        assert [n for n, _ in cl.seen].count("query_complete") == 1
        cl.close()
    assert _executions(team, "slow_echo") - before == 5


def test_an_unreachable_database_fails_requests_clearly_and_they_recover(team, team_pg):
    _, url = team.front()
    c = Client(url)
    c.until("tool_count", 10)
    team_pg.stop()
    try:
        c.sio.emit("query", {"prompt": "Echo back the string 'away'"})
        error = c.until("error", 60)
        assert "PostgreSQL database is unreachable" in error["message"], error
        done = c.until("query_complete", 30)
        assert done["success"] is False and done["metadata"]["error_type"] == "unavailable", done
    finally:
        team_pg.start()
    outcomes = []
    for i in range(4):  # pooled connections broken by the restart are replaced as they are found
        c.sio.emit("query", {"prompt": f"Echo back the string 'back{i}'"})
        done = c.until("query_complete", 120)
        outcomes.append(done["success"])
        if done["success"]:
            assert done["metadata"]["tool_result"] == f"back{i}"
            break
    assert outcomes[-1] is True and len(outcomes) <= 3, outcomes
    c.close()
