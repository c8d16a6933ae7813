"""A cgroup per sandbox run: one bound on memory (shared memory included), processes and CPU.

RLIMIT_AS counts each process on its own and not at all the pages of memfds or tmpfs files, so six
forked children or eighty memfds could each stay under it and together take gigabytes. A memory cgroup
charges every page the run touches, shmem included, to one budget; the kernel OOM-kills inside the
group when it is spent. cgroup v1 (this project's machines: memory, pids, cpu hierarchies) and v2
(one unified hierarchy) are both handled; the run's processes join it before bwrap starts (see
`join_command`), so no fork can escape. Groups live below a `selfeng-sandbox` group next to our own and
are named after the selfeng process, so groups of a selfeng that was killed are swept at start.
"""
from __future__ import annotations

import itertools
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

PARENT = "selfeng-sandbox"
_counter = itertools.count()


@dataclass
class Limits:
    memory_bytes: int
    pids: int
    cpus: float


def _mounts() -> tuple[dict[str, Path], Path | None]:
    """v1 controller -> mount point (only the ones we use), and the v2 mount point if any."""
    v1: dict[str, Path] = {}
    v2 = None
    with open("/proc/self/mountinfo") as f:
        for line in f:
            left, _, right = line.partition(" - ")
            fstype, _source, opts = (right.split() + ["", ""])[:3]
            mountpoint = Path(left.split()[4])
            if fstype == "cgroup":
                for opt in opts.split(","):
                    if opt in ("memory", "pids", "cpu") and opt not in v1:
                        v1[opt] = mountpoint
            elif fstype == "cgroup2" and v2 is None:
                v2 = mountpoint
    return v1, v2


def _own_paths() -> dict[str, str]:
    """Our cgroup path per v1 controller ('' key: the v2 path), from /proc/self/cgroup."""
    out = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                out[c] = path
    return out


def _write(path: Path, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


class RunGroup:
    """The cgroup(s) of one run. `procs_files` are what the launcher writes its pid into."""

    def __init__(self, dirs: list[Path], version: int) -> None:
        self.dirs = dirs
        self.version = version
        self.procs_files = [d / "cgroup.procs" for d in dirs]

    def _memory_dir(self) -> Path:
        return next(d for d in self.dirs if self.version == 2 or (d / "memory.limit_in_bytes").exists())

    def oom_kills(self) -> int:
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (self._memory_dir() / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, StopIteration, ValueError):
            pass
        return 0

    def peak_memory(self) -> int | None:
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self._memory_dir() / name).read_text())
        except (OSError, StopIteration, ValueError):
            return None

    def pids(self) -> list[int]:
        found: set[int] = set()
        for f in self.procs_files:
            try:
                found.update(int(p) for p in f.read_text().split())
            except OSError:
                pass
        return sorted(found)

    def destroy(self) -> None:
        """Kill whatever is left in the group and remove it."""
        if self.version == 2:
            try:
                _write(self.dirs[0] / "cgroup.kill", "1")
            except OSError:
                pass
        deadline = time.monotonic() + 5
        while True:
            left = self.pids()
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            removed = True
            for d in self.dirs:
                try:
                    d.rmdir()
                except FileNotFoundError:
                    pass
                except OSError:
                    removed = False  # still has (dying) members
            if removed or time.monotonic() > deadline:
                return
            time.sleep(0.005)


class Cgroups:
    """Where per-run groups are made. `Cgroups.detect()` returns None when we cannot make any."""

    def __init__(self, parents: list[Path], version: int) -> None:
        self.parents = parents
        self.version = version

    @classmethod
    def detect(cls) -> "Cgroups | None":
        try:
            v1, v2 = _mounts()
            own = _own_paths()
        except OSError:
            return None
        try:
            if {"memory", "pids"} <= v1.keys():
                parents = [v1[c] / own.get(c, "/").lstrip("/") / PARENT for c in sorted(v1)]
                for p in parents:
                    p.mkdir(exist_ok=True)
                return cls(parents, 1)
            if v2 is not None and {"memory", "pids"} <= set((v2 / "cgroup.controllers").read_text().split()):
                # v2 forbids controllers in a group that has processes of its own (ours does), so the
                # parent sits at the root of the hierarchy, where that rule does not apply.
                wanted = [c for c in ("memory", "pids", "cpu")
                          if c in (v2 / "cgroup.controllers").read_text().split()]
                _write(v2 / "cgroup.subtree_control", " ".join(f"+{c}" for c in wanted))
                parent = v2 / PARENT
                parent.mkdir(exist_ok=True)
                _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in wanted))
                return cls([parent], 2)
        except OSError:
            return None
        return None

    def create(self, limits: Limits) -> RunGroup:
        name = f"run-{os.getpid()}-{next(_counter)}"
        dirs = [p / name for p in self.parents]
        for d in dirs:
            d.mkdir()
        group = RunGroup(dirs, self.version)
        try:
            self._limit(group, limits)
        except OSError:
            group.destroy()
            raise
        return group

    def _limit(self, group: RunGroup, limits: Limits) -> None:
        period = 100_000
        for d in group.dirs:
            if self.version == 2:
                _write(d / "memory.max", str(limits.memory_bytes))
                if (d / "memory.swap.max").exists():
                    _write(d / "memory.swap.max", "0")
                _write(d / "pids.max", str(limits.pids))
                if (d / "cpu.max").exists():
                    _write(d / "cpu.max", f"{int(period * limits.cpus)} {period}")
            elif (d / "memory.limit_in_bytes").exists():
                _write(d / "memory.limit_in_bytes", str(limits.memory_bytes))
                if (d / "memory.memsw.limit_in_bytes").exists():  # swap accounting on: no swap either
                    _write(d / "memory.memsw.limit_in_bytes", str(limits.memory_bytes))
            elif (d / "pids.max").exists():
                _write(d / "pids.max", str(limits.pids))
            elif (d / "cpu.cfs_quota_us").exists():
                _write(d / "cpu.cfs_period_us", str(period))
                _write(d / "cpu.cfs_quota_us", str(int(period * limits.cpus)))

    def sweep_stale(self) -> None:
        """Remove groups left by selfeng processes that no longer exist (killed before cleaning up)."""
        for parent in self.parents:
            try:
                entries = list(parent.iterdir())
            except OSError:
                continue
            for d in entries:
                parts = d.name.split("-")
                if len(parts) == 3 and parts[0] == "run" and parts[1].isdigit() and d.is_dir():
                    if not Path(f"/proc/{parts[1]}").exists():
                        RunGroup([d], self.version).destroy()


def join_command(procs_files: list[Path], sh: str = "/bin/sh") -> list[str]:
    """A `sh` prefix that moves itself into the group, then execs the rest: nothing runs outside it."""
    script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'
    return [sh, "-c", script, "sh", *map(str, procs_files), "--"]
