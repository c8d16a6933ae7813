"""Bubblewrap backend: namespaces from bwrap, then setpriv (drop to nobody) and prlimit (rlimits).

We run as root, so bwrap is used *without* a user namespace: `--unshare-user --uid 65534` by root is still
host root (it can read /root and ignores RLIMIT_NPROC). Instead setpriv switches the real uid to 65534,
clears groups, capabilities and the bounding set, and sets no_new_privs; prlimit then caps memory, CPU,
processes and file size. One exec chain, one interpreter: bwrap -> setpriv -> prlimit -> python.
"""
from __future__ import annotations

import os
import selectors
import shutil
import site
import signal
import subprocess
import sys
import time
from pathlib import Path

from selfeng.config import Settings

from .base import HARNESS_DIR, Launch, Outcome, SandboxError, register_backend

NOBODY = 65534
# Where the helper binaries are looked up: PATH plus the standard system directories.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/bin", "/usr/sbin", "/sbin"])
_INSIDE = "/tmp/selfeng"
_INSTALL_HINT = {
    "bwrap": "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)",
    "setpriv": "install util-linux's setpriv (Debian/Ubuntu: apt-get install util-linux)",
    "prlimit": "install util-linux's prlimit (Debian/Ubuntu: apt-get install util-linux)",
}


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


