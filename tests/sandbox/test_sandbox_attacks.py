"""Hostile tools: each attack must be contained, and we check *how* it was contained."""
from __future__ import annotations

import os
import secrets
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from selfeng.config import load_settings
from selfeng.sandbox import SecureSandbox, uids

READ = "def read(path):\n    with open(path) as f:\n        return f.read()\n"


def _processes_named(comm: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == comm:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_network_cannot_reach_a_host_loopback_listener(sandbox):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.setblocking(False)
    port = server.getsockname()[1]
    try:
        code = ("import socket\n"
                "def probe(port):\n"
                "    s = socket.create_connection(('127.0.0.1', port), timeout=3)\n"
                "    s.sendall(b'leak')\n"
                "    return 'connected'\n")
        r = sandbox.run_tool("probe", code, {"port": port})
        assert r["success"] is False
        assert r["error_type"] == "sandbox_violation"
        assert "ConnectionRefused" in r["error"] or "unreachable" in r["error"].lower()
        with pytest.raises(BlockingIOError):
            server.accept()  # nothing arrived from inside
        # The listener was live all along: the host itself can connect.
        with socket.create_connection(("127.0.0.1", port), timeout=3):
            pass
        time.sleep(0.05)
        conn, _ = server.accept()
        conn.close()
    finally:
        server.close()


def test_environment_secrets_do_not_leak(sandbox, monkeypatch):
    monkeypatch.setenv("SECRET", "hunter2-" + secrets.token_hex(4))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    r = sandbox.run_tool("env", "import os\ndef env():\n    return dict(os.environ)\n", {})
    assert r["success"] is True
    env = r["result"]
    assert "SECRET" not in env and "OPENAI_API_KEY" not in env
    assert os.environ["SECRET"] not in repr(env)
    assert env["HOME"] == "/tmp"


def test_files_under_root_are_hidden(sandbox):
    with tempfile.NamedTemporaryFile("w", dir="/root", prefix=".selfeng-sandbox-test-") as f:
        f.write("root secret")
        f.flush()
        os.chmod(f.name, 0o644)  # readable by anyone on the host: only the mount hides it
        r = sandbox.run_tool("read", READ, {"path": f.name})
    assert r["success"] is False
    assert r["error_type"] == "sandbox_violation"
    assert "root secret" not in repr(r)
    listing = sandbox.run_tool("ls", "import os\ndef ls():\n    return sorted(os.listdir('/root'))\n", {})
    # At most the parents of the Python installation that is bound in are visible (bwrap); the
    # image's own /root is closed to the sandbox's uid (docker).
    assert listing["error_type"] == "sandbox_violation" or set(listing["result"]) <= {".pyenv", ".local"}


def test_data_directory_is_hidden_except_user_files(settings, sandbox):
    settings.db_path.write_text("database secret")
    (settings.files_dir / "ok.csv").write_text("a\n1\n")
    os.chmod(settings.db_path, 0o644)
    r = sandbox.run_tool("read", READ, {"path": str(settings.db_path)})
    assert r["error_type"] == "sandbox_violation"
    assert "database secret" not in repr(r)
    assert sandbox.run_tool("read", READ, {"path": str(settings.files_dir / "ok.csv")})["result"] == "a\n1\n"


def test_data_directory_outside_tmp_is_hidden(tmp_path, backend_name):
    data = Path(tempfile.mkdtemp(dir="/var/tmp", prefix="selfeng-sandbox-test-"))
    try:
        s = load_settings(env={"SELFENG_DATA_DIR": str(data), "SELFENG_SANDBOX": backend_name},
                          env_file=os.devnull)
        s.ensure_dirs()
        s.db_path.write_text("db")
        os.chmod(data, 0o755)
        os.chmod(s.db_path, 0o644)
        (s.files_dir / "f.json").write_text("[1]")
        os.chmod(s.files_dir, 0o755)
        os.chmod(s.files_dir / "f.json", 0o644)
        sb = SecureSandbox(s)
        assert sb.run_tool("read", READ, {"path": str(s.db_path)})["error_type"] == "sandbox_violation"
        assert sb.run_tool("read", READ, {"path": str(s.files_dir / "f.json")})["result"] == "[1]"
    finally:
        _remove_data_dir(data, backend_name)


def _remove_data_dir(data: Path, backend_name: str) -> None:
    """The Docker pool of this data directory refills in the background: a container still starting
    writes its job folder after `close_pools()`, and discards it a moment later, so removal is retried."""
    if backend_name == "docker":
        from selfeng.sandbox.docker import close_pools
        close_pools()
    for _ in range(50):
        if subprocess.run(["rm", "-rf", str(data)], capture_output=True).returncode == 0:
            return
        time.sleep(0.2)
    subprocess.run(["rm", "-rf", str(data)], check=True)


@pytest.mark.parametrize("target", ["files_dir", "/etc/selfeng-sandbox-test", "job", "/var/tmp/x"])
def test_writes_outside_tmp_are_refused(settings, sandbox, target):
    path = {"files_dir": str(settings.files_dir / "planted.csv"), "job": "planted.py"}.get(target, target)
    code = "def write(path):\n    with open(path, 'w') as f:\n        f.write('x')\n    return 'written'\n"
    r = sandbox.run_tool("write", code, {"path": path})
    assert r["success"] is False
    assert r["error_type"] == "sandbox_violation"
    # Mounted folders are read-only; the host's others (/var, /etc's files) do not exist inside.
    assert any(m in r["error"] for m in ("Read-only file system", "Permission denied", "No such file"))
    assert not (settings.files_dir / "planted.csv").exists()
    assert not Path("/etc/selfeng-sandbox-test").exists()


def test_tmp_is_private_and_writable(sandbox):
    name = f"/tmp/selfeng-sandbox-private-{secrets.token_hex(4)}"
    code = ("def write(path):\n    with open(path, 'w') as f:\n        f.write('x')\n"
            "    return open(path).read()\n")
    assert sandbox.run_tool("write", code, {"path": name})["result"] == "x"
    assert not os.path.exists(name)  # the sandbox's /tmp is its own tmpfs


def test_file_size_limit(settings):
    settings.sandbox_fsize_mb = 1
    code = "def big():\n    with open('/tmp/big', 'wb') as f:\n        f.write(b'x' * (4 << 20))\n"
    r = SecureSandbox(settings).run_tool("big", code, {})
    assert r["error_type"] == "sandbox_violation"
    assert "File too large" in r["error"]


def test_fork_bomb_is_contained_by_the_process_limit(sandbox):
    comm = "sbx" + secrets.token_hex(5)
    code = ("import ctypes, os\n"
            "def bomb(comm):\n"
            "    ctypes.CDLL(None).prctl(15, comm.encode(), 0, 0, 0)  # PR_SET_NAME, for the host's check\n"
            "    while True:\n"
            "        os.fork()\n")
    r = sandbox.run_tool("bomb", code, {"comm": comm}, timeout=20)
    assert r["success"] is False
    assert r["error_type"] == "sandbox_violation"
    assert "BlockingIOError" in r["error"] or "Resource temporarily unavailable" in r["error"]
    deadline = time.monotonic() + 5
    while _processes_named(comm) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_named(comm) == []  # every forked copy died with the sandbox
    # The host and the sandbox still work.
    assert subprocess.run(["true"]).returncode == 0
    assert sandbox.run_tool("add", "def add(a, b):\n    return a + b\n", {"a": 1, "b": 1})["result"] == 2


def test_timeout_kills_every_process_in_the_sandbox(sandbox):
    comm = "sbx" + secrets.token_hex(5)
    code = ("import ctypes, os, time\n"
            "def linger(comm):\n"
            "    ctypes.CDLL(None).prctl(15, comm.encode(), 0, 0, 0)\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()  # escape the process group; the pid namespace still holds it\n"
            "    while True:\n"
            "        time.sleep(0.1)\n")
    r = sandbox.run_tool("linger", code, {"comm": comm}, timeout=1)
    assert r["error_type"] == "timeout"
    deadline = time.monotonic() + 5
    while _processes_named(comm) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_named(comm) == []


def test_allocating_2gb_hits_the_memory_limit(sandbox):
    r = sandbox.run_tool("hog", "def hog():\n    return len(bytearray(2 * 1024 ** 3))\n", {})
    assert r["success"] is False
    assert r["error_type"] == "sandbox_violation"
    assert "MemoryError" in r["error"]


def test_runs_as_a_uid_of_its_own_without_capabilities(sandbox):
    code = ("import os\n"
            "def who():\n"
            "    status = open('/proc/self/status').read().splitlines()\n"
            "    caps = {l.split(':')[0]: l.split()[1] for l in status if l.startswith('Cap')}\n"
            "    nnp = [l.split()[1] for l in status if l.startswith('NoNewPrivs')][0]\n"
            "    return {'uid': os.getuid(), 'euid': os.geteuid(), 'groups': os.getgroups(),\n"
            "            'caps': caps, 'nnp': nnp, 'pid': os.getpid()}\n")
    r = sandbox.run_tool("who", code, {})["result"]
    assert r["uid"] == r["euid"] and uids.in_range(r["uid"])  # leased for this run, not a shared nobody
    assert r["groups"] == [] or r["groups"] == [r["uid"]]
    other = sandbox.run_tool("who", code, {})["result"]
    assert uids.in_range(other["uid"])
    assert all(int(v, 16) == 0 for k, v in r["caps"].items() if k != "CapAmb") and r["nnp"] == "1"
    assert r["pid"] < 10  # own pid namespace


def test_the_dotenv_file_with_api_keys_is_hidden(settings, monkeypatch):
    fd, name = tempfile.mkstemp(dir="/var/tmp", prefix="selfeng-sandbox-test-", suffix=".env")
    try:
        os.write(fd, b"OPENAI_API_KEY=sk-should-not-leak\n")
        os.close(fd)
        os.chmod(name, 0o644)
        monkeypatch.setenv("SELFENG_ENV_FILE", name)
        r = SecureSandbox(settings).run_tool("read", READ, {"path": name})
        # /dev/null is bound over it, on a nodev mount: opening it is refused.
        assert r["error_type"] == "sandbox_violation"
        assert "should-not-leak" not in repr(r)
    finally:
        os.unlink(name)
