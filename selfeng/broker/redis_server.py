"""A private Debian `redis-server` on 127.0.0.1 for the cluster, the tests and the load benchmark.

Durable as a broker must be: append-only file with fsync on every write, so a `kill -9` and restart loses
no queued message or job record. No snapshot files; the data lives in the folder given.

    python -m selfeng.broker.redis_server start DIR [--port N]   # prints the URL; stop DIR stops it
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


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, directory: str | os.PathLike, port: int | None = None, host: str = "127.0.0.1",
                 fsync: str = "always"):
        self.dir = Path(directory)
        self.host = host
        self.port = port
        self.fsync = fsync
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.dir / "redis.pid"

    def start(self, timeout: float = 15.0, daemon: bool = False) -> str:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is missing: apt-get install -y redis-server (scripts/setup does)")
        self.dir.mkdir(parents=True, exist_ok=True)
        if self.port is None:
            saved = self.dir / "port"
            self.port = int(saved.read_text()) if saved.is_file() else free_port(self.host)
        (self.dir / "port").write_text(str(self.port))
        args = [exe, "--bind", self.host, "--port", str(self.port), "--dir", str(self.dir),
                "--appendonly", "yes", "--appendfsync", self.fsync, "--save", "", "--protected-mode", "yes",
                "--pidfile", str(self.pidfile), "--logfile", str(self.dir / "redis.log"),
                "--daemonize", "yes" if daemon else "no"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        if daemon:
            self.proc.wait(timeout)
        self._wait_ready(timeout)
        return self.url

    def _wait_ready(self, timeout: float) -> None:
        import redis
        deadline = time.monotonic() + timeout
        client = redis.Redis(host=self.host, port=self.port, socket_connect_timeout=0.5)
        while True:
            try:
                if client.ping():
                    # Loading the append-only file: PING answers before the data is in.
                    if int(client.info("persistence").get("loading", 0)) == 0:
                        return
            except redis.exceptions.BusyLoadingError:
                pass
            except redis.RedisError:
                if self.proc is not None and self.proc.poll() not in (None, 0):
                    raise RuntimeError(f"redis-server exited; see {self.dir / 'redis.log'}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer on {self.url}; see {self.dir / 'redis.log'}")
            time.sleep(0.05)
        client.close()

    def pid(self) -> int | None:
        if self.proc is not None and self.proc.poll() is None and not self.pidfile.is_file():
            return self.proc.pid
        try:
            return int(self.pidfile.read_text())
        except (OSError, ValueError):
            return None

    def kill(self) -> None:
        """kill -9: the crash the append-only file must survive."""
        pid = self.pid()
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _wait_gone(pid)
        if self.proc is not None:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        self.pidfile.unlink(missing_ok=True)

    def restart(self, down_seconds: float = 0.0) -> None:
        self.kill()
        time.sleep(down_seconds)
        self.start()

    def stop(self) -> None:
        pid = self.pid()
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            if not _wait_gone(pid, 10):
                os.kill(pid, signal.SIGKILL)
        if self.proc is not None:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.pidfile.unlink(missing_ok=True)


def _wait_gone(pid: int, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        # a zombie child of ours counts as gone
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[-1].startswith("Z"):
                return True
        except OSError:
            return True
        time.sleep(0.05)
    return False


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m selfeng.broker.redis_server")
    p.add_argument("action", choices=["start", "stop"])
    p.add_argument("directory")
    p.add_argument("--port", type=int)
    args = p.parse_args(argv)
    server = RedisServer(args.directory, port=args.port)
    if args.action == "start":
        print(server.start(daemon=True))
    else:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
