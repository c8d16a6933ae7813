"""The in-process job runner: a FIFO queue with one worker (the single local model serialises requests).

Web handlers submit jobs and return at once, so a long synthesis never blocks other clients' sockets or
HTTP requests. Waiting jobs are told their place in line (`on_position`) when they join and each time the
line moves, so the page can show "queued, 2 ahead". Each job has an id the REST API can be polled with
(`get`), a client may hold at most `max_per_owner` waiting jobs, and `cancel_owner` drops a departed
client's waiting jobs and stops its running one at the next safe point (see `Job.checkpoint`).

`selfeng.broker.queue.BrokerQueue` has the same interface and sends jobs to Celery workers instead.
"""
from __future__ import annotations

import logging
import threading
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

log = logging.getLogger(__name__)

# Events sent *before* a stage starts: stopping there leaves nothing half-done (no tool half-registered,
# no execution run but not logged). A cancelled job stops at the first of these after the cancel.
SAFE_POINTS = frozenset({"planning_query", "searching", "entering_synthesis_mode", "executing", "workflow_step",
                         "workflow_step_executing", "synthesizing_response"})


class QueueFull(RuntimeError):
    """The queue already holds `max_waiting` jobs."""


class ClientLimit(QueueFull):
    """This client already has `max_per_owner` jobs waiting."""


class JobCancelled(BaseException):
    """Raised inside a running job whose client went away (a BaseException: `except Exception` in the
    pipeline, which keeps requests alive through observer bugs, must not swallow it)."""


def new_job_id() -> str:
    return uuid.uuid4().hex


@dataclass(eq=False)
class Job:
    """One unit of work. `run()` returns the result; `done` is set when it has finished (or was cancelled).

    `request` describes the work as data ({"kind": "socket"|"rest", "prompt", "session_id", "sid"}) for
    runners that execute it elsewhere (a broker's workers); the in-process queue calls `run` instead.
    """

    run: Optional[Callable[[], Any]] = None
    owner: Optional[str] = None                      # e.g. the Socket.IO sid, for cancel_owner()
    on_position: Optional[Callable[[int], None]] = None
    request: Optional[dict] = None
    id: str = field(default_factory=new_job_id)
    result: Any = None
    error: Optional[BaseException] = None
    cancelled: bool = False
    started: bool = False
    position: Optional[int] = None                   # jobs ahead while waiting (last announced); None once started
    cancel_requested: bool = False
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def status(self) -> str:
        if self.cancelled:
            return "cancelled"
        if self.done.is_set():
            return "failed" if self.error is not None else "done"
        return "running" if self.started else "waiting"

    def finished(self, timeout: float | None = None) -> bool:
        """Wait up to `timeout` seconds; True once the job has finished (or was cancelled)."""
        return self.done.wait(timeout)

    def wait(self, timeout: float | None = None) -> Any:
        """Block until finished; re-raise the job's exception, if any."""
        self.done.wait(timeout)
        if self.error is not None:
            raise self.error
        return self.result

    def checkpoint(self, event_type: str) -> None:
        """Called with each event the job emits: raises JobCancelled at a safe point once cancelled."""
        if self.cancel_requested and event_type in SAFE_POINTS:
            raise JobCancelled(self.id)


class JobQueue:
    """First in, first out; one job runs at a time on a daemon worker thread."""

    def __init__(self, max_waiting: int = 64, max_per_owner: int | None = None, keep_finished: int = 512,
                 name: str = "selfeng-jobs"):
        self.max_waiting = max_waiting
        self.max_per_owner = max_per_owner
        self.keep_finished = keep_finished
        self._waiting: deque[Job] = deque()
        self._running: Job | None = None
        self._jobs: OrderedDict[str, Job] = OrderedDict()   # by id, for polling; finished ones are trimmed
        self._finished: deque[str] = deque()
        self._cond = threading.Condition()
        self._closed = False
        self._worker = threading.Thread(target=self._loop, name=name, daemon=True)
        self._worker.start()

    def submit(self, job: Job) -> int:
        """Add a job. Returns how many jobs are ahead of it (0: it starts now). Raises QueueFull/ClientLimit."""
        with self._cond:
            if self._closed:
                raise RuntimeError("job queue is closed")
            if len(self._waiting) >= self.max_waiting:
                raise QueueFull(f"{len(self._waiting)} requests are already waiting; try again later")
            check_owner_limit(job, sum(1 for j in self._waiting if j.owner == job.owner), self.max_per_owner)
            ahead = len(self._waiting) + (1 if self._running is not None else 0)
            self._waiting.append(job)
            job.position = ahead
            self._jobs[job.id] = job
            self._cond.notify_all()
        if ahead:
            notify(job, ahead)
        return ahead

    def get(self, job_id: str) -> Job | None:
        with self._cond:
            return self._jobs.get(job_id)

    def position(self, job: Job) -> int | None:
        """Jobs ahead of a waiting job (the running one included); None once it has started."""
        with self._cond:
            try:
                return self._waiting.index(job) + (1 if self._running is not None else 0)
            except ValueError:
                return None

    def cancel_owner(self, owner: str) -> int:
        """Drop an owner's waiting jobs (its client went away) and stop its running job at the next safe
        point. Returns how many jobs were cancelled or asked to stop."""
        with self._cond:
            mine = [j for j in self._waiting if j.owner == owner]
            for j in mine:
                self._waiting.remove(j)
                j.cancelled = True
                self._retire(j)
                j.done.set()
            running = self._running if self._running is not None and self._running.owner == owner else None
            if running is not None:
                running.cancel_requested = True
            behind = list(self._waiting) if mine else []
            offset = 1 if self._running is not None else 0
        self._announce(behind, offset)
        return len(mine) + (1 if running is not None else 0)

    def snapshot(self) -> dict[str, int]:
        with self._cond:
            return {"running": 1 if self._running is not None else 0, "waiting": len(self._waiting)}

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._worker.join(timeout)

    def _retire(self, job: Job) -> None:
        # Under self._cond: finished jobs stay pollable until keep_finished newer ones have finished.
        self._finished.append(job.id)
        while len(self._finished) > self.keep_finished:
            self._jobs.pop(self._finished.popleft(), None)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._closed:
                    self._cond.wait()
                if self._closed and not self._waiting:
                    return
                job = self._waiting.popleft()
                self._running = job
                job.started = True
                job.position = None
                behind = list(self._waiting)
            # The line moved up by one: tell everyone still waiting their new place.
            self._announce(behind, 1)
            try:
                job.result = job.run()
            except JobCancelled:
                job.cancelled = True
            except BaseException as exc:  # noqa: BLE001 - the submitter decides what a failure means
                log.exception("job failed")
                job.error = exc
            finally:
                with self._cond:
                    self._running = None
                    self._retire(job)
                job.done.set()

    @staticmethod
    def _announce(waiting: list[Job], offset: int) -> None:
        # A position is the number of jobs ahead, the running one included; 0 means "starts next".
        for i, j in enumerate(waiting):
            j.position = i + offset
            if i + offset:
                notify(j, i + offset)


def check_owner_limit(job: Job, owner_waiting: int, limit: int | None) -> None:
    if job.owner is not None and limit is not None and owner_waiting >= limit:
        raise ClientLimit(f"you already have {owner_waiting} requests waiting (the limit per client is {limit}); "
                          "wait for one to finish")


def notify(job: Job, position: int) -> None:
    if job.on_position is None:
        return
    try:
        job.on_position(position)
    except Exception:  # noqa: BLE001 - a client's socket going away must not stop the queue
        log.exception("position callback failed")
