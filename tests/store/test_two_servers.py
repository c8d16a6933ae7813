"""Two `selfeng serve` processes on one library (both stores): a tool one of them writes is found and
used by the other on its next request, with no second synthesis and no `_v2` duplicate."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.helpers import reverse_synthesis_script

REPO = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, name: str, script: list[dict]) -> tuple[subprocess.Popen, str]:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps({"responses": script}))
    env = {**os.environ, "SELFENG_LLM_PROVIDER": "scripted", "SELFENG_SCRIPT": str(path), "PYTHONUNBUFFERED": "1",
           "SELFENG_PORT": "0"}  # an ephemeral port (the CLI treats --port 0 as unset)
    proc = subprocess.Popen([sys.executable, "-m", "selfeng", "serve", "--host", "127.0.0.1"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 120
    seen = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line)
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m:
            return proc, f"http://127.0.0.1:{m.group(1)}"
    proc.kill()
    raise AssertionError("selfeng serve did not start:\n" + "".join(seen)[-3000:])


def _post(base: str, path: str, body: dict) -> dict:
    """POST, and when the answer is 202 (the request outlasted the REST wait: a synthesis on a loaded
    machine), poll its job until it has finished."""
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:
        status, location, out = r.status, r.headers.get("Location"), json.loads(r.read())
    deadline = time.monotonic() + 300
    while status == 202 and time.monotonic() < deadline:
        time.sleep(0.5)
        with urllib.request.urlopen(base + location, timeout=60) as r:
            status, out = r.status, json.loads(r.read())
    return out


def _get(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=60) as r:
        return json.loads(r.read())


@pytest.fixture
def servers(tmp_path, store_backend):
    procs = []

    def start(name: str, script: list[dict]) -> str:
        proc, url = _serve(tmp_path, name, script)
        procs.append(proc)
        return url

    yield start
    for p in procs:
        p.send_signal(signal.SIGINT)   # serve stops cleanly on Ctrl+C
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def test_tool_written_by_one_server_is_used_by_the_other(servers):
    a = servers("a", reverse_synthesis_script())
    b = servers("b", [])                          # b may not call the model at all
    assert _get(b, "/api/tools")["count"] == 0    # b's index is loaded, and empty
    first = _post(a, "/api/query", {"prompt": "Reverse the string 'hello world'"})
    assert first["synthesized"] and first["tool_result"] == "dlrow olleh", first
    second = _post(b, "/api/query", {"prompt": "Reverse 'Python'"})
    assert second["tool_name"] == "reverse_string" and not second["synthesized"], second
    assert second["tool_result"] == "nohtyP"
    names = [t["name"] for t in _get(a, "/api/tools")["tools"]]
    assert names == ["reverse_string"]            # no reverse_string_v2
