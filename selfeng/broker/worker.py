"""`selfeng worker`: a Celery worker that takes requests from the queue and runs them end to end.

Each pool process builds its own orchestrator (planner, synthesis, sandbox, the shared store and model)
from the environment, once, when it starts. Delivery guarantees, in order of what can go wrong:
- the worker's pool process is killed (`kill -9`): Celery rejects the message with requeue
  (acks_late + reject_on_worker_lost) and another process runs it again; the job record counts attempts,
  so a job is retried once, and a third delivery ends it with a clear failure instead of running;
- the whole worker is killed: its job's lease lapses, and every worker watches for running jobs without a
  lease (`reap_orphans`); the first to see one unleased for a whole lease period sends it again (the
  unacked original, restored after the visibility timeout of an hour, then finds it done);
- the message is delivered again after its job finished (crash between the record and the ack): the
  record says so and nothing runs twice; a second delivery while the first still runs waits on its lease;
- Redis restarts: records and messages persist (the cluster runs it with appendonly/fsync always), the
  worker reconnects, and the final record write is retried until Redis is back.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from typing import Any

import redis
from celery import Celery
from celery.signals import worker_process_init, worker_ready

from . import MAX_ATTEMPTS, QUEUE, TASK
from ..web.dispatch import failure_result, jsonable, run_rest_request, run_socket_request
from ..web.jobs import SAFE_POINTS, JobCancelled
from .records import LEASE_MS, JobRecords, connect

log = logging.getLogger(__name__)
VISIBILITY_TIMEOUT = 3600
FINISH_RETRY_SECONDS = 300
REAP_SECONDS = 5.0  # how often each worker looks for jobs whose worker is gone


def make_celery(broker_url: str) -> Celery:
    """The Celery app both sides use: the front to send, the worker to run."""
    app = Celery("selfeng", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE, task_serializer="json", accept_content=["json"], task_ignore_result=True,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True, broker_connection_max_retries=None,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        task_publish_retry=True,
        task_publish_retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5,
                                   "interval_max": 1.0},
        worker_hijack_root_logger=False, worker_redirect_stdouts=False,
        worker_cancel_long_running_tasks_on_connection_loss=False, worker_proc_alive_timeout=60.0,
    )
    return app


class DatabaseUnavailable(RuntimeError):
    pass


class _Process:
    """What one pool process keeps: its orchestrator and its Redis client."""

    orchestrator = None
    records: JobRecords | None = None
    broker_url: str | None = None

    @classmethod
    def get_records(cls) -> JobRecords:
        if cls.records is None:
            cls.records = JobRecords(connect(cls.broker_url or os.environ["SELFENG_BROKER_URL"]))
        return cls.records

    database_ok_at = 0.0

    @classmethod
    def check_database(cls) -> None:
        """Fail fast and clearly when the shared PostgreSQL library is down (at most one probe a second),
        instead of every request waiting out the connection pool's timeout."""
        from ..config import load_settings
        settings = load_settings()
        if settings.store != "postgres" or time.monotonic() - cls.database_ok_at < 1.0:
            return
        import psycopg
        try:
            psycopg.connect(settings.database_url, connect_timeout=3).close()
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DatabaseUnavailable(f"the PostgreSQL database is unreachable: {first}") from exc
        cls.database_ok_at = time.monotonic()

    _building = threading.Lock()

    @classmethod
    def get_orchestrator(cls):
        with cls._building:
            if cls.orchestrator is None:
                from ..orchestrator import AgentOrchestrator
                cls.orchestrator = AgentOrchestrator()
        return cls.orchestrator


def _build_quietly() -> None:
    try:
        _Process.get_orchestrator()
    except Exception as exc:  # noqa: BLE001 - e.g. the database is down: the first request retries
        log.warning("could not build the orchestrator yet: %s", exc)


@worker_process_init.connect
def _warm_up(**_kw) -> None:
    # Load the embedder and open the store before the first request, not during it; in a thread, because
    # Celery kills a pool process that does not report itself up within worker_proc_alive_timeout (on a
    # loaded machine the embedder alone can take longer), and a replacement would be killed the same way.
    threading.Thread(target=_build_quietly, name="selfeng-warm-up", daemon=True).start()


class RemoteJob:
    """The worker's side of a job: its id, and whether its client has asked it to stop."""

    def __init__(self, records: JobRecords, job_id: str):
        self.id = job_id
        self._records = records
        self._cancel = False
        self._checked = 0.0

    @property
    def cancel_requested(self) -> bool:
        now = time.monotonic()
        if not self._cancel and now - self._checked > 0.2:
            self._checked = now
            try:
                self._cancel = self._records.cancel_requested(self.id)
            except redis.RedisError:
                pass
        return self._cancel

    def checkpoint(self, event_type: str) -> None:
        if event_type in SAFE_POINTS and self.cancel_requested:
            raise JobCancelled(self.id)


def run_request(job_id: str, kind: str, prompt: str, session_id: str | None = None,
                sid: str | None = None) -> dict[str, Any]:
    """The task: run one request, recording its state and result under its job id."""
    records = _Process.get_records()
    record = records.get(job_id)
    if record.get("state") in ("done", "cancelled"):
        return {"job_id": job_id, "state": record["state"], "redelivered": True}
    if record.get("cancel") == "1":
        _finish(records, job_id, None, "cancelled")
        return {"job_id": job_id, "state": "cancelled"}
    token = uuid.uuid4().hex
    while not records.lease(job_id, token):
        # Delivered again while a live worker still holds it: wait for that one to finish or die.
        time.sleep(1.0)
        if records.get(job_id).get("state") in ("done", "cancelled"):
            return {"job_id": job_id, "state": "done", "redelivered": True}
    stop = threading.Event()
    beat = threading.Thread(target=_keep_lease, args=(records, job_id, token, stop), daemon=True)
    beat.start()
    try:
        return _run_leased(records, job_id, kind, prompt, session_id, sid)
    finally:
        stop.set()
        try:
            records.release(job_id, token)
        except redis.RedisError:
            pass  # the lease expires by itself


