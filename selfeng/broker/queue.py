"""The web front's job runner when SELFENG_BROKER_URL is set: `JobQueue`'s interface over Celery.

`submit` records the job and sends it to the workers. One watcher thread follows the job channel: it
forwards each job's events to the client that asked (straight to the socket this front holds, in the order
the worker sent them), tells waiting clients their place in line, and when a job's record says it is done
sends `query_complete` and `session_memory` from the stored result. It also re-reads the records of its
unfinished jobs every second, so a pub/sub message lost in a broker restart delays an answer by a second
but never loses it.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import redis
from flask_socketio import SocketIO

from ..config import Settings
from ..web.dispatch import complete_payload, failure_result, send_conclusion
from ..web.jobs import ClientLimit, Job, QueueFull, check_owner_limit, notify
from . import QUEUE, TASK
from .records import CHANNEL, JobRecords, connect

log = logging.getLogger(__name__)
RESYNC_SECONDS = 1.0
SUBMIT_RETRY_SECONDS = 15.0


class BrokerUnavailable(QueueFull):
    """The broker cannot be reached: the request was not queued."""


class BrokerQueue:
    def __init__(self, settings: Settings, socketio: SocketIO, *, max_waiting: int = 64,
                 max_per_owner: int | None = None, orchestrator=None):
        from .worker import make_celery
        self.url = settings.broker_url
        self.socketio = socketio
        self.max_waiting = max_waiting
        self.max_per_owner = max_per_owner
        self.orchestrator = orchestrator            # the front's own, for session messages and tool counts
        self.records = JobRecords(connect(self.url))
        self.celery = make_celery(self.url)
        self._jobs: dict[str, Job] = {}             # this front's unfinished jobs
        self._submitting: dict[str, Job] = {}       # being recorded and sent
        self._finished: dict[str, Job] = {}         # and recently finished ones, for polling
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="selfeng-broker-watch", daemon=True)
        self._watcher.start()

    # -- JobQueue's interface ------------------------------------------------------------------------
    def submit(self, job: Job) -> int:
        if self._closed.is_set():
            raise RuntimeError("job queue is closed")
        with self._lock:
            mine = sum(1 for j in [*self._jobs.values(), *self._submitting.values()]
                       if j.owner == job.owner and not j.started)
            check_owner_limit(job, mine, self.max_per_owner)
            self._submitting[job.id] = job  # counted against the cap; the watcher ignores it until recorded
        req = dict(job.request or {})
        deadline = time.monotonic() + SUBMIT_RETRY_SECONDS
        while True:
            try:
                ahead = self._record_and_send(job, req)
                break
            except (QueueFull, ClientLimit):
                self._drop(job)
                raise
            except Exception as exc:  # noqa: BLE001 - redis or kombu errors: the broker is away
                if time.monotonic() < deadline and not self._closed.is_set():
                    time.sleep(0.5)  # a restarting broker is back within seconds: wait rather than refuse
                    continue
                self._drop(job)
                log.warning("could not queue a request: %s", exc)
                raise BrokerUnavailable(f"the job queue is unreachable right now ({type(exc).__name__}); "
                                        "try again shortly") from exc
        if ahead:
            notify(job, ahead)
        return ahead

    def _record_and_send(self, job: Job, req: dict) -> int:
        """Record the job and send its message (one attempt; `submit` retries)."""
        if self.records.counts()["waiting"] >= self.max_waiting:
            raise QueueFull(f"{self.max_waiting} requests are already waiting; try again later")
        ahead = self.records.create(job.id, {"kind": req.get("kind"), "sid": req.get("sid"),
                                             "owner": job.owner, "session_id": req.get("session_id"),
                                             "prompt": (req.get("prompt") or "")[:200]})
        job.position = ahead
        with self._lock:
            self._jobs[job.id] = self._submitting.pop(job.id)
        try:
            self.celery.send_task(TASK, kwargs={"job_id": job.id, "kind": req.get("kind", "rest"),
                                                "prompt": req.get("prompt"),
                                                "session_id": req.get("session_id"), "sid": req.get("sid")},
                                  task_id=job.id, queue=QUEUE)
        except Exception:
            with self._lock:  # not sent: back to "being submitted" until a retry records it again
                self._submitting[job.id] = self._jobs.pop(job.id, job)
            try:
                self.records.forget(job.id)
            except Exception:  # noqa: BLE001 - the broker is away; the retry overwrites the record
                pass
            raise
        return ahead

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id) or self._finished.get(job_id)
        if job is not None:
            return job
        try:  # submitted through another front, or before this one restarted
            record = self.records.get(job_id)
        except redis.RedisError:
            return None
        if not record:
            return None
        job = Job(id=job_id, owner=record.get("owner") or None)
        self._apply(job, record.get("state"), record.get("result"))
        if not job.done.is_set() and record.get("state") == "waiting":
            job.position = self.records.positions([job_id])[job_id]
        return job

    def cancel_owner(self, owner: str) -> int:
        with self._lock:
            mine = [j for j in self._jobs.values() if j.owner == owner and not j.done.is_set()]
        n = 0
        for job in mine:
            job.cancel_requested = True
            try:
                if self.records.cancel(job.id):
                    self._settle(job, cancelled=True)
                n += 1
            except redis.RedisError:
                log.warning("could not cancel job %s (broker away)", job.id)
        return n

    def snapshot(self) -> dict[str, Any]:
        try:
            return {**self.records.counts(), "broker": "ok"}
        except redis.RedisError:
            return {"running": 0, "waiting": 0, "broker": "unreachable"}

    def close(self, timeout: float = 5.0) -> None:
        self._closed.set()
        self._watcher.join(timeout)

    # -- the watcher ---------------------------------------------------------------------------------
    def _watch(self) -> None:
        while not self._closed.is_set():
            pubsub = None
            try:
                pubsub = self.records.r.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                self._resync()
                last = time.monotonic()
                while not self._closed.is_set():
                    message = pubsub.get_message(timeout=RESYNC_SECONDS)
                    if message is not None and message.get("type") == "message":
                        self._on_message(json.loads(message["data"]))
                    if time.monotonic() - last >= RESYNC_SECONDS:
                        self._resync()
                        last = time.monotonic()
            except redis.RedisError as exc:
                log.warning("job channel lost (%s); reconnecting", exc)
                self._closed.wait(0.5)
            except Exception:  # noqa: BLE001 - the watcher must outlive any one bad message
                log.exception("job watcher error")
                self._closed.wait(0.5)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: BLE001
                        pass

    def _on_message(self, msg: dict) -> None:
        job = self._jobs.get(msg.get("job", ""))
        if job is None:
            if "state" in msg:
                self._announce_positions()
            return
        if "event" in msg:
            if not job.done.is_set() and not job.cancel_requested and msg.get("sid"):
                self._emit(msg["event"], msg.get("payload") or {}, msg["sid"])
            return
        state = msg.get("state")
        if state == "running":
            job.started = True
            job.position = None
        else:
            record = self.records.get(job.id)
            self._apply(job, record.get("state"), record.get("result"), conclude=True)
        self._announce_positions()

    def _resync(self) -> None:
        with self._lock:
            jobs = [j for j in self._jobs.values() if not j.done.is_set()]
        if not jobs:
            return
        for job, rec in zip(jobs, self.records.states([j.id for j in jobs])):
            self._apply(job, rec["state"], rec["result"], conclude=True)
        self._announce_positions()

    def _announce_positions(self) -> None:
        with self._lock:
            waiting = [j for j in self._jobs.values() if not j.started and not j.done.is_set()]
        if not waiting:
            return
        for job in waiting:
            pos = self.records.positions([job.id])[job.id]
            if pos is not None and pos != job.position:
                job.position = pos
                if pos:
                    notify(job, pos)

    def _apply(self, job: Job, state: str | None, result_json: str | None, conclude: bool = False) -> None:
        """Bring a local job up to its record's state; conclude it (send the answer) when it is done."""
        if state == "running":
            job.started = True
            job.position = None
        elif state == "cancelled":
            self._settle(job, cancelled=True)
        elif state == "done" and not job.done.is_set():
            job.started = True
            try:
                job.result = json.loads(result_json) if result_json else failure_result(
                    "the job finished without a result", None, "job_failed")
            except ValueError:
                job.result = failure_result("the job's result could not be read", None, "job_failed")
            if conclude and job.request and job.request.get("kind") == "socket" and not job.cancel_requested:
                self._conclude(job)
            self._settle(job)
        elif state is None and not job.done.is_set() and conclude:
            # The record is gone (expired, or the broker lost its data): say so instead of waiting forever.
            job.result = failure_result("the job was lost by the queue; please ask again", None, "job_lost")
            if job.request and job.request.get("kind") == "socket":
                self._conclude(job)
            self._settle(job)

    def _conclude(self, job: Job) -> None:
        sid = job.request.get("sid")
        send = lambda event, payload: self._emit(event, payload, sid)  # noqa: E731
        if self.orchestrator is None:
            send("query_complete", complete_payload(job.result, job.id))
        else:
            send_conclusion(self.orchestrator, send, job.result, job.id)
        self._broadcast_tool_count()

    def _broadcast_tool_count(self) -> None:
        if self.orchestrator is None:
            return
        try:
            self.socketio.emit("tool_count", {"count": self.orchestrator.registry.count_tools()})
        except Exception:  # noqa: BLE001 - e.g. the database is away
            log.warning("could not broadcast the tool count", exc_info=True)

    def _emit(self, event: str, payload: dict, sid: str) -> None:
        # This front holds the client's socket: straight to it, not round the message queue.
        try:
            self.socketio.emit(event, payload, to=sid, ignore_queue=True)
        except Exception:  # noqa: BLE001 - a client gone mid-answer
            log.debug("emit to a departed client failed", exc_info=True)

    def _settle(self, job: Job, cancelled: bool = False) -> None:
        with self._lock:
            if self._jobs.pop(job.id, None) is not None or job.id not in self._finished:
                self._finished[job.id] = job
                while len(self._finished) > 512:
                    self._finished.pop(next(iter(self._finished)))
        if cancelled:
            job.cancelled = True
        job.done.set()

    def _drop(self, job: Job) -> None:
        with self._lock:
            self._jobs.pop(job.id, None)
            self._submitting.pop(job.id, None)

