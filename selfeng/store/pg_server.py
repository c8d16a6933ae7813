"""A private PostgreSQL 16 + pgvector server for selfeng, from the `pgserver` wheel's binaries.

Debian's postgresql has no pgvector, so the server comes from PyPI (`pgserver==0.1.4`: PostgreSQL 16.2
with pgvector 0.6.2). PostgreSQL refuses to run as root, so as root the server runs as the system user
`selfeng-pg` (created on first use). It listens on no TCP port at all: only on a unix socket inside a
0700 folder that user owns, so trust authentication reaches nobody but that user and root.

    python -m selfeng.store.pg_server start [--dir DIR] [--fast]   # prints SELFENG_DATABASE_URL
    python -m selfeng.store.pg_server stop [--dir DIR]
    python -m selfeng.store.pg_server url [--dir DIR]
    python -m selfeng.store.pg_server ensure    # scripts/run: when the settings (env, .env) say
        # SELFENG_STORE=postgres without SELFENG_DATABASE_URL, start the server and print
        # SELFENG_DATABASE_URL=<url>; otherwise print nothing
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

PG_USER = "selfeng-pg"
DB_NAME = "selfeng"
DB_ROLE = "selfeng"
# Durability off: only for throw-away test servers (the data dies with the test session anyway).
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def _memory_settings() -> dict[str, str]:
    """PostgreSQL's own starting advice: shared_buffers at a quarter of RAM (capped), the planner told
    about the rest. With the default 128MB a 100k-tool HNSW index (~600 MB) never stays in memory and
    every search reads hundreds of pages (measured: p50 128 ms instead of a few)."""
    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return {"shared_buffers": f"{max(128, min(ram_mb // 4, 8192))}MB",
            "effective_cache_size": f"{max(512, ram_mb // 2)}MB"}


class PgServerError(RuntimeError):
    """The server could not be installed, initialised, started or stopped."""


def _pginstall() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise PgServerError("the pgserver package is missing: pip install pgserver==0.1.4")
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall"


def _account() -> pwd.struct_passwd | None:
    """The unprivileged account to run as, when we are root (created if missing); None otherwise."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", PG_USER], check=True, capture_output=True)
        return pwd.getpwnam(PG_USER)


def _reachable(path: Path) -> bool:
    """Can a stranger (not owner, not group) traverse every folder down to `path` and read it?"""
    p = path.resolve()
    for d in [p, *p.parents]:
        if not os.stat(d).st_mode & stat.S_IXOTH:
            return False
    return True


def default_root(cache_dir: Path) -> Path:
    """`<cache>/postgres`, unless the server's account could not reach it (root's home is 0700)."""
    if os.geteuid() == 0 and not _reachable(cache_dir.parent if not cache_dir.exists() else cache_dir):
        return Path("/var/lib/selfeng/postgres")
    return cache_dir / "postgres"


class PgServer:
    """One server under `root`: `data/` (the cluster), `run/` (the socket), `server.log`, `bin/`."""

    def __init__(self, root: str | os.PathLike, *, fast: bool = False):
        self.root = Path(root).resolve()
        self.data, self.sock, self.log = self.root / "data", self.root / "run", self.root / "server.log"
        self.fast = fast
        self.account = _account()

    @property
    def url(self) -> str:
        return f"postgresql://{DB_ROLE}@/{DB_NAME}?host={quote(str(self.sock), safe='/')}"

    def _bin(self, name: str) -> str:
        src = _pginstall()
        if self.account is None or _reachable(src / "bin" / name):
            return str(src / "bin" / name)
        # The venv is out of the account's reach (e.g. under /root): use a private copy of the binaries.
        dst = self.root / "pginstall"
        if not (dst / "bin" / name).exists():
            shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
        return str(dst / "bin" / name)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.account is not None:
            cmd = ["setpriv", f"--reuid={self.account.pw_uid}", f"--regid={self.account.pw_gid}",
                   "--clear-groups", "--", *cmd]
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=timeout,
                              env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})
        return proc

    def _prepare_dirs(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.account is not None and not _reachable(self.root.parent):
            raise PgServerError(f"{self.root.parent} is not reachable by {PG_USER}; choose another --dir")
        for d in (self.root, self.sock):
            d.mkdir(exist_ok=True)
            os.chmod(d, 0o700)
            if self.account is not None:
                os.chown(d, self.account.pw_uid, self.account.pw_gid)

    def running(self) -> bool:
        return self.data.is_dir() and self._run(self._bin("pg_ctl"), "-D", str(self.data), "status").returncode == 0

    def start(self) -> str:
        """Initialise (once) and start the server; create the database and pgvector. Returns the URL."""
        self._prepare_dirs()
        if not (self.data / "PG_VERSION").exists():
            r = self._run(self._bin("initdb"), "-D", str(self.data), "-U", DB_ROLE, "--auth=trust",
                          "--encoding=UTF8", "--no-locale", timeout=300)
            if r.returncode:
                raise PgServerError(f"initdb failed: {r.stderr.strip() or r.stdout.strip()}")
            conf = {"listen_addresses": "''", "unix_socket_directories": f"'{self.sock}'",
                    "max_connections": "200"}
            # a throw-away test server holds tiny libraries: it keeps the small default buffers
            conf.update(FAST_SETTINGS if self.fast else _memory_settings())
            with open(self.data / "postgresql.conf", "a", encoding="utf-8") as f:
                f.write("\n# selfeng\n" + "".join(f"{k} = {v}\n" for k, v in conf.items()))
        if not self.running():
            r = self._run(self._bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60",
                          "start", timeout=90)
            if r.returncode:
                tail = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
                raise PgServerError(f"pg_ctl start failed: {r.stderr.strip()}\n{tail}")
        self._create_database()
        return self.url

    def _create_database(self) -> None:
        import psycopg
        admin = self.url.replace(f"/{DB_NAME}?", "/postgres?")
        with psycopg.connect(admin, autocommit=True) as c:
            if c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone() is None:
                c.execute(f"CREATE DATABASE {DB_NAME}")
        with psycopg.connect(self.url, autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS vector")

    def stop(self) -> None:
        if self.data.is_dir() and self.running():
            r = self._run(self._bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=90)
            if r.returncode:
                raise PgServerError(f"pg_ctl stop failed: {r.stderr.strip()}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m selfeng.store.pg_server", description=__doc__.split("\n")[0])
    ap.add_argument("action", choices=["start", "stop", "url", "status", "ensure"])
    ap.add_argument("--dir", help="server folder (default: <cache>/postgres, or /var/lib/selfeng/postgres as root)")
    ap.add_argument("--fast", action="store_true", help="no fsync: for throw-away test servers only")
    args = ap.parse_args(argv)
    from ..config import load_settings
    settings = load_settings()
    if args.action == "ensure" and (settings.store != "postgres" or settings.database_url):
        return 0  # SQLite, or a PostgreSQL of the user's own: nothing to start
    server = PgServer(Path(args.dir) if args.dir else default_root(settings.cache_dir), fast=args.fast)
    try:
        if args.action == "ensure":
            print(f"SELFENG_DATABASE_URL={server.start()}")
        elif args.action == "start":
            print(server.start())
        elif args.action == "stop":
            server.stop()
        elif args.action == "url":
            print(server.url)
        else:
            running = server.running()
            print("running" if running else "stopped")
            return 0 if running else 3
    except (PgServerError, subprocess.SubprocessError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
