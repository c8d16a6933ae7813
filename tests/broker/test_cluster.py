"""`selfeng cluster up|status|down` (what scripts/cluster runs): the whole deployment as detached
processes, asked over REST, then stopped with nothing left running."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import shutil

import pytest
import requests

from selfeng.broker.redis_server import free_port
from tests.broker.conftest import REPO
from tests.broker.test_broker import SCRIPT


def _cluster(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "selfeng", "cluster", *args], env=env, capture_output=True,
                          text=True, timeout=timeout, cwd=REPO)


def test_cluster_up_answers_and_down_stops_everything(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is missing (scripts/setup installs it)")
    base = tempfile.mkdtemp(prefix="selfeng-cluster-test-")
    os.chmod(base, 0o755)  # PostgreSQL's unprivileged account must reach its folder
    script = tmp_path / "script.json"
    script.write_text(json.dumps({"responses": SCRIPT}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFENG_")}
    env.update(SELFENG_DATA_DIR=str(tmp_path / "data"), SELFENG_ENV_FILE=str(tmp_path / "no.env"),
               SELFENG_SCRIPT=str(script), SELFENG_RESPONSE_STYLE="template", PYTHONPATH=str(REPO))
    port = free_port()
    try:
        up = _cluster("up", "--dir", base, "--workers", "1", "--model", "scripted", "--port", str(port), env=env)
        assert up.returncode == 0, up.stdout + up.stderr
        assert f"web         http://127.0.0.1:{port}/" in up.stdout
        st = json.loads(_cluster("status", "--dir", base, env=env).stdout)
        assert st["running"] and all(st["alive"].values()) and set(st["alive"]) == {"web", "worker0", "redis"}
        assert st["broker_url"].startswith("redis://127.0.0.1:")
        r = requests.post(f"http://127.0.0.1:{port}/api/query", json={"prompt": "Shout the text 'hi'"}, timeout=120)
        assert r.status_code == 200 and r.json()["tool_result"] == "HI!", r.text
        health = requests.get(f"http://127.0.0.1:{port}/api/health", timeout=10).json()
        assert health["tool_count"] == 1 and health["queue"]["broker"] == "ok"
    finally:
        state = json.loads(open(os.path.join(base, "cluster.json")).read())
        down = _cluster("down", "--dir", base, env=env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert json.loads(_cluster("status", "--dir", base, env=env).stdout) == {"running": False}
    from selfeng.broker.cluster import _alive
    pids = [state["web_pid"], *(w["pid"] for w in state["workers"])]
    assert not any(_alive(p) for p in pids)
    assert not os.path.exists(os.path.join(state["redis_dir"], "redis.pid"))
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/api/health", timeout=5)
    shutil.rmtree(base, ignore_errors=True)
