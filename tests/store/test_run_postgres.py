"""`scripts/run` with SELFENG_STORE=postgres and no SELFENG_DATABASE_URL (set in .env, as a user
would): it starts selfeng's own PostgreSQL server (pg_server, unprivileged, private socket), and the
web UI runs on it. A second start reuses the running server; SQLite needs no server at all."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from selfeng.store.pg_server import PgServer, default_root

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def user_env():
    """A user's environment: .env says postgres, no URL anywhere; caches in a folder the server's
    unprivileged account can reach (as root it runs as selfeng-pg)."""
    base = Path(tempfile.mkdtemp(prefix="selfeng-run-pg-"))
    os.chmod(base, 0o755)
    (base / ".env").write_text("SELFENG_STORE=postgres\n")
    env = {k: v for k, v in os.environ.items() if k not in ("SELFENG_DATABASE_URL", "SELFENG_STORE")}
    env.update(SELFENG_ENV_FILE=str(base / ".env"), SELFENG_CACHE_DIR=str(base / "cache"),
               SELFENG_DATA_DIR=str(base / "data"), SELFENG_LLM_PROVIDER="scripted", PYTHONUNBUFFERED="1",
               SELFENG_PORT="0")  # an ephemeral port
    yield env
    PgServer(default_root(base / "cache")).stop()
    shutil.rmtree(base, ignore_errors=True)


def _ensure(env: dict) -> str:
    r = subprocess.run([sys.executable, "-m", "selfeng.store.pg_server", "ensure"], env=env, cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@pytest.mark.stores("postgres")
def test_run_starts_its_own_postgres_when_no_url_is_set(user_env):
    proc = subprocess.Popen([str(REPO / "scripts/run"), "--no-setup", "--host", "127.0.0.1"], cwd=REPO,
                            env=user_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        seen, base = [], None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and base is None:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            base = m and f"http://127.0.0.1:{m.group(1)}"
        assert base, "scripts/run did not start:\n" + "".join(seen)[-3000:]
        log = "".join(seen)
        url = re.search(r"PostgreSQL store: selfeng's own server at (\S+)", log).group(1)
        server = PgServer(default_root(Path(user_env["SELFENG_CACHE_DIR"])))
        assert url == server.url and server.running()
        assert "host=" in url and "@/" in url  # a unix socket, no TCP address
        # The web UI's library is that server's: a tool written there directly is listed by the UI.
        with psycopg.connect(url) as c:
            c.execute("INSERT INTO agent_tools (id, name, code, tests, docstring) "
                      "VALUES ('add_one', 'add_one', 'def add_one(x): return x + 1', '', 'Add one.')")
        with urllib.request.urlopen(base + "/api/tools", timeout=60) as r:
            assert '"add_one"' in r.read().decode()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    # selfeng has ended; the server is left running and a second run reuses it.
    assert server.running()
    t0 = time.monotonic()
    assert _ensure(user_env) == f"SELFENG_DATABASE_URL={url}"
    assert time.monotonic() - t0 < 30
    # A URL of the user's own, or SQLite: nothing to start.
    assert _ensure({**user_env, "SELFENG_DATABASE_URL": url}) == ""
    assert _ensure({**user_env, "SELFENG_STORE": "sqlite"}) == ""
