"""A FIFO job queue with one worker: the single local model serialises requests.

Web handlers submit jobs and return at once, so a long synthesis never blocks other clients' sockets or
HTTP requests. Waiting jobs are told their place in line (`on_position`) when they join and each time the
line moves, so the page can show "queued, 2 ahead".
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

log = logging.getLogger(__name__)


class QueueFull(RuntimeError):
    """The queue already holds `max_waiting` jobs."""


@dataclass(eq=False)
class Job:
    """One unit of work. `run()` returns the result; `done` is set when it has finished (or was cancelled)."""

    run: Callable[[], Any]
    owner: Optional[str] = None                      # e.g. the Socket.IO sid, for cancel_owner()
    on_position: Optional[Callable[[int], None]] = None
    result: Any = None
    error: Optional[BaseException] = None
    cancelled: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float | None = None) -> Any:
        """Block until finished; re-raise the job's exception, if any."""
        self.done.wait(timeout)
        if self.error is not None:
            raise self.error
        return self.result


class JobQueue:
    """First in, first out; one job runs at a time on a daemon worker thread."""

    def __init__(self, max_waiting: int = 64, name: str = "selfeng-jobs"):
        self.max_waiting = max_waiting
        self._waiting: deque[Job] = deque()
        self._running: Job | None = None
        self._cond = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._loop, name=name, daemon=True)
        self._worker.start()

    def submit(self, job: Job) -> int:
        """Add a job. Returns how many jobs are ahead of it (0: it starts now). Raises QueueFull."""
        with self._cond:
            if self._closed:
                raise RuntimeError("job queue is closed")
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull(f"{len(self._waiting)} requests are already waiting; try again later")
            ahead = len(self._waiting) + (1 if self._running is not None else 0)
            self._waiting.append(job)
            self._cond.notify_all()
        if ahead:
            _notify(job, ahead)
        return ahead

    def cancel_owner(self, owner: str) -> int:
        """Drop an owner's waiting jobs (its client went away). The running job, if any, finishes."""
        with self._cond:
            mine = [j for j in self._waiting if j.owner == owner]
            for j in mine:
                self._waiting.remove(j)
                j.cancelled = True
                j.done.set()
            behind = list(self._waiting) if mine else []
            offset = 1 if self._running is not None else 0
        self._announce(behind, offset)
        return len(mine)

    def snapshot(self) -> dict[str, int]:
        with self._cond:
            return {"running": 1 if self._running is not None else 0, "waiting": len(self._waiting)}

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._worker.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._closed:
                    self._cond.wait()
                if self._closed and not self._waiting:
                    return
                job = self._waiting.popleft()
                self._running = job
                behind = list(self._waiting)
            # The line moved up by one: tell everyone still waiting their new place.
            self._announce(behind, 1)
            try:
                job.result = job.run()
            except BaseException as exc:  # noqa: BLE001 - the submitter decides what a failure means
                log.exception("job failed")
                job.error = exc
            finally:
                with self._cond:
                    self._running = None
                job.done.set()

    @staticmethod
    def _announce(waiting: list[Job], offset: int) -> None:
        # A position is the number of jobs ahead, the running one included; 0 means "starts next".
        for i, j in enumerate(waiting):
            if i + offset:
                _notify(j, i + offset)


def _notify(job: Job, position: int) -> None:
    if job.on_position is None:
        return
    try:
        job.on_position(position)
    except Exception:  # noqa: BLE001 - a client's socket going away must not stop the queue
        log.exception("position callback failed")
