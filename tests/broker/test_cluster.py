"""`selfeng cluster up|status|down` (what scripts/cluster runs): the whole deployment as detached
processes, asked over REST, then stopped with nothing left running."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
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


def test_cluster_up_shares_one_model_server_with_its_workers(tmp_path):
    """The default deployment (`--model server`): llama.cpp's OpenAI-compatible server on the embedded model,
    started by `cluster up`, is what the workers ask (`SELFENG_LLM_PROVIDER=openai`). A seed tool is reused
    and the answer is written by the model (`SELFENG_RESPONSE_STYLE=model`), so a request answered with
    model calls proves the workers reach the shared server; `down` stops it too."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is missing (scripts/setup installs it)")
    base = tempfile.mkdtemp(prefix="selfeng-cluster-model-")
    os.chmod(base, 0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFENG_")}
    env.update(SELFENG_DATA_DIR=str(tmp_path / "data"), SELFENG_ENV_FILE=str(tmp_path / "no.env"),
               SELFENG_RESPONSE_STYLE="model", SELFENG_LOCAL_THREADS=os.environ.get("SELFENG_LOCAL_THREADS", "0"),
               PYTHONPATH=str(REPO))
    port = free_port()
    try:
        up = _cluster("up", "--dir", base, "--workers", "1", "--model", "server", "--port", str(port), env=env,
                      timeout=600)
        assert up.returncode == 0, up.stdout + up.stderr
        state = json.loads(open(os.path.join(base, "cluster.json")).read())
        assert state["model_url"].startswith("http://127.0.0.1:") and state["model_url"].endswith("/v1")
        st = json.loads(_cluster("status", "--dir", base, env=env).stdout)
        assert set(st["alive"]) == {"web", "worker0", "redis", "model"} and all(st["alive"].values()), st
        seed_env = {**env, "SELFENG_STORE": "postgres", "SELFENG_DATABASE_URL": state["database_url"]}
        seeded = subprocess.run([sys.executable, "-m", "selfeng", "seed"], env=seed_env, capture_output=True,
                                text=True, timeout=300, cwd=REPO)
        assert seeded.returncode == 0, seeded.stdout + seeded.stderr
        r = requests.post(f"http://127.0.0.1:{port}/api/query", json={"prompt": "Reverse the string 'stressed'"},
                          timeout=300)
        deadline = time.monotonic() + 600
        while r.status_code == 202 and time.monotonic() < deadline:  # the REST wait ended: poll the job
            time.sleep(2)
            r = requests.get(f"http://127.0.0.1:{port}{r.headers['Location']}", timeout=30)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["tool_result"] == "desserts" and body["tool_name"] == "reverse_string", body
        assert body["usage"]["model_calls"] >= 1, body["usage"]
        assert body["response"].strip(), body
    finally:
        state = json.loads(open(os.path.join(base, "cluster.json")).read())
        down = _cluster("down", "--dir", base, env=env)
    assert down.returncode == 0, down.stdout + down.stderr
    from selfeng.broker.cluster import _alive
    assert not _alive(state.get("model_pid")) and not _alive(state.get("web_pid"))
    shutil.rmtree(base, ignore_errors=True)
