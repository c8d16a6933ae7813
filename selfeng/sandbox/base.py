"""The backend protocol, its errors and the name -> backend registry.

A backend knows how to start one isolated Python process; `SecureSandbox` decides what that process runs
and how to judge what comes back. Everything the process reports travels over two inherited pipes (see
`Launch`), so the tool's own stdout/stderr can never be mistaken for the harness's answer.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from selfeng.backends import Backends
from selfeng.config import Settings


class SandboxError(RuntimeError):
    """The sandbox itself is unusable (missing binary, setup failure). Never run unsandboxed instead."""


SHARED_ROOTS = (Path("/run/selfeng-sandbox"), Path("/tmp/selfeng-sandbox"))


def shared_folder(kind: str, files: dict[str, bytes], mode: int) -> Path:
    """A root-owned, read-only folder holding `files`, named by their content and shared by every run and
    every process: written once under a temporary name and renamed into place, so no run ever sees it
    half-written, and a process that loses the race just uses the winner's."""
    digest = hashlib.sha256(b"".join(k.encode() + b"\0" + v for k, v in sorted(files.items()))).hexdigest()[:12]
    for base in SHARED_ROOTS:
        target = base / f"{kind}-{digest}"
        if target.is_dir():
            return target
        try:
            base.mkdir(mode=0o755, parents=True, exist_ok=True)
            partial = base / f".{kind}-{digest}.partial-{os.getpid()}-{threading.get_ident()}"
            partial.mkdir(mode=0o755)
            for name, data in files.items():
                (partial / name).write_bytes(data)
                (partial / name).chmod(mode)
            try:
                partial.rename(target)
            except OSError:
                shutil.rmtree(partial, ignore_errors=True)  # another process won the race
            return target
        except OSError:
            continue
    raise SandboxError(f"cannot create the sandbox's {kind} folder under " + " or ".join(map(str, SHARED_ROOTS)))


class DataPathError(ValueError):
    """A user-named data path lies outside the files directory tools may read."""


@dataclass
class Launch:
    """One sandboxed run of `python -I -S -B <harness>/<script> --control-fd N --report-fd M ...`.

    `job_dir` is mounted read-only at the backend's `JOB_DIR` and becomes the working directory.
    `control` is written to the control pipe (read and closed by the harness before any tool code loads);
    the harness answers on the report pipe.
    """

    script: str
    job_dir: Path
    control: bytes
    timeout: float
    output_limit: int = 1 << 20  # bytes kept per stream; a print loop must not exhaust our memory
    # When the report pipe closes and this says the report is final, stop without waiting for the
    # sandbox's teardown (the harness has exited; its output is already in the pipes).
    report_final: Callable[[bytes], bool] | None = None


@dataclass
class Outcome:
    returncode: int | None          # negative: killed by that signal (as in subprocess)
    stdout: bytes
    stderr: bytes
    report: bytes                   # everything the harness wrote to the report pipe
    timed_out: bool
    duration_s: float
    oom_killed: bool = False        # the kernel killed a process for the run's memory bound
    peak_memory: int | None = None  # bytes, as the run's cgroup (or container) counted them


class Backend(Protocol):
    """Runs a `Launch` in isolation. Constructing one raises SandboxError when it cannot work here."""

    name: str
    JOB_DIR: str                     # where the job directory appears inside the sandbox
    hidden_paths: tuple[str, ...]    # paths that are invisible inside ("/": all but an allowlist) ...
    visible_paths: tuple[str, ...]   # ... except these, mounted inside

    def __init__(self, settings: Settings) -> None: ...

    def run(self, launch: Launch) -> Outcome: ...


BACKENDS: Backends[Backend] = Backends("sandbox backend", SandboxError)


def register_backend(name: str, factory: Callable[[Settings], Backend]) -> None:
    """Make a backend selectable with `SELFENG_SANDBOX=<name>`; built-ins register the same way."""
    BACKENDS.register(name, factory)


def create_backend(settings: Settings) -> Backend:
    return BACKENDS.create(settings.sandbox_backend, settings)


HARNESS_DIR = Path(__file__).resolve().parent
