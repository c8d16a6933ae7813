"""Issue 11, one process: REST waits time out into 202 + polling, per-client caps, cancel on disconnect,
and the page's Ask waiting for the socket connection."""
from __future__ import annotations

import threading
import time

import pytest

from selfeng.web.jobs import SAFE_POINTS, ClientLimit, Job, JobCancelled, JobQueue
from tests.core.helpers import reverse_synthesis_script
from tests.web.test_socket import Client

SLOW_TOOL = "import time\n\ndef slow_echo(s: str) -> str:\n    time.sleep(1.5)\n    return s\n"
SLOW_TESTS = "from slow_echo import slow_echo\n\ndef test_it():\n    assert slow_echo('a') == 'a'\n"


def _blocker(queue) -> threading.Event:
    """Occupy the queue's one worker with a job that waits for the returned gate."""
    gate, started = threading.Event(), threading.Event()
    queue.submit(Job(run=lambda: (started.set(), gate.wait(30))))
    assert started.wait(5)
    return gate


def test_queue_caps_each_owner_and_stops_a_cancelled_running_job_at_a_safe_point():
    q = JobQueue(max_waiting=10, max_per_owner=2)
    gate = _blocker(q)
    a1, a2 = Job(run=lambda: 1, owner="A"), Job(run=lambda: 2, owner="A")
    q.submit(a1)
    q.submit(a2)
    with pytest.raises(ClientLimit, match="limit per client is 2"):
        q.submit(Job(run=lambda: 3, owner="A"))
    b = Job(run=lambda: "b", owner="B")
    q.submit(b)  # another client is not held back by A's cap
    assert q.get(a1.id) is a1 and a1.status == "waiting" and b.position == 3
    gate.set()
    assert b.wait(5) == "b" and a1.result == 1 and q.get(b.id).status == "done"

    # A running job asked to stop goes on until its next safe point, then ends as cancelled.
    reached, passed = threading.Event(), []

    def pipeline():
        job.checkpoint("synthesis_step")            # not a safe point: carries on
        reached.set()
        while not job.cancel_requested:
            time.sleep(0.01)
        passed.append("before")
        job.checkpoint("executing")                  # safe point: stops here
        passed.append("after")

    job = Job(run=pipeline, owner="C")
    q.submit(job)
    assert reached.wait(5)
    assert q.cancel_owner("C") == 1
    assert job.finished(5) and job.status == "cancelled" and passed == ["before"]
    assert "executing" in SAFE_POINTS and issubclass(JobCancelled, BaseException)
    q.close()


def test_rest_answers_202_after_the_wait_and_the_job_can_be_polled(make_web):
    web = make_web(reverse_synthesis_script(), rest_wait_seconds=0.0)
    client = web.app.test_client()
    state = web.app.extensions["selfeng"]
    gate = _blocker(state.queue)
    resp = client.post("/api/query", json={"prompt": "Reverse the string 'hello world'"})
    assert resp.status_code == 202
    body = resp.get_json()
    assert body["status"] == "waiting" and body["position"] == 1
    assert resp.headers["Location"] == f"/api/jobs/{body['job_id']}"
    pending = client.get(resp.headers["Location"])
    assert pending.status_code == 202 and pending.get_json()["job_id"] == body["job_id"]
    gate.set()
    deadline = time.monotonic() + 60
    while (polled := client.get(resp.headers["Location"])).status_code == 202:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert polled.status_code == 200
    result = polled.get_json()
    assert result["success"] is True and result["tool_result"] == "dlrow olleh" and result["synthesized"] is True
    assert result["job_id"] == body["job_id"]
    assert client.get("/api/jobs/" + "0" * 32).status_code == 404
    assert client.get("/api/jobs/not-an-id").status_code == 400