def _run_leased(records: JobRecords, job_id: str, kind: str, prompt: str, session_id: str | None,
                sid: str | None) -> dict[str, Any]:
    def send(event: str, payload: dict) -> None:
        # Progress is best effort (a broker restart may drop some); the result is in the record.
        records.publish({"job": job_id, "sid": sid, "event": event, "payload": jsonable(payload)})

    attempt = records.start(job_id)
    if attempt > MAX_ATTEMPTS:
        message = (f"The worker running this request stopped {attempt - 1} times (killed or crashed) before it "
                   "finished, so it was not tried again. Nothing was half-registered; please ask again.")
        _safe(send, "error", {"message": message})
        result = failure_result(message, session_id, "job_failed")
        _finish(records, job_id, result)
        return {"job_id": job_id, "state": "done", "success": False}
    if attempt > 1:
        _safe(send, "agent_event", {"event_type": "job_retried",
                                    "data": {"attempt": attempt, "reason": "the worker running it was lost"}})
    try:
        _Process.check_database()
        orchestrator = _Process.get_orchestrator()
    except Exception as exc:  # noqa: BLE001 - the store or model is unreachable: a clear failure, and retry later
        log.warning("cannot run a request now: %s", exc)
        message = f"This worker cannot reach the library right now ({exc}); please try again shortly."
        _safe(send, "error", {"message": message})
        result = failure_result(message, session_id, "unavailable")
        _finish(records, job_id, result)
        return {"job_id": job_id, "state": "done", "success": False}
    try:
        if kind == "socket":
            result = run_socket_request(orchestrator, send, prompt, session_id, RemoteJob(records, job_id),
                                        conclude=False)
        else:
            result = run_rest_request(orchestrator, prompt, session_id)
    except JobCancelled:
        _finish(records, job_id, None, "cancelled")
        return {"job_id": job_id, "state": "cancelled"}
    _finish(records, job_id, jsonable(result))
    return {"job_id": job_id, "state": "done", "success": bool(result.get("success"))}


def _safe(send, event: str, payload: dict) -> None:
    try:
        send(event, payload)
    except redis.RedisError:
        log.warning("could not publish %s for a job (broker away)", event)


def _finish(records: JobRecords, job_id: str, result: dict | None, state: str = "done") -> None:
    """Write the outcome, waiting out a broker restart: the job is acked only after this succeeds."""
    deadline = time.monotonic() + FINISH_RETRY_SECONDS
    while True:
        try:
            records.finish(job_id, result, state)
            return
        except redis.RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _keep_lease(records: JobRecords, job_id: str, token: str, stop: threading.Event) -> None:
    while not stop.wait(10.0):
        try:
            records.renew(job_id, token)
        except redis.RedisError:
            pass


def reap_orphans(app: Celery, records: JobRecords, suspects: dict[str, float],
                 now: float | None = None) -> list[str]:
    """Send again the running jobs whose lease has lapsed for a whole lease period (`suspects` remembers
    since when each was seen unleased); returns the job ids sent. A lapse shorter than that may be a
    live worker that could not renew during a broker restart: `JobRecords.renew` takes the lease back."""
    now = time.monotonic() if now is None else now
    unleased = set(records.unleased())
    for job_id in [j for j in suspects if j not in unleased]:
        del suspects[job_id]
    sent = []
    for job_id in sorted(unleased):
        if now - suspects.setdefault(job_id, now) < LEASE_MS / 1000:
            continue
        del suspects[job_id]
        record = records.claim_requeue(job_id)
        if record is None:
            continue
        log.warning("job %s lost its worker; sending it again", job_id)
        app.send_task(TASK, kwargs={"job_id": job_id, "kind": record.get("kind") or "rest",
                                    "prompt": record.get("prompt"), "session_id": record.get("session_id") or None,
                                    "sid": record.get("sid") or None}, task_id=job_id, queue=QUEUE)
        sent.append(job_id)
    return sent


@worker_ready.connect
def _start_reaper(sender=None, **_kw) -> None:
    """In the worker's main process, which outlives its pool processes but not a kill of the whole worker."""
    app = getattr(sender, "app", None)
    if app is None or not _Process.broker_url:
        return

    def loop() -> None:
        records, suspects = JobRecords(connect(_Process.broker_url)), {}
        while True:
            time.sleep(REAP_SECONDS)
            try:
                reap_orphans(app, records, suspects)
            except Exception as exc:  # noqa: BLE001 - the broker is away; look again later
                log.debug("orphan scan skipped: %s", exc)

    threading.Thread(target=loop, name="selfeng-reaper", daemon=True).start()


def register(app: Celery) -> None:
    app.task(name=TASK, acks_late=True, ignore_result=True)(run_request)


def run_worker(broker_url: str, concurrency: int = 1, name: str | None = None, loglevel: str = "INFO") -> None:
    """Run a worker until stopped (SIGTERM: warm shutdown, the running job finishes first)."""
    _Process.broker_url = broker_url
    os.environ["SELFENG_BROKER_URL"] = broker_url  # the pool processes read it
    app = make_celery(broker_url)
    register(app)
    app.worker_main(["worker", "-Q", QUEUE, "-c", str(concurrency), "-P", "prefork", "--without-gossip",
                     "--without-mingle", "-l", loglevel, "-n", name or f"selfeng-{os.getpid()}@%h"])
