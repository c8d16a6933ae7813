"""Per-run uids from a reserved range: no two sandboxes, and no host process, share a uid.

A shared uid (65534, "nobody") means a shared RLIMIT_NPROC budget and the right to signal, ptrace or
read /proc of every other process of that uid, concurrent sandboxes included. Each run instead leases
a uid of its own, held by an flock on a lock file so that concurrent selfeng processes agree. The range
lies above what distributions hand out (regular and system users < 60000, systemd's dynamic users
61184-65519, container subordinate ranges usually 100000 + k*65536 below 2^31 - 2^27).
"""
from __future__ import annotations

import fcntl
import os
import random
from pathlib import Path

UID_BASE = 2_100_000_000
UID_COUNT = 4096
_LOCK_DIRS = (Path("/run/selfeng-sandbox/uids"), Path("/tmp/selfeng-sandbox-uids"))


def _lock_dir() -> Path:
    for d in _LOCK_DIRS:
        try:
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
            if os.access(d, os.W_OK):
                return d
        except OSError:
            continue
    raise OSError("no writable directory for the sandbox's uid leases")


class UidLease:
    """One uid (used as the gid too) for the lifetime of one sandbox; `release()` frees it."""

    def __init__(self) -> None:
        directory = _lock_dir()
        start = random.randrange(UID_COUNT)  # spread concurrent callers over the range
        for i in range(UID_COUNT):
            slot = (start + i) % UID_COUNT
            fd = os.open(directory / str(slot), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.uid = UID_BASE + slot
            self._fd: int | None = fd
            return
        raise OSError(f"all {UID_COUNT} sandbox uids are in use")

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None

    def __enter__(self) -> "UidLease":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def in_range(uid: int) -> bool:
    return UID_BASE <= uid < UID_BASE + UID_COUNT