def test_rest_within_the_wait_answers_200_and_a_busy_client_gets_429(make_web):
    web = make_web([], rest_wait_seconds=30.0, max_waiting_per_client=1)
    web.orchestrator.registry.add_tool("reverse_string", "def reverse_string(s: str) -> str:\n    return s[::-1]\n",
                                       "from reverse_string import reverse_string\n\ndef test_it():\n"
                                       "    assert reverse_string('ab') == 'ba'\n", "Reverse the characters of a string.")
    client = web.app.test_client()
    resp = client.post("/api/query", json={"prompt": "Reverse 'Python'"})
    assert resp.status_code == 200 and resp.get_json()["tool_result"] == "nohtyP"

    state = web.app.extensions["selfeng"]
    gate = _blocker(state.queue)
    state.rest_wait = 0.0
    first = client.post("/api/query", json={"prompt": "Reverse 'a'"})
    assert first.status_code == 202
    second = client.post("/api/query", json={"prompt": "Reverse 'b'"})
    assert second.status_code == 429 and "limit per client is 1" in second.get_json()["error"]
    gate.set()


def test_socket_cap_and_disconnect_cancel_waiting_and_running_jobs(make_web, live_server):
    web = make_web([], max_waiting_per_client=2)
    web.orchestrator.registry.add_tool("slow_echo", SLOW_TOOL, SLOW_TESTS, "Echo a string back, slowly.")
    url = live_server(web)
    state = web.app.extensions["selfeng"]

    # The cap: two waiting jobs are fine, a third is refused with an error event.
    a = Client(url)
    gate = _blocker(state.queue)
    for word in ("one", "two", "three"):
        a.sio.emit("query", {"prompt": f"Echo back the string '{word}'"})
    err = a.until("error", 10)
    assert "limit per client is 2" in err["message"]
    assert state.queue.snapshot()["waiting"] == 2
    # Gone: its waiting jobs are dropped.
    a.close()
    deadline = time.monotonic() + 10
    while state.queue.snapshot()["waiting"]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    gate.set()

    # A running job stops at its next safe point once its client has gone: the tool runs (it had started),
    # but no answer is written and nothing more is sent.
    b = Client(url)
    b.sio.emit("query", {"prompt": "Echo back the string 'hello'", "session_id": "sb"})
    b.until("agent_event", 30, lambda d: d["event_type"] == "executing")
    job = next(j for j in state.queue._jobs.values() if j.owner == b.sio.get_sid() and j.started)
    b.close()
    assert job.finished(30) and job.status == "cancelled"
    assert web.orchestrator.memory_manager.get_recent_messages("sb", 10) == [] or all(
        m["role"] != "assistant" for m in web.orchestrator.memory_manager.get_recent_messages("sb", 10))


@pytest.mark.browser
def test_an_ask_before_the_socket_connects_waits_and_is_sent_on_connect(browser, make_web, live_server, screenshot):
    # The server needs a token the page does not have yet: the socket cannot connect until it is entered.
    web = make_web([], api_token="s3cret-token")
    web.orchestrator.registry.add_tool("reverse_string", "def reverse_string(s: str) -> str:\n    return s[::-1]\n",
                                       "from reverse_string import reverse_string\n\ndef test_it():\n"
                                       "    assert reverse_string('ab') == 'ba'\n", "Reverse the characters of a string.")
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server(web))
    page.wait_for_selector("#token-form:not([hidden])", timeout=15_000)
    assert page.get_attribute("#conn", "class") == "conn conn-off"
    page.fill("#prompt", "Reverse 'Python'")
    page.click("#ask")
    assert "connecting" in page.text_content("#status")
    assert page.is_disabled("#ask")
    screenshot(page, "waiting")
    page.fill("#token-input", "s3cret-token")
    page.click("#token-form button[type=submit]")
    page.wait_for_selector("#ask:not([disabled])", timeout=30_000)
    assert "nohtyP" in page.text_content("#response-text")
    events = page.eval_on_selector_all("#log li", "els => els.map(e => e.dataset.event)")
    assert events[0] == "query" and "complete" in events
    screenshot(page, "sent")
    assert errors == []
    context.close()
