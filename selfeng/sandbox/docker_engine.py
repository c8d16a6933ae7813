"""A Docker engine of selfeng's own: Debian's dockerd on a private socket, started and stopped by us.

This project's machines are themselves containers without a running engine, and no registry is
reachable, so the scripts start `dockerd` (as root) with its data, exec root, socket and pidfile under
one folder (default `$SELFENG_CACHE_DIR/docker`), no iptables/NAT/bridge (sandboxes have no network
anyway) and overlay2 storage. An engine that already answers (DOCKER_HOST, the default socket, or ours)
is used as it is and never stopped by us.

    python -m selfeng.sandbox.docker_engine start|stop|status [--root DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_SOCKET = "/var/run/docker.sock"
STARTED_MARK = "started-by-selfeng"


def engine_root(cache_dir: Path) -> Path:
    return Path(cache_dir) / "docker"


def socket_path(root: Path) -> Path:
    return Path(root) / "docker.sock"


def ping(host: str, timeout: float = 2.0) -> bool:
    """Does a Docker engine answer `GET /_ping` at this `unix://` address?"""
    if not host.startswith("unix://"):
        return False
    path = host[len("unix://"):]
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout)
            s.connect(path)
            s.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return b" 200 " in s.recv(256)
    except OSError:
        return False


def find_engine(cache_dir: Path | None = None) -> str | None:
    """The engine to use: DOCKER_HOST, else the default socket, else selfeng's own; None if none answers."""
    candidates = []
    if os.environ.get("DOCKER_HOST"):
        candidates.append(os.environ["DOCKER_HOST"])
    candidates.append(f"unix://{DEFAULT_SOCKET}")
    if cache_dir is not None:
        candidates.append(f"unix://{socket_path(engine_root(cache_dir))}")
    for host in candidates:
        if ping(host) or (not host.startswith("unix://") and host == os.environ.get("DOCKER_HOST")):
            return host
    return None


def start(root: Path, timeout: float = 60.0) -> tuple[str, bool]:
    """Start dockerd under `root` unless ours already runs; (DOCKER_HOST value, whether we started it)."""
    root = Path(root)
    host = f"unix://{socket_path(root)}"
    if ping(host):
        return host, False
    dockerd = shutil.which("dockerd", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"]))
    if dockerd is None:
        raise RuntimeError("dockerd is not installed (Debian/Ubuntu: apt-get install docker.io)")
    if os.geteuid() != 0:
        raise RuntimeError("starting selfeng's own Docker engine needs root")
    for sub in ("data", "exec"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    socket_path(root).unlink(missing_ok=True)
    log = open(root / "dockerd.log", "ab")
    cmd = [dockerd, "--data-root", str(root / "data"), "--exec-root", str(root / "exec"), "-H", host,
           "--pidfile", str(root / "dockerd.pid"), "--iptables=false", "--ip-masq=false", "--bridge=none",
           "--storage-driver=overlay2"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + timeout
    while not ping(host):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            tail = (root / "dockerd.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"dockerd did not come up (exit {proc.returncode}):\n{tail}")
        time.sleep(0.1)
    (root / STARTED_MARK).write_text(str(proc.pid))
    return host, True


def stop(root: Path, timeout: float = 20.0) -> bool:
    """Stop the dockerd that `start` launched under `root` (its containers first). True if one was running."""
    root = Path(root)
    mark = root / STARTED_MARK
    try:
        pid = int((root / "dockerd.pid").read_text())
    except (OSError, ValueError):
        mark.unlink(missing_ok=True)
        return False
    host = f"unix://{socket_path(root)}"
    docker = shutil.which("docker")
    if docker and ping(host):
        ids = subprocess.run([docker, "-H", host, "ps", "-aq", "--filter", "label=selfeng.sandbox"],
                             capture_output=True, text=True).stdout.split()
        if ids:
            subprocess.run([docker, "-H", host, "rm", "-f", *ids], capture_output=True)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        mark.unlink(missing_ok=True)
        return False
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                break
        except ChildProcessError:
            pass
        time.sleep(0.1)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, os.WNOHANG)  # reap it when this process started it (no zombie left)
    except ChildProcessError:
        pass
    mark.unlink(missing_ok=True)
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="selfeng's own Docker engine")
    ap.add_argument("action", choices=["start", "stop", "status"])
    ap.add_argument("--root", type=Path, default=None, help="default: $SELFENG_CACHE_DIR/docker")
    opts = ap.parse_args(argv)
    if opts.root is None:
        from selfeng.config import load_settings
        opts.root = engine_root(load_settings().cache_dir)
    if opts.action == "start":
        host, started = start(opts.root)
        print(f"DOCKER_HOST={host}" + ("" if started else "  (already running)"))
    elif opts.action == "stop":
        print("stopped" if stop(opts.root) else "not running")
    else:
        host = f"unix://{socket_path(opts.root)}"
        print(f"DOCKER_HOST={host} " + ("running" if ping(host) else "not running"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
