"""Docker backend (`SELFENG_SANDBOX=docker`): one fresh container per request, started ahead of time.

Each container: no network, read-only root, a size-limited tmpfs /tmp, a uid leased for it alone,
`--cap-drop ALL`, no-new-privileges, Docker's default seccomp profile with selfeng's filter stacked on
top (container_launcher.py), memory = memory + swap limit (shared memory counted), pids and CPU
limits, the same per-process rlimits as bwrap, no log driver, and only the harness, the job and the
user data folder mounted (read-only). Its first process, the launcher, waits for one job on the
`docker run -i` pipes, runs the harness exactly as bwrap does, kills everything, and exits; `--rm`
removes the container. A small pool keeps the next container(s) started in the background, so a
request pays for no container start. Containers carry the owning selfeng's pid as a label: those of a
selfeng that died are removed at the next start, and an idle one leaves by itself once its host
pipe closes.
"""
from __future__ import annotations

import atexit
import itertools
import json
import logging
import os
import select
import shutil
import struct
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from selfeng.config import Settings

from .base import HARNESS_DIR, Launch, Outcome, SandboxError, register_backend, shared_folder
from .bwrap import CPUS, NOFILE
from .seccomp import filter_bpf
from .uids import UidLease

log = logging.getLogger(__name__)

POOL_SIZE = 2
MAX_POOLS = 2  # configurations (limits, data folder) with warm containers at once
LABEL = "selfeng.sandbox"
HARNESS_FILES = ("run_harness.py", "verify_harness.py", "tool_server.py", "container_launcher.py")
_names = itertools.count()


def _harness_copy() -> Path:
    """The files mounted at /harness: the harness scripts and the seccomp program."""
    blobs = {name: (HARNESS_DIR / name).read_bytes() for name in HARNESS_FILES}
    blobs["seccomp.bpf"] = filter_bpf()
    return shared_folder("harness", blobs, 0o444)


@dataclass
class Warm:
    """A started container waiting for its one job."""

    name: str
    proc: subprocess.Popen
    job_dir: Path
    lease: UidLease
    key: tuple
    buf: bytearray = field(default_factory=bytearray)

    def discard(self, docker: list[str]) -> None:
        """Close its pipe (an idle launcher then leaves), make sure the container is gone, free the uid."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(2)
        except subprocess.TimeoutExpired:
            subprocess.run([*docker, "rm", "-f", self.name], capture_output=True)
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()
        shutil.rmtree(self.job_dir.parent, ignore_errors=True)
        self.lease.release()


class Pool:
    """Keeps up to `size` warm containers for one configuration; shared by every backend that uses it."""

    def __init__(self, backend: "DockerBackend", key: tuple, size: int) -> None:
        self.backend, self.key, self.size = backend, key, size
        self.ready: list[Warm] = []
        self.starting = 0
        self.lock = threading.Condition()
        self.closed = False
        self.error: Exception | None = None

    def take(self, timeout: float = 60.0) -> Warm:
        with self.lock:
            self._refill()
            deadline = time.monotonic() + timeout
            while not self.ready:
                if self.closed:
                    raise SandboxError("the Docker sandbox pool is closed")
                if self.error is not None and self.starting == 0:
                    error, self.error = self.error, None
                    raise SandboxError(f"could not start a sandbox container: {error}") from error
                if self.starting == 0:
                    self._refill(force=True)
                if not self.lock.wait(max(0.0, deadline - time.monotonic())) and time.monotonic() > deadline:
                    raise SandboxError(f"no sandbox container became ready within {timeout:g}s")
            warm = self.ready.pop(0)
            self._refill()
            return warm

    def wait_ready(self, count: int = 1, timeout: float = 60.0) -> bool:
        """Block until `count` containers are warm (benchmarks: measure a request, not a start)."""
        with self.lock:
            self._refill()
            return self.lock.wait_for(lambda: len(self.ready) >= min(count, self.size) or self.closed, timeout)

    def _refill(self, force: bool = False) -> None:
        while not self.closed and (len(self.ready) + self.starting < self.size or force):
            force = False
            self.starting += 1
            threading.Thread(target=self._start_one, daemon=True, name="selfeng-docker-pool").start()

    def _start_one(self) -> None:
        warm, error = None, None
        try:
            warm = self.backend.start_container(self.key)
        except Exception as exc:  # noqa: BLE001 - reported to the waiting request
            error = exc
        with self.lock:
            self.starting -= 1
            if warm is not None and not self.closed:
                self.ready.append(warm)
            elif warm is not None:
                warm.discard(self.backend.docker)
            if error is not None:
                self.error = error
                log.warning("could not start a sandbox container: %s", error)
            self.lock.notify_all()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            ready, self.ready = self.ready, []
            self.lock.notify_all()
        for warm in ready:
            warm.discard(self.backend.docker)


_POOLS: dict[tuple, Pool] = {}
_POOLS_LOCK = threading.Lock()
_IMAGE_LOCK = threading.RLock()


def close_pools() -> None:
    """Stop every warm container this process started (also run at exit)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.close()


