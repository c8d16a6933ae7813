"""The team deployment, for real: a private redis-server and PostgreSQL server, `selfeng worker`
processes (Celery, prefork), and a web front in this process, all on 127.0.0.1 or unix sockets.
Only the model is scripted (every worker replays one script; entries `match` the request they answer).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import private_pg_server
from tests.core.helpers import make_orchestrator

REPO = Path(__file__).resolve().parents[2]


def synthesis_entries(name: str, request_phrase: str, spec: dict, cases: list, code: str, code2: str) -> list[dict]:
    """One tool's synthesis, each model reply keyed to the request (spec) or the tool's name (the rest)."""
    return [{"purpose": "generate_spec", "match": request_phrase, "content": json.dumps(spec)},
            {"purpose": "generate_tests", "match": name, "content": json.dumps({"cases": cases})},
            {"purpose": "generate_implementation", "match": name, "content": code},
            {"purpose": "generate_implementation", "match": name, "content": code2}]


def str_tool(name: str, doc: str, request_phrase: str, body: str, body2: str, cases: list) -> list[dict]:
    spec = {"function_name": name, "parameters": [{"name": "s", "type": "str", "description": "the text"}],
            "return_type": "str", "docstring": doc}
    code = f"```python\ndef {name}(s: str) -> str:\n    return {body}\n```"
    code2 = f"def {name}(s: str) -> str:\n    return {body2}\n"
    return synthesis_entries(name, request_phrase, spec, [{"args": {"s": a}, "expected": e} for a, e in cases],
                             code, code2)


@dataclass
class Team:
    redis: object
    pg_url: str
    data_dir: Path
    script: Path
    env: dict
    workers: list = field(default_factory=list)
    fronts: list = field(default_factory=list)

    def start_worker(self, name: str) -> subprocess.Popen:
        log = open(self.data_dir / f"worker-{name}.log", "ab")
        proc = subprocess.Popen([sys.executable, "-m", "selfeng", "worker", "-n", f"{name}@%h", "-l", "INFO"],
                                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                cwd=self.data_dir)
        proc.log_path = self.data_dir / f"worker-{name}.log"
        self.workers.append(proc)
        return proc

    def wait_ready(self, procs, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        for p in procs:
            while b" ready." not in p.log_path.read_bytes():
                assert p.poll() is None, p.log_path.read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, p.log_path.read_text(errors="replace")[-3000:]
                time.sleep(0.2)

    def stop_workers(self) -> None:
        for p in self.workers:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.workers:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        self.workers.clear()

    def settings_overrides(self, **kw) -> dict:
        return {"data_dir": self.data_dir, "store": "postgres", "database_url": self.pg_url,
                "broker_url": self.redis.url, "response_style": "template", **kw}

    def front(self, **overrides):
        """A web front in this process (its own orchestrator on the shared store; it never calls the model)."""
        from selfeng.web.app import create_app, start_in_thread
        orch, _ = make_orchestrator([], **self.settings_overrides(**overrides))
        app, socketio = create_app(orch)
        server, _ = start_in_thread(app, "127.0.0.1", 0)
        self.fronts.append((app, server))
        return app, f"http://127.0.0.1:{server.server_port}"

    def close_fronts(self) -> None:
        for app, server in self.fronts:
            server.shutdown()
            server.server_close()
            app.extensions["selfeng"].queue.close(2)
        self.fronts.clear()

    def records(self):
        from selfeng.broker.records import JobRecords, connect
        return JobRecords(connect(self.redis.url))

    def orchestrator(self):
        orch, _ = make_orchestrator([], **self.settings_overrides())
        return orch


@pytest.fixture(scope="session")
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is missing (scripts/setup installs it)")
    from selfeng.broker.redis_server import RedisServer
    base = tempfile.mkdtemp(prefix="selfeng-redis-tests-")
    server = RedisServer(base)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def team_pg():
    """A PostgreSQL server of the broker tests' own: the fault tests stop and start it."""
    yield from private_pg_server()


def make_team(request, redis_server, team_pg, tmp_path_factory, script_entries: list[dict], n_workers: int):
    import redis
    from tests.conftest import drop_pg_schema, pg_schema_url
    redis.Redis.from_url(redis_server.url).flushall()
    url, schema = pg_schema_url(team_pg)
    data = tmp_path_factory.mktemp("team")
    script = data / "script.json"
    script.write_text(json.dumps({"responses": script_entries}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFENG_")}
    env.update(SELFENG_DATA_DIR=str(data), SELFENG_ENV_FILE=str(data / "no.env"), SELFENG_STORE="postgres",
               SELFENG_DATABASE_URL=url, SELFENG_LLM_PROVIDER="scripted", SELFENG_SCRIPT=str(script),
               SELFENG_RESPONSE_STYLE="template", SELFENG_BROKER_URL=redis_server.url,
               PYTHONPATH=str(REPO))
    team = Team(redis_server, url, data, script, env)
    team.orchestrator().registry  # migrate the schema once, before the workers race to
    procs = [team.start_worker(f"w{i}") for i in range(n_workers)]
    team.wait_ready(procs)

    def finish():
        team.close_fronts()
        team.stop_workers()
        drop_pg_schema(team_pg, schema)

    request.addfinalizer(finish)
    return team
