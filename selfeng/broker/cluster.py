"""`selfeng cluster up|down|status` (and scripts/cluster): a local team deployment on one machine.

    up     Redis (durable: append-only, fsync always), PostgreSQL + pgvector (unless SELFENG_DATABASE_URL is
           set), the model server (llama.cpp's OpenAI-compatible server on the embedded model, shared by all
           workers), N `selfeng worker` processes and the web front (`selfeng serve` with SELFENG_BROKER_URL),
           each a detached process logging under DIR/logs; the state is written to DIR/cluster.json.
    down   stops them all, in reverse order (workers finish their running job first).
    status shows what runs.

Everything listens on 127.0.0.1 or a unix socket. compose.yaml describes the same deployment for Docker.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from ..config import load_settings
from .redis_server import RedisServer, _wait_gone, free_port

STATE = "cluster.json"


def _spawn(args: list[str], env: dict, log: Path) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    return proc.pid


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return not Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z")
    except OSError:
        return False


def _wait_http(url: str, pid: int, timeout: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if not _alive(pid):
            raise RuntimeError(f"{what} exited; see {log}:\n{log.read_text(errors='replace')[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer at {url} within {timeout:.0f} s; see {log}")
        time.sleep(0.3)


def _wait_worker(log: Path, pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not (log.is_file() and b" ready." in log.read_bytes()):
        if not _alive(pid):
            raise RuntimeError(f"worker exited; see {log}:\n{log.read_text(errors='replace')[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"worker not ready within {timeout:.0f} s; see {log}")
        time.sleep(0.2)


def start_model_server(settings, env: dict, log: Path, on_spawn=None) -> tuple[int, dict]:
    """llama.cpp's OpenAI-compatible server on the embedded model, on a free 127.0.0.1 port: (its pid, the
    environment that points a worker at it). Its own default is half the cores, which halves the speed of
    the one model every worker shares, so it gets the threads the embedded provider would use."""
    from ..llm.local import _cpu_count
    from ..llm.model_files import ensure_model
    gguf = ensure_model(settings)
    port = free_port()
    threads = str(settings.local_threads or _cpu_count())
    pid = _spawn([sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", "local",
                  "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(settings.local_ctx),
                  "--n_threads", threads, "--n_threads_batch", threads, "--verbose", "False"], env, log)
    if on_spawn is not None:
        on_spawn(pid)  # recorded before the wait, so `down` can stop a server that never came up
    _wait_http(f"http://127.0.0.1:{port}/v1/models", pid, 300, "the model server", log)
    return pid, {"SELFENG_LLM_PROVIDER": "openai", "SELFENG_OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1",
                 "SELFENG_OPENAI_MODEL": "local", "SELFENG_OPENAI_API_KEY": "none"}


def up(directory: Path, workers: int = 2, port: int | None = None, model: str = "server") -> dict:
    settings = load_settings()
    directory.mkdir(parents=True, exist_ok=True)
    if (directory / STATE).is_file() and status(directory)["running"]:
        raise RuntimeError(f"a cluster already runs from {directory}: `selfeng cluster down --dir {directory}` first")
    logs = directory / "logs"
    state: dict = {"dir": str(directory), "workers": []}

    def save() -> None:
        (directory / STATE).write_text(json.dumps(state, indent=2))

    try:
        redis = RedisServer(directory / "redis")
        state["broker_url"] = redis.start(daemon=True)
        state["redis_dir"] = str(redis.dir)
        save()
        print(f"redis       {state['broker_url']}", flush=True)

        env = {**os.environ, "SELFENG_BROKER_URL": state["broker_url"], "SELFENG_STORE": "postgres",
               "SELFENG_DATA_DIR": str(settings.data_dir)}
        if settings.database_url:
            env["SELFENG_DATABASE_URL"] = settings.database_url
        else:
            from ..store.pg_server import PgServer, default_root
            root = directory / "postgres"
            if os.geteuid() == 0 and "/var/lib/" in str(default_root(directory)):
                # The server's unprivileged account cannot reach DIR (e.g. under root's 0700 home).
                root = Path("/var/lib/selfeng/cluster-postgres")
            pg = PgServer(root)
            env["SELFENG_DATABASE_URL"] = pg.start()
            state["pg_dir"] = str(pg.root)
        state["database_url"] = env["SELFENG_DATABASE_URL"]
        save()
        print(f"postgresql  {state['database_url']}", flush=True)

        if model == "server":
            def spawned(pid: int) -> None:
                state["model_pid"] = pid
                save()

            _, model_env = start_model_server(settings, env, logs / "model-server.log", on_spawn=spawned)
            env.update(model_env)
            state["model_url"] = env["SELFENG_OPENAI_BASE_URL"]
            save()
            print(f"model       {state['model_url']}", flush=True)
        elif model == "scripted":
            env["SELFENG_LLM_PROVIDER"] = "scripted"

        for i in range(workers):
            log = logs / f"worker-{i}.log"
            pid = _spawn([sys.executable, "-m", "selfeng", "worker", "-n", f"worker{i}@%h"], env, log)
            state["workers"].append({"pid": pid, "log": str(log)})
            save()
        for w in state["workers"]:
            _wait_worker(Path(w["log"]), w["pid"], 180)
        print(f"workers     {workers} ready", flush=True)

        wport = port or settings.web_port
        log = logs / "web.log"
        state["web_pid"] = _spawn([sys.executable, "-m", "selfeng", "serve", "--port", str(wport)], env, log)
        state["web_url"] = f"http://127.0.0.1:{wport}/"
        save()
        _wait_http(state["web_url"] + "api/health", state["web_pid"], 120, "the web front", log)
        print(f"web         {state['web_url']}", flush=True)
        return state
    except BaseException:
        down(directory)
        raise


def _term(pid: int | None, timeout: float = 30.0) -> None:
    if not _alive(pid):
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if not _wait_gone(pid, timeout):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _wait_gone(pid, 5)


def down(directory: Path) -> None:
    path = directory / STATE
    if not path.is_file():
        return
    state = json.loads(path.read_text())
    _term(state.get("web_pid"))
    for w in state.get("workers", []):
        _term(w["pid"], 60)
    _term(state.get("model_pid"))
    if state.get("redis_dir"):
        RedisServer(state["redis_dir"]).stop()
    if state.get("pg_dir"):
        from ..store.pg_server import PgServer
        PgServer(state["pg_dir"]).stop()
    path.unlink()


def status(directory: Path) -> dict:
    path = directory / STATE
    if not path.is_file():
        return {"running": False}
    state = json.loads(path.read_text())
    procs = {"web": state.get("web_pid"), "model": state.get("model_pid"),
             **{f"worker{i}": w["pid"] for i, w in enumerate(state.get("workers", []))}}
    alive = {k: _alive(v) for k, v in procs.items() if v}
    redis_pid = RedisServer(state["redis_dir"]).pid() if state.get("redis_dir") else None
    alive["redis"] = _alive(redis_pid)
    return {"running": any(alive.values()), "alive": alive, **{k: state.get(k) for k in (
        "web_url", "broker_url", "database_url", "model_url")}}


def main(args) -> int:
    directory = Path(args.dir or load_settings().data_dir / "cluster").expanduser().resolve()
    try:
        if args.action == "up":
            up(directory, workers=args.workers, port=args.port, model=args.model)
            print(f"cluster up; stop it with: selfeng cluster down --dir {directory}")
        elif args.action == "down":
            down(directory)
            print("cluster down")
        else:
            print(json.dumps(status(directory), indent=2))
    except RuntimeError as exc:
        print(f"selfeng cluster: {exc}", file=sys.stderr)
        return 1
    return 0