atexit.register(close_pools)


class DockerBackend:
    name = "docker"
    JOB_DIR = "/job"
    HARNESS = "/harness"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        cli = shutil.which("docker")
        if cli is None:
            raise SandboxError("sandbox backend 'docker' needs the docker command (Debian/Ubuntu: apt-get "
                               "install docker.io). selfeng never runs generated code unsandboxed.")
        # Imported here: `python -m selfeng.sandbox.docker_engine|docker_image` must not find them loaded.
        from . import docker_image
        from .docker_engine import find_engine

        host = find_engine(settings.cache_dir)
        if host is None:
            raise SandboxError("sandbox backend 'docker' found no running Docker engine: set DOCKER_HOST, "
                               "or start selfeng's own with `python -m selfeng.sandbox.docker_engine start` "
                               "(as root)")
        self.host = host
        self.docker = [cli, "-H", host]
        self.image = docker_image.image_tag()
        self.harness = _harness_copy()
        self.hidden_paths: tuple[str, ...] = ("/", *sorted({str(Path(p).resolve())
                                                            for p in (settings.data_dir, settings.cache_dir)}))
        self.visible_paths: tuple[str, ...] = ("/usr", "/tmp", "/proc", "/dev", self.JOB_DIR,
                                               str(settings.files_dir.resolve()))
        self._image_checked = False
        self._sweep_stale()

    # -- the seeds' image API -----------------------------------------------------------------------

    def ensure_image_exists(self) -> bool:
        """Build the image if this recipe's tag is missing; True if it had to be built."""
        with _IMAGE_LOCK:  # pool threads start containers concurrently: one build, not several
            if self._image_checked:
                return False
            present = subprocess.run([*self.docker, "image", "inspect", self.image],
                                     capture_output=True).returncode == 0
            if not present:
                self.build_image()
            self._image_checked = True
            return not present

    def build_image(self, dockerfile: Path | None = None) -> str:
        """Build (or rebuild) the sandbox image with progress on screen; returns its tag."""
        from . import docker_image
        if dockerfile is not None:
            docker_image.build_from_dockerfile(self.docker, self.image, Path(dockerfile))
        else:
            tarball = docker_image.build_rootfs(Path(self.settings.cache_dir) / "docker")
            docker_image.import_image(self.docker, tarball, self.image)
        self._image_checked = True
        return self.image

    # -- containers ---------------------------------------------------------------------------------

    def _key(self) -> tuple:
        s = self.settings
        s.files_dir.mkdir(parents=True, exist_ok=True)  # bind-mounted: it must exist
        return (self.host, self.image, str(self.harness), str(s.files_dir.resolve()), s.sandbox_memory_mb,
                s.sandbox_cpu_seconds, s.sandbox_nproc, s.sandbox_fsize_mb, s.sandbox_tmp_mb)

    def wait_ready(self, count: int = 1, timeout: float = 60.0) -> bool:
        """True once `count` pre-started containers wait for requests of the current settings."""
        return self._pool().wait_ready(count, timeout)

    def _pool(self) -> Pool:
        key = self._key()
        evicted = []
        with _POOLS_LOCK:
            pool = _POOLS.pop(key, None) or Pool(self, key, POOL_SIZE)
            _POOLS[key] = pool  # most recently used last
            while len(_POOLS) > MAX_POOLS:  # settings changed: the oldest configuration's containers go
                evicted.append(_POOLS.pop(next(iter(_POOLS))))
        for old in evicted:
            old.close()
        return pool

    def _run_args(self, name: str, uid: int, job_dir: Path, key: tuple) -> list[str]:
        _, image, harness, files_dir, memory_mb, cpu_s, nproc, fsize_mb, tmp_mb = key
        mem = f"{memory_mb}m"
        return [*self.docker, "run", "-i", "--rm", "--name", name, "--label", f"{LABEL}=1",
                "--label", f"{LABEL}.owner={os.getpid()}", "--log-driver", "none",
                "--network", "none", "--read-only", "--hostname", "sandbox", "--ipc", "private",
                "--tmpfs", f"/tmp:rw,nosuid,nodev,size={tmp_mb}m,mode=1777", "--shm-size", "16m",
                "--user", f"{uid}:{uid}", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--memory", mem, "--memory-swap", mem, "--pids-limit", str(nproc), "--cpus", str(CPUS),
                # Docker has no RLIMIT_AS; RLIMIT_DATA (private mappings, Linux >= 4.7) is its per-process twin.
                "--ulimit", f"data={memory_mb << 20}", "--ulimit", f"cpu={cpu_s}:{cpu_s + 1}",
                "--ulimit", f"fsize={fsize_mb << 20}", "--ulimit", "core=0",
                "--ulimit", f"nofile={NOFILE}:{NOFILE}",
                "-v", f"{harness}:{self.HARNESS}:ro", "-v", f"{job_dir}:{self.JOB_DIR}:ro",
                "-v", f"{files_dir}:{files_dir}:ro", "--workdir", self.JOB_DIR,
                image, "python3", "-I", "-S", "-B", f"{self.HARNESS}/container_launcher.py"]

    def start_container(self, key: tuple) -> Warm:
        """`docker run -i` a container and wait for its launcher's ready frame."""
        self.ensure_image_exists()
        lease = UidLease()
        base = Path(os.environ.get("TMPDIR", "/tmp")) / f"selfeng-docker-{os.getpid()}-{next(_names)}"
        job_dir = base / "job"
        job_dir.mkdir(parents=True, mode=0o755)
        os.chmod(base, 0o755)
        name = f"selfeng-sbx-{os.getpid()}-{lease.uid}-{next(_names)}"
        proc = subprocess.Popen(self._run_args(name, lease.uid, job_dir, key), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        warm = Warm(name, proc, job_dir, lease, key)
        try:
            tag, payload = _read_frame(proc.stdout.fileno(), warm.buf, time.monotonic() + 60)
        except (TimeoutError, EOFError) as exc:
            err = proc.stderr.read1(4000).decode(errors="replace") if proc.poll() is not None else ""
            warm.discard(self.docker)
            raise SandboxError(f"the sandbox container did not start ({exc}): {err.strip()}") from None
        if tag != b"R":
            warm.discard(self.docker)
            raise SandboxError(f"the sandbox container failed: {payload.decode(errors='replace')}")
        return warm

    def _sweep_stale(self) -> None:
        """Remove containers whose selfeng process no longer exists."""
        r = subprocess.run([*self.docker, "ps", "-a", "--filter", f"label={LABEL}",
                            "--format", f'{{{{.ID}}}} {{{{.Label "{LABEL}.owner"}}}}'], capture_output=True, text=True)
        stale = [cid for cid, _, owner in (line.partition(" ") for line in r.stdout.splitlines())
                 if not owner.isdigit() or not Path(f"/proc/{owner}").exists()]
        if stale:
            subprocess.run([*self.docker, "rm", "-f", *stale], capture_output=True)

    # -- one request --------------------------------------------------------------------------------

    def run(self, launch: Launch) -> Outcome:
        pool = self._pool()
        warm = pool.take()
        start = time.perf_counter()
        try:
            shutil.copytree(launch.job_dir, warm.job_dir, dirs_exist_ok=True)
            header = json.dumps({"script": launch.script, "control_len": len(launch.control),
                                 "timeout": launch.timeout}).encode() + b"\n"
            try:
                warm.proc.stdin.write(header + launch.control)
                warm.proc.stdin.flush()
            except BrokenPipeError:
                raise SandboxError("the sandbox container ended before its job was sent") from None
            return self._collect(warm, launch, start)
        finally:
            threading.Thread(target=warm.discard, args=(self.docker,), daemon=True).start()

    def _collect(self, warm: Warm, launch: Launch, start: float) -> Outcome:
        bufs = {b"o": bytearray(), b"e": bytearray(), b"r": bytearray()}
        # The launcher enforces the timeout itself; ours is the fallback for a container that hangs.
        deadline = start + launch.timeout + 5
        exit_info: dict | None = None
        while exit_info is None:
            try:
                tag, payload = _read_frame(warm.proc.stdout.fileno(), warm.buf, deadline)
            except (TimeoutError, EOFError):
                subprocess.run([*self.docker, "rm", "-f", warm.name], capture_output=True)
                break
            if tag == b"x":
                exit_info = json.loads(payload)
            elif tag in bufs and len(bufs[tag]) < launch.output_limit:
                bufs[tag] += payload[: launch.output_limit - len(bufs[tag])]
        if exit_info is None:  # the container died under us (the engine's OOM killer took the launcher?)
            exit_info = {"returncode": None, "timed_out": time.perf_counter() >= deadline, "oom_kills": 0}
            bufs[b"e"] += warm.proc.stderr.read1(4000) if warm.proc.poll() is not None else b""
        return Outcome(returncode=exit_info.get("returncode"), stdout=bytes(bufs[b"o"]), stderr=bytes(bufs[b"e"]),
                       report=bytes(bufs[b"r"]), timed_out=bool(exit_info.get("timed_out")),
                       duration_s=time.perf_counter() - start, oom_killed=exit_info.get("oom_kills", 0) > 0,
                       peak_memory=exit_info.get("peak"))


def _read_frame(fd: int, buf: bytearray, deadline: float) -> tuple[bytes, bytes]:
    """One `tag length payload` frame from the launcher (buf keeps what was read past it)."""
    while True:
        if len(buf) >= 5:
            (size,) = struct.unpack(">I", buf[1:5])
            if len(buf) >= 5 + size:
                tag, payload = bytes(buf[:1]), bytes(buf[5:5 + size])
                del buf[:5 + size]
                return tag, payload
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer from the sandbox container")
        if not select.select([fd], [], [], left)[0]:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            raise EOFError("the sandbox container closed its output")
        buf += chunk


register_backend("docker", DockerBackend)
