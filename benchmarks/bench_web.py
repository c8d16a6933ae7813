"""Speed of the web interface: page load, and the time from `query` to the first `agent_event`.

    python benchmarks/bench_web.py [--runs 10]

A live server on an ephemeral 127.0.0.1 port around the real pipeline (sandbox, store, embedder) with the
scripted model. Page load: Debian's chromium through Playwright, a fresh browser context per run, timed
to the load event and to the Socket.IO connection. First event: a python-socketio client over WebSocket
emits `query` for a library tool and waits for the first `agent_event`; every request runs to completion
before the next. Medians are printed, and a screenshot of the page is saved.
Analytics: GET /api/analytics/stats and /api/analytics/patterns over HTTP after the store has been filled
with --executions logged tool runs and tracked workflows (stats reads every execution row).
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def build_server(data_dir: str):
    os.environ.update(SELFENG_DATA_DIR=data_dir, SELFENG_LLM_PROVIDER="scripted",
                      SELFENG_ENV_FILE=os.path.join(data_dir, "no.env"))
    from selfeng.config import load_settings
    from selfeng.llm.scripted import ScriptedProvider
    from selfeng.llm_client import LLMClient
    from selfeng.orchestrator import AgentOrchestrator
    from selfeng.web.app import create_app, start_in_thread

    settings = load_settings()
    orch = AgentOrchestrator(settings=settings, llm_client=LLMClient(ScriptedProvider([]), settings=settings))
    # One tool whose single str parameter takes the quoted string: no model call on the request path.
    orch.registry.add_tool("reverse_string", "def reverse_string(s: str) -> str:\n    return s[::-1]\n",
                           "from reverse_string import reverse_string\n\ndef test_it():\n"
                           "    assert reverse_string('ab') == 'ba'\n", "Reverse the characters of a string.")
    app, _ = create_app(orch)
    server, _ = start_in_thread(app, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.server_port}", orch


def fill_store(orch, executions: int) -> None:
    """`executions` logged tool runs: tracked two- and three-step workflows over a few tool names."""
    names = ["reverse_string", "word_count", "to_upper", "calculate_percentage", "calculate_square_root"]
    tracker, i = orch.workflow_tracker, 0
    while i < executions:
        steps = 2 + i % 2
        sid = tracker.start_session("bench")
        for k in range(steps):
            tracker.log_execution(names[(i // 3 + k) % len(names)], {"x": i}, i, i % 10 != 0, 3, session_id=sid)
        tracker.end_session(sid, user_prompt=f"request {i}")
        i += steps


def bench_analytics(url: str, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for path in ("/api/analytics/stats", "/api/analytics/patterns?min_frequency=2&limit=20",
                 "/api/analytics/relationships"):
        times = []
        for i in range(runs + 1):
            t0 = time.perf_counter()
            with urllib.request.urlopen(url + path, timeout=30) as resp:
                resp.read()
            if i:
                times.append((time.perf_counter() - t0) * 1000)
        out[path.split("?")[0]] = times
    return out


def bench_first_event(url: str, runs: int) -> tuple[list[float], list[float]]:
    import socketio
    first = threading.Event()
    done = threading.Event()
    client = socketio.Client(reconnection=False)
    client.on("agent_event", lambda d: first.set())
    client.on("query_complete", lambda d: done.set())
    client.connect(url, transports=["websocket"], wait_timeout=10)
    assert client.transport() == "websocket"
    to_first, to_done = [], []
    for i in range(runs + 1):  # the first run warms up the embedder and sandbox; it is not counted
        first.clear()
        done.clear()
        t0 = time.perf_counter()
        client.emit("query", {"prompt": f"Reverse the string 'benchmark {i}'", "session_id": None})
        if not first.wait(30):
            raise RuntimeError("no agent_event within 30 s")
        t1 = time.perf_counter()
        if not done.wait(60):
            raise RuntimeError("no query_complete within 60 s")
        t2 = time.perf_counter()
        if i:
            to_first.append((t1 - t0) * 1000)
            to_done.append((t2 - t0) * 1000)
    client.disconnect()
    return to_first, to_done


def bench_page(url: str, runs: int, shot: Path) -> tuple[list[float], list[float]]:
    from playwright.sync_api import sync_playwright
    loads, connects = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for i in range(runs + 1):
            context = browser.new_context()
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(url, wait_until="load")
            t1 = time.perf_counter()
            page.wait_for_selector("#conn.conn-on", timeout=15_000)
            t2 = time.perf_counter()
            if i:
                loads.append((t1 - t0) * 1000)
                connects.append((t2 - t0) * 1000)
            if i == runs:
                page.wait_for_selector('.tool-card[data-tool="reverse_string"]')
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), full_page=True)
            context.close()
        browser.close()
    return loads, connects


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--executions", type=int, default=5000, help="tool runs in the store for the analytics figures")
    ap.add_argument("--analytics-only", action="store_true", help="skip the browser and socket figures")
    args = ap.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="selfeng-bench-web-") as data_dir:
        server, url, orch = build_server(data_dir)
        try:
            shot = ROOT / "artifacts" / "screenshots" / "bench_web.png"
            if not args.analytics_only:
                first, done = bench_first_event(url, args.runs)
                loads, connects = bench_page(url, args.runs, shot)
            t0 = time.perf_counter()
            fill_store(orch, args.executions)
            fill_s = time.perf_counter() - t0
            analytics = bench_analytics(url, args.runs)
            logged = len(orch.store.get_executions(limit=None))
        finally:
            server.shutdown()
    med = statistics.median
    print(f"runs: {args.runs} (after one warm-up each)")
    print(f"analytics over {logged} logged executions (filled in {fill_s:.1f} s):")
    for path, times in analytics.items():
        print(f"  GET {path:30s} median {med(times):7.1f} ms  (min {min(times):.1f}, max {max(times):.1f})")
    if args.analytics_only:
        return
    print(f"page load (navigation to load event):         median {med(loads):7.1f} ms  "
          f"(min {min(loads):.1f}, max {max(loads):.1f})")
    print(f"page ready (navigation to Socket.IO connected): median {med(connects):7.1f} ms")
    print(f"query -> first agent_event (WebSocket):        median {med(first):7.1f} ms  "
          f"(min {min(first):.1f}, max {max(first):.1f})")
    print(f"query -> query_complete (library tool, sandbox run): median {med(done):7.1f} ms")
    print(f"screenshot: {shot.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
