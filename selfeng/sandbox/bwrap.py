"""Bubblewrap backend: namespaces and an allowlist of mounts from bwrap, then setpriv and prlimit.

We run as root, so bwrap is used *without* a user namespace: `--unshare-user --uid N` by root is still
host root (it can read /root and ignores RLIMIT_NPROC). Instead setpriv switches to a uid leased for
this run alone (see uids.py), clears groups, capabilities and the bounding set, and sets no_new_privs;
prlimit then caps per-process address space, CPU, processes, open files and file size. Around it all,
a per-run cgroup bounds the run's total memory (shared memory included), processes and CPU, and a
seccomp filter (seccomp.py) refuses namespaces, mounts, ptrace, bpf, io_uring and friends.
One exec chain, one interpreter: sh (joins the cgroup) -> setpriv (dies with us) -> bwrap -> setpriv
-> prlimit -> python.

Mounts are an allowlist: /usr, the /lib*, /bin, /sbin links, a minimal /etc, the Python runtime, the
harness, the user data folder and the job; /proc, /dev and a private /tmp are fresh. Nothing else of
the host (/home, /root, /run, /var, /srv, /opt, /mnt, host /tmp, its sockets) exists inside.
"""
from __future__ import annotations

import logging
import os
import selectors
import shutil
import signal
import site
import subprocess
import sys
import threading
import time
from pathlib import Path

from selfeng.config import Settings

from .base import HARNESS_DIR, Launch, Outcome, SandboxError, register_backend, shared_folder
from .cgroups import Cgroups, Limits, join_command
from .seccomp import filter_bpf
from .uids import UidLease

log = logging.getLogger(__name__)

# Where the helper binaries are looked up: PATH plus the standard system directories.
SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin", "/bin", "/usr/sbin", "/sbin"])
NOFILE = 64           # open files per process: plenty for pytest, few for fd-hoarding tricks
CPUS = 1.0            # CPU quota of one run's cgroup
_INSIDE = "/tmp/selfeng"
_INSTALL_HINT = {
    "bwrap": "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)",
    "setpriv": "install util-linux's setpriv (Debian/Ubuntu: apt-get install util-linux)",
    "prlimit": "install util-linux's prlimit (Debian/Ubuntu: apt-get install util-linux)",
    "sh": "install a POSIX shell (Debian/Ubuntu: apt-get install dash)",
}
# Host /etc files a Python process may need (dynamic linker cache, time zone); the rest is synthetic.
_HOST_ETC = ("ld.so.cache", "localtime")
_SYNTHETIC_ETC = {
    "passwd": "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
              "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
    "group": "root:x:0:\nnogroup:x:65534:\n",
    "hosts": "127.0.0.1 localhost sandbox\n::1 localhost\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files\n",
}


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _synthetic_etc() -> Path:
    """The synthetic /etc files, in one root-owned folder shared by every run."""
    return shared_folder("etc", {k: v.encode() for k, v in _SYNTHETIC_ETC.items()}, 0o644)


def _teardown(group, lease: UidLease) -> None:
    try:
        if group is not None:
            group.destroy()  # also kills anything that outlived bwrap's pid namespace
    finally:
        lease.release()