class BwrapBackend:
    name = "bwrap"
    JOB_DIR = f"{_INSIDE}/job"
    HARNESS = f"{_INSIDE}/harness"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bins = {}
        for tool in ("bwrap", "setpriv", "prlimit"):
            found = shutil.which(tool, path=SEARCH_PATH)
            if not found:
                raise SandboxError(f"sandbox backend 'bwrap' needs {tool!r}, which is not on PATH: "
                                   f"{_INSTALL_HINT[tool]}. selfeng never runs generated code unsandboxed.")
            self.bins[tool] = found
        if os.geteuid() != 0 and not self._setuid(self.bins["bwrap"]):
            # Without root, bwrap must take a user namespace, where setpriv cannot switch uids.
            raise SandboxError("the bwrap backend must run as root (or with a setuid bwrap) so the sandbox "
                               "can drop to uid 65534 with enforced process limits")
        self.python = sys.executable
        # `python -S` skips site's .pth processing (~5 ms per start); the harness appends these instead,
        # so installed packages (numpy, pytest) stay importable.
        self._site_packages = os.pathsep.join(p for p in site.getsitepackages() if os.path.isdir(p))
        self.hidden_paths: tuple[str, ...] = ()
        self.visible_paths: tuple[str, ...] = ()
        self._build_prefix()

    @staticmethod
    def _setuid(path: str) -> bool:
        return bool(os.stat(path).st_mode & 0o4000)

    # -- command line -------------------------------------------------------------------------------

    def _build_prefix(self) -> tuple[list[str], list[str]]:
        """The mounts and the exec chain, from the current settings (cheap: rebuilt for every run)."""
        s = self.settings
        s.files_dir.mkdir(parents=True, exist_ok=True)
        home = Path.home().resolve()
        args = [self.bins["bwrap"],
                "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup",
                "--hostname", "sandbox", "--die-with-parent", "--new-session",
                "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(s.sandbox_tmp_mb << 20), "--tmpfs", "/tmp"]
        hidden = [Path("/tmp")]
        made: set[Path] = set()
        visible: list[Path] = []

        def hide(p: Path) -> None:
            if any(_under(p, h) for h in hidden) or not p.exists():
                return  # already invisible, or nothing there to hide
            args.extend(["--perms", "0755", "--tmpfs", str(p)])  # empty, yet traversable for binds back
            hidden.append(p)

        def bind_back(src: Path, dest: Path | None = None) -> None:
            dest = dest or src
            root = next((h for h in hidden if _under(dest, h)), None)
            if root is not None:
                # bwrap would create missing parents as 0700, which uid 65534 cannot traverse.
                for parent in reversed(dest.parents):
                    if root in parent.parents and parent not in made:
                        args.extend(["--perms", "0755", "--dir", str(parent)])
                        made.add(parent)
            args.extend(["--ro-bind", str(src), str(dest)])
            visible.append(dest)

        for p in {home, Path("/root")}:
            hide(p)
        # The interpreter: the venv and the installation it points to (may live under a hidden home).
        pythons = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
                   Path(os.path.realpath(self.python)).parent.parent}
        for p in sorted(pythons):
            if any(_under(p, h) for h in hidden):
                bind_back(p)
        for p in (s.data_dir, s.cache_dir):
            hide(Path(p).resolve())
        bind_back(s.files_dir.resolve())
        bind_back(HARNESS_DIR, Path(self.HARNESS))
        self._hide_env_file(args, hidden)
        # For telling "isolation hid it" from "it does not exist" (host /tmp is ambiguous: left out).
        secret = {*(h for h in hidden if h != Path("/tmp")),
                  Path(s.data_dir).resolve(), Path(s.cache_dir).resolve()}
        self.hidden_paths = tuple(sorted(str(h) for h in secret))
        self.visible_paths = tuple(str(v) for v in visible)

        mounts, args = args, ["--chdir", self.JOB_DIR, "--clearenv"]
        env = {"PATH": f"{Path(self.python).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp",
               "TMPDIR": "/tmp", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
               # BLAS thread pools reserve address space per thread; under RLIMIT_AS that breaks numpy.
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        for k, v in env.items():
            args += ["--setenv", k, v]
        args += ["--", self.bins["setpriv"], f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                 self.bins["prlimit"], f"--as={s.sandbox_memory_mb << 20}",
                 f"--cpu={s.sandbox_cpu_seconds}:{s.sandbox_cpu_seconds + 1}",
                 f"--nproc={s.sandbox_nproc}", f"--fsize={s.sandbox_fsize_mb << 20}", "--core=0",
                 "--", self.python, "-I", "-S", "-B"]
        return mounts, args

    @staticmethod
    def _hide_env_file(args: list[str], hidden: list[Path]) -> None:
        """The `.env` that load_settings reads may hold API keys; a tool must not read it.

        /dev/null is bound over it; bwrap's binds are nodev, so opening it fails with EACCES."""
        candidate = Path(os.environ.get("SELFENG_ENV_FILE") or ".env").resolve()
        if candidate.is_file() and not any(_under(candidate, h) for h in hidden):
            args.extend(["--ro-bind", "/dev/null", str(candidate)])

    def command(self, launch: Launch, control_fd: int, report_fd: int) -> list[str]:
        mounts, exec_chain = self._build_prefix()
        return [*mounts, "--ro-bind", str(launch.job_dir), self.JOB_DIR, *exec_chain,
                f"{self.HARNESS}/{launch.script}", "--control-fd", str(control_fd),
                "--report-fd", str(report_fd), "--site-packages", self._site_packages]

    # -- running ------------------------------------------------------------------------------------

    def run(self, launch: Launch) -> Outcome:
        # Job files must be readable by uid 65534; the mount itself is read-only.
        os.chmod(launch.job_dir, 0o755)
        control_r, control_w = os.pipe()
        report_r, report_w = os.pipe()
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(self.command(launch, control_r, report_w), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    pass_fds=(control_r, report_w), start_new_session=True)
        except OSError as exc:
            for fd in (control_r, control_w, report_r, report_w):
                os.close(fd)
            raise SandboxError(f"could not start bwrap: {exc}") from exc
        os.close(control_r)
        os.close(report_w)
        try:
            streams, timed_out = self._pump(proc, control_w, report_r, launch, start)
        finally:
            self._kill(proc)
        return Outcome(returncode=self._returncode(proc.returncode), stdout=streams["stdout"],
                       stderr=streams["stderr"], report=streams["report"], timed_out=timed_out,
                       duration_s=time.perf_counter() - start)

    @staticmethod
    def _returncode(rc: int | None) -> int | None:
        """bwrap reports a child killed by signal N as exit code 128+N; use subprocess's -N convention."""
        if rc is not None and 128 < rc < 128 + signal.NSIG:
            return -(rc - 128)
        return rc

    @staticmethod
    def _pump(proc: subprocess.Popen, control_w: int, report_r: int, launch: Launch,
              start: float) -> tuple[dict[str, bytes], bool]:
        """Feed the control pipe and drain stdout/stderr/report until all close or the wall timeout."""
        deadline = start + launch.timeout
        bufs = {"stdout": bytearray(), "stderr": bytearray(), "report": bytearray()}
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
        sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
        sel.register(report_r, selectors.EVENT_READ, "report")
        pending = memoryview(launch.control)
        os.set_blocking(control_w, False)
        if pending:
            sel.register(control_w, selectors.EVENT_WRITE, "control")
        else:
            os.close(control_w)
        open_readers = 3
        timed_out = False
        buf_r = bufs["report"]
        try:
            while open_readers:
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    timed_out = True
                    break
                for key, _ in sel.select(remaining):
                    if key.data == "control":
                        try:
                            pending = pending[os.write(control_w, pending):]
                        except BrokenPipeError:
                            pending = pending[:0]
                        if not pending:
                            sel.unregister(control_w)
                            os.close(control_w)
                        continue
                    fd = key.fd
                    chunk = os.read(fd, 65536)
                    if not chunk:
                        sel.unregister(key.fileobj)
                        open_readers -= 1
                        if key.data == "report" and launch.report_final and launch.report_final(bytes(buf_r)):
                            BwrapBackend._drain(sel, bufs, launch.output_limit)
                            return {k: bytes(v) for k, v in bufs.items()}, False
                        continue
                    buf = bufs[key.data]
                    if len(buf) < launch.output_limit:
                        buf += chunk[: launch.output_limit - len(buf)]
            if not timed_out:
                try:
                    proc.wait(max(0.0, deadline - time.perf_counter()))
                except subprocess.TimeoutExpired:
                    timed_out = True
        finally:
            for key in list(sel.get_map().values()):
                if key.data == "control":
                    os.close(control_w)
            sel.close()
            os.close(report_r)
        return {k: bytes(v) for k, v in bufs.items()}, timed_out

    @staticmethod
    def _drain(sel: selectors.BaseSelector, bufs: dict[str, bytearray], limit: int) -> None:
        """Read whatever the other pipes already hold, without waiting for them to close."""
        for key in list(sel.get_map().values()):
            if key.data not in bufs:
                continue
            os.set_blocking(key.fd, False)
            try:
                while chunk := os.read(key.fd, 65536):
                    buf = bufs[key.data]
                    if len(buf) < limit:
                        buf += chunk[: limit - len(buf)]
            except BlockingIOError:
                pass

    @staticmethod
    def _kill(proc: subprocess.Popen) -> None:
        """Kill bwrap's process group; its pid-namespace init dies with it and takes every child along."""
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()


register_backend("bwrap", BwrapBackend)
