"""Worker processes for the multi-process store tests: `python -m tests.store._workers CMD ...`.

Each builds its own CapabilityRegistry on the store named by SELFENG_STORE / SELFENG_DATABASE_URL and
SELFENG_DATA_DIR, exactly as a second selfeng process would, and prints one JSON line of what it did.
"""
from __future__ import annotations

import json
import sys
import threading

from selfeng.capability_registry import CapabilityRegistry
from selfeng.config import load_settings
from selfeng.embeddings import MiniLMEmbedder
from selfeng.sandbox import SecureSandbox
from selfeng.store import ToolExistsError


def tool_code(name: str, k: int) -> tuple[str, str, str]:
    code = f"def {name}(x: int) -> int:\n    return x + {k}\n"
    tests = f"from {name} import {name}\n\ndef test_{name}():\n    assert {name}(1) == {1 + k}\n"
    return code, tests, f"Add {k} to an integer (worker tool {name})."


def register_one(name: str) -> None:
    """Register one tool (the kill tests set SELFENG_TEST_KILL_AT to die at a registration step)."""
    reg = CapabilityRegistry(settings=load_settings())
    reg.add_tool(name, *tool_code(name, 1))
    print(json.dumps({"registered": name}), flush=True)


def storm(worker: str, threads: int, per_thread: int, shared: str, session: str) -> None:
    """`threads` registries in this process, each registering its own tools, racing every other worker
    for the name `shared`, running each new tool in the real sandbox and logging that run into one shared
    session."""
    settings = load_settings()
    embedder = MiniLMEmbedder()
    sandbox = SecureSandbox(settings)
    out = {"registered": [], "exists": 0, "errors": [], "executions": 0, "usages": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def run(t: int) -> None:
        reg = CapabilityRegistry(settings=settings, embedder=embedder)
        barrier.wait()
        try:
            for i in range(per_thread):
                name = f"{worker}_t{t}_n{i}"
                reg.add_tool(name, *tool_code(name, i))
                run = sandbox.run_tool(name, reg.store.get_tool(name)["code"], {"x": 10})
                if run.get("result") != 10 + i:  # the stored code, run for real, must be the tool registered
                    raise AssertionError(f"{name}(10) ran as {run!r}")
                reg.store.log_execution(name, session, {"x": 10}, run["result"], bool(run.get("success")),
                                        float(run.get("duration_ms") or 0.0), "storm")
                with lock:
                    out["registered"].append(name)
                    out["executions"] += 1
            try:
                reg.add_tool(shared, *tool_code(shared, 0))
                with lock:
                    out["registered"].append(shared)
            except ToolExistsError:
                with lock:
                    out["exists"] += 1
            reg.record_usage(shared, True)
            with lock:
                out["usages"] += 1
        except Exception as exc:  # reported to the test, which fails on any
            with lock:
                out["errors"].append(f"{type(exc).__name__}: {exc}")
        finally:
            reg.close()

    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "register":
        register_one(args[0])
    elif cmd == "storm":
        storm(args[0], int(args[1]), int(args[2]), args[3], args[4])
    else:
        raise SystemExit(f"unknown command {cmd!r}")
