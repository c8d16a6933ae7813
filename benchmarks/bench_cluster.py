"""Load and faults on the team deployment (issue 11): throughput with 1, 2 and 4 workers, p50/p95, and
lost or duplicated requests, tools and executions, with a worker kill and a Redis restart during a run.

    python benchmarks/bench_cluster.py [--workers 1,2,4] [--clients 20] [--requests 5] [--no-faults] [--keep]
                                       [--real-model 4] [--real-workers 2]

Everything is real and local: redis-server (append-only, fsync always) and PostgreSQL on 127.0.0.1 or
unix sockets, `selfeng worker` processes (Celery prefork, one pool process each), the web front as a
`selfeng serve` process, the bwrap sandbox. Only the model is scripted (each worker replays one script
whose entries `match` their request), so the figures measure the deployment, not the model.

Workload per run, on a fresh library (the six seed tools): --clients Socket.IO clients over WebSocket, each
sending --requests requests one after another (the next when the last is answered), a fixed mix:
  reuse      "Reverse the string 'w17'"            one seed tool, no model call           (50%)
  two-step   "Calculate the square root of 144, then calculate 25% of that result"        (30%)
             two seed tools in sequence; the percentage step's arguments come from the script; once the
             workflow has been seen three times it is promoted to a composite tool (one per library)
  synthesis  "Shout the text 'hello'"              a new tool each: spec, tests, two implementations,
             sandbox verification, registration, run                                      (20%)
Checks after each run: every request answered exactly once and correctly; every synthesised tool
registered exactly once; the executions the store logged equal those the answers report.
Faults run (2 workers): a worker's pool process running a synthesis is killed with SIGKILL once 30% of
the requests are answered, and redis-server is killed with SIGKILL and restarted at 60%.
Real-model run (--real-model CLIENTS, after the others): the same deployment with the model served once by
llama.cpp's OpenAI-compatible server on the embedded model (as `selfeng cluster up` starts it) and shared
by --real-workers workers; each client sends two requests from REAL_REQUESTS (reuse answered in the
model's words, and synthesis by the real model). Its "wrong" column is the model's; lost and duplicated
requests, tools and executions are the deployment's and must stay 0.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SYNTH_TOOLS = [
    # name, request (with {x}), docstring, body, second body, return type, cases [(arg, expected)], example arg
    ("shout_text", "Shout the text '{x}'", "Return the text in capitals followed by an exclamation mark.",
     "s.upper() + '!'", "''.join(c.upper() for c in s) + '!'", "str", [("hi", "HI!"), ("", "!"), ("a b", "A B!")]),
    ("double_letters", "Double every letter of '{x}'", "Repeat every character of the text twice.",
     "''.join(c * 2 for c in s)", "''.join(c + c for c in s)", "str", [("ab", "aabb"), ("", ""), ("x y", "xx  yy")]),
    ("mirror_text", "Mirror the text '{x}'", "Return the text followed by its reverse.",
     "s + s[::-1]", "s + ''.join(reversed(s))", "str", [("ab", "abba"), ("", ""), ("xyz", "xyzzyx")]),
    ("count_vowels", "Count the vowels in '{x}'", "Count the vowels (a, e, i, o, u) in the text.",
     "sum(c in 'aeiouAEIOU' for c in s)", "len([c for c in s if c.lower() in 'aeiou'])", "int",
     [("hello", 2), ("", 0), ("AEIOU", 5)]),
    ("remove_spaces", "Remove all spaces from '{x}'", "Delete every space character from the text.",
     "s.replace(' ', '')", "''.join(c for c in s if c != ' ')", "str", [("a b c", "abc"), ("", ""), ("ab", "ab")]),
    ("title_case", "Capitalize each word of '{x}'", "Capitalise the first letter of every word.",
     "' '.join(w[:1].upper() + w[1:] for w in s.split(' '))",
     "' '.join(w.capitalize() if w.islower() else w[:1].upper() + w[1:] for w in s.split(' '))", "str",
     # not the request's own 'hello world': that input is a probe, which would leave two model cases
     [("good day", "Good Day"), ("", ""), ("a", "A")]),
    ("is_palindrome", "Check whether '{x}' is a palindrome", "True if the text reads the same backwards.",
     "s == s[::-1]", "all(s[i] == s[-1 - i] for i in range(len(s) // 2))", "bool",
     [("abba", True), ("abc", False), ("", True)]),
    ("word_count", "How many words are in the sentence '{x}'", "Count the whitespace-separated words.",
     "len(s.split())", "sum(1 for _ in s.split())", "int", [("a b c", 3), ("", 0), ("one", 1)]),
    ("swap_case", "Swap the case of every letter in '{x}'", "Upper-case letters become lower and vice versa.",
     "s.swapcase()", "''.join(c.lower() if c.isupper() else c.upper() for c in s)", "str",
     [("aB", "Ab"), ("", ""), ("x1Y", "X1y")]),
    ("last_word", "Return the last word of '{x}'", "The last whitespace-separated word, or '' if none.",
     "s.split()[-1] if s.split() else ''", "(s.split() or [''])[-1]", "str",
     [("a b c", "c"), ("", ""), ("one", "one")]),
    ("text_length", "How many characters long is '{x}'", "The number of characters in the text.",
     "len(s)", "sum(1 for _ in s)", "int", [("abc", 3), ("", 0), ("a b", 3)]),
    ("remove_vowels", "Delete the vowels from '{x}'", "The text without its vowels (a, e, i, o, u).",
     "''.join(c for c in s if c.lower() not in 'aeiou')",
     "''.join(filter(lambda c: c.lower() not in 'aeiou', s))", "str", [("hello", "hll"), ("", ""), ("AbE", "b")]),
    ("sort_letters", "Sort the letters of '{x}' alphabetically", "The characters of the text in sorted order.",
     "''.join(sorted(s))", "''.join(sorted(list(s)))", "str", [("cba", "abc"), ("", ""), ("bab", "abb")]),
    ("keep_digits", "Keep only the digits of '{x}'", "The digits of the text, in order, nothing else.",
     "''.join(c for c in s if c.isdigit())", "''.join(filter(str.isdigit, s))", "str",
     [("a1b2", "12"), ("", ""), ("x", "")]),
    ("snake_case", "Turn '{x}' into snake case", "Lower-case the text and join its words with underscores.",
     "'_'.join(s.lower().split())", "'_'.join(w.lower() for w in s.split())", "str",
     [("Hello World", "hello_world"), ("", ""), ("A", "a")]),
    ("initials", "Give the initials of '{x}'", "The upper-cased first letter of each word.",
     "''.join(w[0].upper() for w in s.split())", "''.join(w[:1].upper() for w in s.split())", "str",
     [("ada lovelace", "AL"), ("", ""), ("x", "X")]),
    ("dedupe_chars", "Remove repeated characters from '{x}'", "Keep only the first occurrence of each character.",
     "''.join(dict.fromkeys(s))", "''.join(c for i, c in enumerate(s) if c not in s[:i])", "str",
     [("aabbc", "abc"), ("", ""), ("abab", "ab")]),
    ("rot13_text", "Encode '{x}' with ROT13", "Apply the ROT13 letter substitution to the text.",
     "__import__('codecs').encode(s, 'rot13')",
     "''.join(chr((ord(c) - 97 + 13) % 26 + 97) if c.islower() else chr((ord(c) - 65 + 13) % 26 + 65) "
     "if c.isupper() else c for c in s)", "str", [("abc", "nop"), ("", ""), ("N!", "A!")]),
    ("longest_word", "Find the longest word in '{x}'", "The first longest whitespace-separated word ('' if none).",
     "max(s.split(), key=len) if s.split() else ''", "sorted(s.split() or [''], key=lambda w: -len(w))[0]", "str",
     [("a bbb cc", "bbb"), ("", ""), ("x", "x")]),
    ("count_uppercase", "How many capital letters does '{x}' contain", "Count the upper-case letters in the text.",
     "sum(c.isupper() for c in s)", "len([c for c in s if c.isupper()])", "int", [("AbC", 2), ("", 0), ("abc", 0)]),
]
# (kind, prompt, expected, tool): reuse of seed tools, and tools the real model has to write.
REAL_REQUESTS = [
    ("reuse", "Reverse the string 'stressed'", "desserts", "reverse_string"),
    ("synthesis", "Count the vowels in 'banana'", 3, None),
    ("reuse", "What is the factorial of 6?", 720, "calculate_factorial"),
    ("synthesis", "Remove all spaces from 'a b c d'", "abcd", None),
    ("reuse", "Reverse the string 'drawer'", "reward", "reverse_string"),
    ("synthesis", "Convert 3 kilometers to meters", 3000, None),
    ("reuse", "What is the factorial of 5?", 120, "calculate_factorial"),
    ("synthesis", "Make 'quiet please' all uppercase", "QUIET PLEASE", None),
]
SYNTH_ARGS = ["hello world", "level", "Ada Lovelace", "a1b2 c3", "banana split"]
SQUARES = [4, 9, 16, 25, 36, 49, 64, 81, 100, 121, 144, 169, 196, 225, 256, 289, 324, 361, 400, 441,
           484, 529, 576, 625, 676, 729, 784, 841, 900, 961]


def _evaluate(name: str, body: str, arg: str):
    ns: dict = {}
    exec(f"def {name}(s):\n    return {body}\n", ns)  # noqa: S102 - our own tool bodies, to know the answer
    return ns[name](arg)


@dataclass
class Request:
    kind: str
    prompt: str
    expected: object
    tool: str | None = None
    executions: int = 1


def workload(clients: int, per_client: int) -> tuple[list[list[Request]], list[dict]]:
    """Requests per client, and the model script every worker replays."""
    total = clients * per_client
    n_synth, n_two = total // 5, (total * 3) // 10
    script: list[dict] = []
    synth: list[Request] = []
    for i in range(n_synth):
        name, template, doc, body, body2, rtype, cases = SYNTH_TOOLS[i % len(SYNTH_TOOLS)]
        if i >= len(SYNTH_TOOLS):
            break  # one synthesis per tool: the rest of the share becomes reuse
        arg = SYNTH_ARGS[i % len(SYNTH_ARGS)]
        spec = {"function_name": name, "parameters": [{"name": "s", "type": "str", "description": "the text"}],
                "return_type": rtype, "docstring": doc}
        script += [{"purpose": "generate_spec", "match": template.split("'")[0].strip(), "content": json.dumps(spec)},
                   {"purpose": "generate_tests", "match": name,
                    "content": json.dumps({"cases": [{"args": {"s": a}, "expected": e} for a, e in cases]})},
                   {"purpose": "generate_implementation", "match": name,
                    "content": f"```python\ndef {name}(s: str) -> {rtype}:\n    return {body}\n```"},
                   {"purpose": "generate_implementation", "match": name,
                    "content": f"def {name}(s: str) -> {rtype}:\n    return {body2}\n"}]
        synth.append(Request("synthesis", template.format(x=arg), _evaluate(name, body, arg), name))
    two: list[Request] = []
    for i in range(n_two):
        n, p = SQUARES[i % len(SQUARES)], 1 + i  # p unique: each step's script entry matches one request
        root = math.sqrt(n)
        script.append({"purpose": "extract_arguments", "match": f"Calculate {p}% of ",
                       "content": json.dumps({"percentage": p, "base": root})})
        # once promoted to a composite tool, the whole request is one call with the composite's parameters
        script.append({"purpose": "extract_arguments", "match": f"square root of {n}, then calculate {p}% ",
                       "content": json.dumps({"number": n, "percentage": p})})
        two.append(Request("two-step", f"Calculate the square root of {n}, then calculate {p}% of that result",
                           round(root * p / 100, 9), executions=2))
    reuse = [Request("reuse", f"Reverse the string 'w{i}x'", f"w{i}x"[::-1], "reverse_string")
             for i in range(total - len(synth) - len(two))]
    mix = []
    # Interleave the kinds so every client gets some of each, spread over the run.
    pools = {"synthesis": synth, "two-step": two, "reuse": reuse}
    order = ["reuse", "synthesis", "reuse", "two-step", "reuse", "two-step", "reuse", "synthesis", "two-step",
             "reuse"]
    k = 0
    while any(pools.values()):
        kind = order[k % len(order)]
        k += 1
        if pools[kind]:
            mix.append(pools[kind].pop(0))
    per = [mix[c::clients] for c in range(clients)]
    return per, script


# -- the deployment ---------------------------------------------------------------------------------
class Deployment:
    def __init__(self, base: Path, script: list[dict]):
        from selfeng.broker.redis_server import RedisServer
        from selfeng.store.pg_server import PgServer
        self.base = base
        self.redis = RedisServer(base / "redis")
        self.pg = PgServer(base / "pg", fast=True)
        self.script = base / "script.json"
        self.script.write_text(json.dumps({"responses": script}))
        self.procs: list[subprocess.Popen] = []
        self.web: subprocess.Popen | None = None

    def start_services(self) -> None:
        self.redis.start()
        self.pg.start()

    def fresh_library(self, tag: str, model_env: dict | None = None) -> dict:
        import psycopg
        import redis
        redis.Redis.from_url(self.redis.url).flushall()
        schema = f"bench_{tag}_{int(time.time())}"
        with psycopg.connect(self.pg.url, autocommit=True) as c:
            c.execute(f"CREATE SCHEMA {schema}")
        from urllib.parse import quote
        url = f"{self.pg.url}&options={quote(f'-csearch_path={schema},public', safe='')}"
        data = self.base / f"data-{tag}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SELFENG_")}
        env.update(SELFENG_DATA_DIR=str(data), SELFENG_ENV_FILE=str(self.base / "no.env"), SELFENG_STORE="postgres",
                   SELFENG_DATABASE_URL=url, SELFENG_LLM_PROVIDER="scripted", SELFENG_SCRIPT=str(self.script),
                   SELFENG_RESPONSE_STYLE="template", SELFENG_BROKER_URL=self.redis.url, PYTHONPATH=str(ROOT),
                   SELFENG_MAX_WAITING="256")
        os.environ.update({k: env[k] for k in ("SELFENG_DATA_DIR", "SELFENG_STORE", "SELFENG_DATABASE_URL",
                                                "SELFENG_LLM_PROVIDER", "SELFENG_SCRIPT", "SELFENG_ENV_FILE")})
        from selfeng.orchestrator import AgentOrchestrator
        from selfeng.seed_tools import install_seed_tools
        orch = AgentOrchestrator()
        install_seed_tools(orch)
        self.orch = orch
        if model_env:  # the workers ask the model server; seeding above needed no model
            env.pop("SELFENG_SCRIPT", None)
            env.update(model_env, SELFENG_RESPONSE_STYLE="auto")
        return env

    def start(self, env: dict, workers: int, port: int) -> str:
        logs = Path(env["SELFENG_DATA_DIR"]) / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        self.procs = []
        for i in range(workers):
            out = open(logs / f"worker{i}.log", "ab")
            self.procs.append(subprocess.Popen([sys.executable, "-m", "selfeng", "worker", "-n", f"w{i}@%h"],
                                               env=env, stdout=out, stderr=subprocess.STDOUT,
                                               start_new_session=True))
        for i in range(workers):
            log = logs / f"worker{i}.log"
            deadline = time.monotonic() + 120
            while b" ready." not in log.read_bytes():
                if time.monotonic() > deadline or self.procs[i].poll() is not None:
                    raise RuntimeError(log.read_text(errors="replace")[-3000:])
                time.sleep(0.2)
        out = open(logs / "web.log", "ab")
        self.web = subprocess.Popen([sys.executable, "-m", "selfeng", "serve", "--port", str(port)], env=env,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/api/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        time.sleep(2.0)  # pool processes finish warming up (embedder, store)
        return url

    def stop(self) -> None:
        for p in [self.web, *self.procs]:
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in [self.web, *self.procs]:
            if p is not None:
                try:
                    p.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
        self.web, self.procs = None, []

    def close(self) -> None:
        self.stop()
        self.redis.stop()
        self.pg.stop()


# -- the clients ------------------------------------------------------------------------------------
@dataclass
class Outcome:
    request: Request
    seconds: float | None = None
    finished_at: float | None = None  # perf_counter when its answer arrived
    result: object = None
    success: bool = False
    job_id: str | None = None
    completes: int = 0
    retried: bool = False
    executions: int = 0
    response: str | None = None
    error: str | None = None
    tool_name: str | None = None


@dataclass
class ClientRun:
    requests: list[Request]
    url: str
    timeout: float
    outcomes: list[Outcome] = field(default_factory=list)
    current: dict = field(default_factory=dict)
    sid: str | None = None
    extra_completes: int = 0

    def run(self, start: threading.Event) -> None:
        import socketio
        inbox: queue.Queue = queue.Queue()
        sio = socketio.Client(reconnection=False)
        sio.on("query_complete", lambda d: inbox.put(("query_complete", d)))
        sio.on("agent_event", lambda d: self.current.update(last=d.get("event_type"), data=d.get("data")) or (
            d.get("event_type") == "job_retried" and inbox.put(("retried", d))))
        sio.on("error", lambda d: inbox.put(("error", d)))
        sio.connect(self.url, transports=["websocket"], wait_timeout=30)
        self.sid = sio.get_sid()
        start.wait()
        try:
            for req in self.requests:
                out = Outcome(req)
                self.current.clear()
                self.current["kind"] = req.kind
                t0 = time.perf_counter()
                sio.emit("query", {"prompt": req.prompt})
                deadline = time.monotonic() + self.timeout
                while True:
                    try:
                        name, data = inbox.get(timeout=max(0.1, deadline - time.monotonic()))
                    except queue.Empty:
                        break  # lost
                    if name == "retried":
                        out.retried = True
                        continue
                    if name == "error":
                        # a refusal has no query_complete after it; a failed job's comes right after
                        out.error = (data or {}).get("message")
                        deadline = min(deadline, time.monotonic() + 10)
                        continue
                    out.finished_at = time.perf_counter()
                    out.seconds = out.finished_at - t0
                    out.completes = 1
                    out.success = bool(data.get("success"))
                    meta = data.get("metadata") or {}
                    out.result = meta.get("tool_result")
                    out.tool_name = meta.get("tool_name")
                    out.response = data.get("response")
                    out.job_id = data.get("job_id")
                    wf = meta.get("workflow") or {}
                    out.executions = (sum(1 for r in wf.get("results") or [] if r.get("status") == "complete")
                                      if wf else (1 if meta.get("tool_name") else 0))
                    break
                self.outcomes.append(out)
            time.sleep(2.0)  # a late duplicate answer would arrive here
            while not inbox.empty():
                name, _ = inbox.get()
                if name == "query_complete":
                    self.extra_completes += 1
        finally:
            sio.disconnect()


def _correct(out: Outcome) -> bool:
    exp = out.request.expected
    if isinstance(exp, float):
        return isinstance(out.result, (int, float)) and abs(out.result - exp) < 1e-6
    return out.result == exp


def run_load(dep: Deployment, workers: int, per_client: list[list[Request]], port: int, timeout: float,
             faults: bool = False, model_env: dict | None = None) -> dict:
    env = dep.fresh_library(f"w{workers}{'f' if faults else ''}{'m' if model_env else ''}", model_env)
    store_before = len(dep.orch.store.get_executions())
    url = dep.start(env, workers, port)
    runs = [ClientRun(reqs, url, timeout) for reqs in per_client]
    start = threading.Event()
    threads = [threading.Thread(target=r.run, args=(start,), daemon=True) for r in runs]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while any(r.sid is None for r in runs):
        if time.monotonic() > deadline:
            raise RuntimeError("clients did not connect")
        time.sleep(0.05)
    total = sum(len(r) for r in per_client)
    fault_log: list[str] = []
    t0 = time.perf_counter()
    start.set()
    if faults:
        threading.Thread(target=_inject_faults, args=(dep, runs, total, fault_log), daemon=True).start()
    for t in threads:
        t.join()
    outcomes = [o for r in runs for o in r.outcomes]
    # up to the last answer: the clients' closing wait for late duplicates is not work done
    wall = max((o.finished_at for o in outcomes if o.finished_at), default=time.perf_counter()) - t0
    dep.stop()
    row = summarize(dep, workers, outcomes, runs, wall, store_before, fault_log, faults)
    row["model"] = "server" if model_env else "scripted"
    return row


def real_workload(clients: int) -> list[list[Request]]:
    reqs = [Request(kind, prompt, expected, tool) for kind, prompt, expected, tool in REAL_REQUESTS]
    return [reqs[2 * c % len(reqs):2 * c % len(reqs) + 2] for c in range(clients)]


def run_real_model(dep: Deployment, clients: int, workers: int, timeout: float) -> dict:
    """The real-model share: one llama.cpp server on the embedded model, shared by the workers."""
    from selfeng.broker.cluster import _term, start_model_server
    from selfeng.broker.redis_server import free_port
    from selfeng.config import load_settings
    pid, model_env = start_model_server(load_settings(env={}), dict(os.environ), dep.base / "model-server.log")
    try:
        return run_load(dep, workers, real_workload(clients), free_port(), timeout, model_env=model_env)
    finally:
        _term(pid)


def _inject_faults(dep: Deployment, runs: list[ClientRun], total: int, log: list[str]) -> None:
    from selfeng.broker.records import RUNNING, JobRecords, connect
    done = lambda: sum(len(r.outcomes) for r in runs)  # noqa: E731
    while done() < 0.3 * total:
        time.sleep(0.05)
    records = JobRecords(connect(dep.redis.url))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        synth_sids = {r.sid for r in runs if r.current.get("kind") == "synthesis"
                      and r.current.get("last") == "synthesis_step"}
        for job_id, pid in records.r.hgetall(RUNNING).items():
            rec = records.get(job_id)
            if rec.get("sid") in synth_sids:
                os.kill(int(pid), signal.SIGKILL)
                log.append(f"SIGKILL pool process {pid} running a synthesis ({rec.get('prompt')!r}) "
                           f"after {done()}/{total} answers")
                break
        else:
            time.sleep(0.02)
            continue
        break
    while done() < 0.6 * total:
        time.sleep(0.05)
    t = time.perf_counter()
    dep.redis.restart(down_seconds=1.0)
    log.append(f"redis-server SIGKILL + restart after {done()}/{total} answers "
               f"(down {time.perf_counter() - t:.1f} s)")


def summarize(dep, workers, outcomes, runs, wall, store_before, fault_log, faults) -> dict:
    answered = [o for o in outcomes if o.completes]
    refused = [o for o in outcomes if not o.completes and o.error]
    lost = len(outcomes) - len(answered) - len(refused) + sum(len(r.requests) - len(r.outcomes) for r in runs)
    dup_requests = sum(r.extra_completes for r in runs)
    job_ids = [o.job_id for o in answered]
    dup_requests += len(job_ids) - len(set(job_ids))
    wrong = [o for o in answered if not (o.success and _correct(o))]
    lat = sorted(o.seconds for o in answered)
    q = lambda p: lat[min(len(lat) - 1, int(round(p * (len(lat) - 1))))] if lat else float("nan")  # noqa: E731
    tools = dep.orch.registry.get_all_tools()
    names = [t["name"] for t in tools]
    # a real-model synthesis names its tool itself: the one its answer used
    synth_names = {o.request.tool or o.tool_name for o in outcomes if o.request.kind == "synthesis"} - {None}
    tools_missing = sorted(n for n in synth_names if n not in names)
    tools_dup = len(names) - len(set(names))
    logged = len(dep.orch.store.get_executions()) - store_before
    reported = sum(o.executions for o in answered)
    by_kind = {}
    for kind in ("reuse", "two-step", "synthesis"):
        ks = sorted(o.seconds for o in answered if o.request.kind == kind)
        by_kind[kind] = statistics.median(ks) if ks else float("nan")
    return {"workers": workers, "faults": faults, "requests": len(outcomes), "answered": len(answered),
            "wall_s": wall, "throughput": len(answered) / wall, "p50": q(0.5), "p95": q(0.95),
            "lost": lost, "refused": len(refused),
            "refused_examples": [o.error for o in refused[:2]], "dup_requests": dup_requests, "wrong": len(wrong),
            "wrong_examples": [(o.request.prompt, o.result, (o.response or "")[:300]) for o in wrong[:3]],
            "tools_missing": tools_missing, "tools_dup": tools_dup,
            "composites": sorted(t["name"] for t in tools if t.get("component_tools")),
            "executions_logged": logged, "executions_reported": reported,
            "retried": sum(o.retried for o in answered), "by_kind": by_kind, "fault_log": fault_log}


def print_table(rows: list[dict]) -> None:
    print("\n| workers | run | model | requests | wall s | req/s | p50 s | p95 s | lost | refused | dup req | wrong | tools missing/dup "
          "| executions logged/answered | retried | p50 reuse / two-step / synthesis s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        k = r["by_kind"]
        print(f"| {r['workers']} | {'faults' if r['faults'] else 'load'} | {r.get('model', 'scripted')} | "
              f"{r['requests']} | {r['wall_s']:.1f} | "
              f"{r['throughput']:.2f} | {r['p50']:.2f} | {r['p95']:.2f} | {r['lost']} | {r['refused']} | "
              f"{r['dup_requests']} | "
              f"{r['wrong']} | {len(r['tools_missing'])}/{r['tools_dup']} | "
              f"{r['executions_logged']}/{r['executions_reported']} | {r['retried']} | "
              f"{k['reuse']:.2f} / {k['two-step']:.2f} / {k['synthesis']:.2f} |")
    load = [r for r in rows if not r["faults"] and r.get("model", "scripted") == "scripted"]
    base = next((r for r in load if r["workers"] == 1), None)
    for r in load:
        if base and r is not base:
            print(f"throughput {r['workers']} workers / 1 worker: {r['throughput'] / base['throughput']:.2f}x")
    for r in rows:
        for line in r["fault_log"]:
            print(f"fault ({r['workers']} workers): {line}")
        if r["wrong_examples"]:
            print(f"wrong answers ({r['workers']} workers): {r['wrong_examples']}")
        if r["composites"]:
            print(f"composites promoted ({r['workers']} workers): {r['composites']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds one request may take before it is lost")
    ap.add_argument("--no-faults", action="store_true")
    ap.add_argument("--faults-workers", type=int, default=2)
    ap.add_argument("--real-model", type=int, default=0, metavar="CLIENTS",
                    help="also run CLIENTS clients x 2 requests on the real model (llama.cpp server); 0 skips")
    ap.add_argument("--real-workers", type=int, default=2)
    ap.add_argument("--json", help="also write the rows here")
    ap.add_argument("--keep", action="store_true", help="keep the logs and data (the folder is printed)")
    args = ap.parse_args()
    import logging
    logging.basicConfig(level=logging.WARNING)
    from selfeng.broker.redis_server import free_port
    per_client, script = workload(args.clients, args.requests)
    base = Path(tempfile.mkdtemp(prefix="selfeng-bench-cluster-"))
    os.chmod(base, 0o755)
    dep = Deployment(base, script)
    rows = []
    try:
        dep.start_services()
        for n in [int(x) for x in args.workers.split(",") if x]:
            rows.append(run_load(dep, n, per_client, free_port(), args.timeout))
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "by_kind"}), flush=True)
        if not args.no_faults:
            rows.append(run_load(dep, args.faults_workers, per_client, free_port(), args.timeout, faults=True))
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "by_kind"}), flush=True)
        if args.real_model:
            rows.append(run_real_model(dep, args.real_model, args.real_workers, args.timeout))
            print(json.dumps({k: v for k, v in rows[-1].items() if k != "by_kind"}), flush=True)
    finally:
        dep.close()
        if args.keep:
            print(f"logs and data kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