class BwrapBackend:
    name = "bwrap"
    JOB_DIR = f"{_INSIDE}/job"
    HARNESS = f"{_INSIDE}/harness"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bins = {}
        for tool in ("bwrap", "setpriv", "prlimit", "sh"):
            found = shutil.which(tool, path=SEARCH_PATH)
            if not found:
                raise SandboxError(f"sandbox backend 'bwrap' needs {tool!r}, which is not on PATH: "
                                   f"{_INSTALL_HINT[tool]}. selfeng never runs generated code unsandboxed.")
            self.bins[tool] = found
        if os.geteuid() != 0:
            # Without root, bwrap must take a user namespace, where setpriv cannot switch uids, and no
            # cgroup can be made: the bounds this backend promises would not hold.
            raise SandboxError("the bwrap backend must run as root so the sandbox can drop to a uid of its "
                               "own, with a cgroup bounding its memory and processes")
        self.python = sys.executable
        # `python -S` skips site's .pth processing (~5 ms per start); the harness appends these instead,
        # so installed packages (numpy, pytest) stay importable.
        self._site_packages = os.pathsep.join(p for p in site.getsitepackages() if os.path.isdir(p))
        self.seccomp = filter_bpf()
        self.etc = _synthetic_etc()
        self.cgroups = Cgroups.detect()
        if self.cgroups is None:
            log.warning("no writable cgroup hierarchy: the sandbox's memory bound is per process "
                        "(RLIMIT_AS) only, and shared memory is not bounded beyond /tmp's size")
        else:
            self.cgroups.sweep_stale()
        self.hidden_paths: tuple[str, ...] = ()
        self.visible_paths: tuple[str, ...] = ()
        self._build_prefix(0)

    # -- command line -------------------------------------------------------------------------------

    def _build_prefix(self, uid: int) -> tuple[list[str], list[str]]:
        """The mounts and the exec chain, from the current settings (cheap: rebuilt for every run)."""
        s = self.settings
        s.files_dir.mkdir(parents=True, exist_ok=True)
        args = [self.bins["bwrap"],
                "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup",
                "--hostname", "sandbox", "--die-with-parent", "--new-session",
                "--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(s.sandbox_tmp_mb << 20), "--tmpfs", "/tmp"]
        visible = [Path("/usr"), Path("/proc"), Path("/dev"), Path("/tmp")]
        made: set[Path] = {Path("/"), Path("/usr"), Path("/tmp")}

        def bind(src: Path, dest: Path | None = None) -> None:
            dest = dest or src
            if any(_under(dest, v) and v not in (Path("/tmp"),) for v in visible):
                return  # already visible through a bind above it
            # bwrap would create missing parents as 0700, which the sandbox's uid cannot traverse.
            for parent in reversed(dest.parents):
                if parent not in made:
                    args.extend(["--perms", "0755", "--dir", str(parent)])
                    made.add(parent)
            args.extend(["--ro-bind", str(src), str(dest)])
            made.add(dest)
            visible.append(dest)

        for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            p = Path(top)
            if p.is_symlink():  # merged /usr: keep the link, its target is already bound
                args.extend(["--symlink", os.readlink(p), top])
            elif p.is_dir():
                bind(p)
        args.extend(["--perms", "0755", "--dir", "/etc"])
        made.add(Path("/etc"))
        for name in _HOST_ETC:
            if Path("/etc", name).exists():
                args.extend(["--ro-bind", str(Path("/etc", name).resolve()), f"/etc/{name}"])
        for name in _SYNTHETIC_ETC:
            args.extend(["--ro-bind", str(self.etc / name), f"/etc/{name}"])
        # The interpreter: the venv and the installation it points to (wherever they live).
        for p in sorted({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
                         Path(os.path.realpath(self.python)).parent.parent}):
            bind(p)
        bind(s.files_dir.resolve())
        args.extend(["--perms", "0755", "--dir", _INSIDE, "--ro-bind", str(HARNESS_DIR), self.HARNESS])
        self._hide_env_file(args, visible)
        self.visible_paths = tuple(str(v) for v in visible)
        # Host folders that hold secrets and may lie below a visible path (a data folder under /tmp).
        self.hidden_paths = ("/", *sorted({str(Path(p).resolve()) for p in (s.data_dir, s.cache_dir)}))

        mounts, args = args, ["--chdir", self.JOB_DIR, "--clearenv"]
        env = {"PATH": f"{Path(self.python).parent}:/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp",
               "TMPDIR": "/tmp", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
               "USER": "sandbox", "LOGNAME": "sandbox",
               # BLAS thread pools reserve address space per thread; under RLIMIT_AS that breaks numpy.
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        for k, v in env.items():
            args += ["--setenv", k, v]
        args += ["--", self.bins["setpriv"], f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
                 self.bins["prlimit"], f"--as={s.sandbox_memory_mb << 20}",
                 f"--cpu={s.sandbox_cpu_seconds}:{s.sandbox_cpu_seconds + 1}",
                 f"--nproc={s.sandbox_nproc}", f"--fsize={s.sandbox_fsize_mb << 20}", "--core=0",
                 f"--nofile={NOFILE}",
                 "--", self.python, "-I", "-S", "-B"]
        return mounts, args

    @staticmethod
    def _hide_env_file(args: list[str], visible: list[Path]) -> None:
        """The `.env` that load_settings reads may hold API keys; a tool must not read it.

        It is outside every mount unless it sits in a bound folder; then /dev/null covers it (bwrap's
        binds are nodev, so opening it fails with EACCES)."""
        candidate = Path(os.environ.get("SELFENG_ENV_FILE") or ".env").resolve()
        if candidate.is_file() and any(_under(candidate, v) for v in visible):
            args.extend(["--ro-bind", "/dev/null", str(candidate)])

    def command(self, launch: Launch, control_fd: int, report_fd: int, seccomp_fd: int,
                uid: int) -> list[str]:
        mounts, exec_chain = self._build_prefix(uid)
        return [*mounts, "--ro-bind", str(launch.job_dir), self.JOB_DIR, "--seccomp", str(seccomp_fd),
                *exec_chain, f"{self.HARNESS}/{launch.script}", "--control-fd", str(control_fd),
                "--report-fd", str(report_fd), "--site-packages", self._site_packages]

    # -- running ------------------------------------------------------------------------------------

    def run(self, launch: Launch) -> Outcome:
        # Job files must be readable by the run's uid; the mount itself is read-only.
        os.chmod(launch.job_dir, 0o755)
        s = self.settings
        lease = UidLease()
        group = None
        try:
            if self.cgroups is not None:
                group = self.cgroups.create(Limits(memory_bytes=s.sandbox_memory_mb << 20,
                                                   pids=s.sandbox_nproc, cpus=CPUS))
            return self._run(launch, lease.uid, group)
        except OSError as exc:
            raise SandboxError(f"could not set up the sandbox: {exc}") from exc
        finally:
            # The pid namespace is being torn down by the kernel; waiting for it to empty takes a few
            # ms, off the request's path. Only then is the uid free for another run.
            threading.Thread(target=_teardown, args=(group, lease), daemon=True).start()

    def _run(self, launch: Launch, uid: int, group) -> Outcome:
        control_r, control_w = os.pipe()
        report_r, report_w = os.pipe()
        seccomp_fd = os.memfd_create("selfeng-seccomp")
        os.write(seccomp_fd, self.seccomp)
        os.lseek(seccomp_fd, 0, os.SEEK_SET)
        prefix = join_command(group.procs_files, self.bins["sh"]) if group is not None else []
        # If selfeng itself is killed, bwrap dies too (and with it the sandbox: --die-with-parent).
        prefix += [self.bins["setpriv"], "--pdeathsig", "KILL", "--"]
        start = time.perf_counter()
        try:
            proc = subprocess.Popen([*prefix, *self.command(launch, control_r, report_w, seccomp_fd, uid)],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    pass_fds=(control_r, report_w, seccomp_fd), start_new_session=True)
        except OSError as exc:
            for fd in (control_r, control_w, report_r, report_w):
                os.close(fd)
            raise SandboxError(f"could not start bwrap: {exc}") from exc
        finally:
            os.close(seccomp_fd)
        os.close(control_r)
        os.close(report_w)
        try:
            streams, timed_out = self._pump(proc, control_w, report_r, launch, start)
        finally:
            self._kill(proc)
        oom = group is not None and group.oom_kills() > 0
        return Outcome(returncode=self._returncode(proc.returncode), stdout=streams["stdout"],
                       stderr=streams["stderr"], report=streams["report"], timed_out=timed_out,
                       duration_s=time.perf_counter() - start, oom_killed=oom,
                       peak_memory=group.peak_memory() if group is not None else None)

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
