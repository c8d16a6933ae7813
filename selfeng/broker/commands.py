"""The broker's commands: `selfeng worker`, `selfeng cluster up|down|status`, and `serve --workers N`."""
from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys


def add_parsers(sub) -> None:
    w = sub.add_parser("worker", help="run requests from the queue (SELFENG_BROKER_URL): a Celery worker")
    w.add_argument("--broker", help="Redis URL (default: SELFENG_BROKER_URL)")
    w.add_argument("-c", "--concurrency", type=int, default=1, help="pool processes (default 1)")
    w.add_argument("-n", "--name", help="worker name (default selfeng-PID@host)")
    w.add_argument("-l", "--loglevel", default="INFO")
    w.set_defaults(func=cmd_worker)
    c = sub.add_parser("cluster", help="start or stop a local team deployment (Redis, PostgreSQL, model "
                                       "server, workers, web front)")
    c.add_argument("action", choices=["up", "down", "status"])
    c.add_argument("--dir", help="where the deployment keeps its state and logs (default <data dir>/cluster)")
    c.add_argument("--workers", type=int, default=2)
    c.add_argument("--port", type=int, help="web port (default SELFENG_PORT)")
    c.add_argument("--model", choices=["server", "scripted", "own"], default="server",
                   help="server: one llama.cpp OpenAI-compatible server for all workers (default); "
                        "scripted: SELFENG_SCRIPT; own: each worker's configured provider")
    c.set_defaults(func=cmd_cluster)


def cmd_worker(args) -> int:
    from ..config import load_settings
    url = args.broker or load_settings().broker_url
    if not url:
        print("selfeng worker: set SELFENG_BROKER_URL (e.g. redis://127.0.0.1:6379/0) or pass --broker",
              file=sys.stderr)
        return 2
    from .worker import run_worker
    run_worker(url, concurrency=args.concurrency, name=args.name, loglevel=args.loglevel)
    return 0


def cmd_cluster(args) -> int:
    from . import cluster
    return cluster.main(args)


def start_local_workers(n: int, broker_url: str) -> list[subprocess.Popen]:
    """`serve --workers N`: N worker processes on this machine, stopped when the server exits."""
    env = {**os.environ, "SELFENG_BROKER_URL": broker_url}
    procs = [subprocess.Popen([sys.executable, "-m", "selfeng", "worker", "-n", f"selfeng-local{i}@%h"],
                              env=env, start_new_session=True) for i in range(n)]

    def stop() -> None:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)

    atexit.register(stop)
    return procs
