"""Job records on Redis, shared by the web fronts and the workers.

Keys (all under `selfeng:`):
  job:<id>       hash: kind, sid, owner, prompt, session_id, state (waiting|running|done|cancelled),
                 attempts, cancel, result (JSON), pid (of the process running it); expires after a day
  job:<id>:lock  the running worker's lease, renewed while it runs (a second delivery never runs alongside)
  job:<id>:requeued:<attempt>  set by the one worker that sent an orphaned job again
  waiting        sorted set of waiting job ids in submission order (queue positions)
  running        hash of running job ids -> pid
  seq            submission counter
and one pub/sub channel, `selfeng:jobs`, carrying JSON messages in order: a job's events
{"job", "sid", "event", "payload"} and its state changes {"job", "state"}.
"""
from __future__ import annotations

import json
import os
import time
from typing import Any

import redis

PREFIX = "selfeng:"
CHANNEL = PREFIX + "jobs"
WAITING = PREFIX + "waiting"
RUNNING = PREFIX + "running"
SEQ = PREFIX + "seq"
RECORD_TTL = 24 * 3600
LEASE_MS = 30_000


def connect(url: str) -> redis.Redis:
    """A client that waits a little for a restarting broker instead of failing at once."""
    return redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=2, socket_timeout=10,
                                health_check_interval=10, retry_on_timeout=True)


def job_key(job_id: str) -> str:
    return f"{PREFIX}job:{job_id}"


class JobRecords:
    def __init__(self, client: redis.Redis):
        self.r = client

    # -- the front ---------------------------------------------------------------------------------
    def create(self, job_id: str, fields: dict[str, Any]) -> int:
        """Record a new waiting job; returns how many are ahead of it (waiting and running)."""
        seq = self.r.incr(SEQ)
        pipe = self.r.pipeline()
        pipe.hset(job_key(job_id), mapping={**{k: _s(v) for k, v in fields.items()}, "state": "waiting",
                                            "attempts": 0, "created": time.time()})
        pipe.expire(job_key(job_id), RECORD_TTL)
        pipe.zcard(WAITING)
        pipe.hlen(RUNNING)
        pipe.zadd(WAITING, {job_id: seq})
        _, _, waiting, running, _ = pipe.execute()
        return int(waiting) + int(running)

    def forget(self, job_id: str) -> None:
        """Undo `create` (the message could not be sent)."""
        pipe = self.r.pipeline()
        pipe.zrem(WAITING, job_id)
        pipe.delete(job_key(job_id))
        pipe.execute()

    def cancel(self, job_id: str) -> bool:
        """Ask a job to stop. True if it was still waiting (it is now cancelled and will never run)."""
        pipe = self.r.pipeline()
        pipe.hset(job_key(job_id), "cancel", 1)
        pipe.zrem(WAITING, job_id)
        _, removed = pipe.execute()
        if removed:
            self.set_state(job_id, "cancelled")
        return bool(removed)

    def get(self, job_id: str) -> dict[str, str]:
        return self.r.hgetall(job_key(job_id))

    def states(self, job_ids: list[str]) -> list[dict[str, str]]:
        pipe = self.r.pipeline()
        for j in job_ids:
            pipe.hmget(job_key(j), "state", "result")
        return [{"state": s, "result": res} for s, res in pipe.execute()]

    def positions(self, job_ids: list[str]) -> dict[str, int | None]:
        """Jobs ahead of each waiting job (running ones included); None for jobs no longer waiting."""
        pipe = self.r.pipeline()
        pipe.hlen(RUNNING)
        for j in job_ids:
            pipe.zrank(WAITING, j)
        running, *ranks = pipe.execute()
        return {j: None if rank is None else int(rank) + int(running) for j, rank in zip(job_ids, ranks)}

    def counts(self) -> dict[str, int]:
        pipe = self.r.pipeline()
        pipe.hlen(RUNNING)
        pipe.zcard(WAITING)
        running, waiting = pipe.execute()
        return {"running": int(running), "waiting": int(waiting)}

    # -- the worker --------------------------------------------------------------------------------
    def lease(self, job_id: str, token: str) -> bool:
        return bool(self.r.set(job_key(job_id) + ":lock", token, nx=True, px=LEASE_MS))

    def renew(self, job_id: str, token: str) -> None:
        key = job_key(job_id) + ":lock"
        holder = self.r.get(key)
        if holder == token:
            self.r.pexpire(key, LEASE_MS)
        elif holder is None:  # lapsed while the broker was away: a live worker takes its lease back
            self.r.set(key, token, nx=True, px=LEASE_MS)

    def unleased(self) -> list[str]:
        """Running jobs with no lease: the process running them stopped renewing it (it is gone)."""
        ids = list(self.r.hkeys(RUNNING))
        pipe = self.r.pipeline()
        for j in ids:
            pipe.exists(job_key(j) + ":lock")
            pipe.hget(job_key(j), "state")
        found = pipe.execute()
        return [j for j, held, state in zip(ids, found[::2], found[1::2]) if not held and state == "running"]

    def claim_requeue(self, job_id: str) -> dict[str, str] | None:
        """The job's record if this caller is the first to requeue it at its current attempt, else None
        (every worker watches for orphans; only one may send the job again)."""
        record = self.get(job_id)
        if record.get("state") != "running":
            return None
        claimed = self.r.set(f"{job_key(job_id)}:requeued:{record.get('attempts')}", 1, nx=True, ex=RECORD_TTL)
        return record if claimed else None

    def release(self, job_id: str, token: str) -> None:
        key = job_key(job_id) + ":lock"
        if self.r.get(key) == token:
            self.r.delete(key)

    def start(self, job_id: str) -> int:
        """Mark a job running in this process; returns its attempt number (1 = first)."""
        pipe = self.r.pipeline()
        pipe.hincrby(job_key(job_id), "attempts", 1)
        pipe.hset(job_key(job_id), mapping={"state": "running", "pid": os.getpid()})
        pipe.zrem(WAITING, job_id)
        pipe.hset(RUNNING, job_id, os.getpid())
        attempts, *_ = pipe.execute()
        self.publish({"job": job_id, "state": "running"})
        return int(attempts)

    def finish(self, job_id: str, result: dict | None, state: str = "done") -> None:
        pipe = self.r.pipeline()
        mapping = {"state": state, "finished": time.time()}
        if result is not None:
            mapping["result"] = json.dumps(result, default=str)
        pipe.hset(job_key(job_id), mapping=mapping)
        pipe.zrem(WAITING, job_id)
        pipe.hdel(RUNNING, job_id)
        pipe.execute()
        self.publish({"job": job_id, "state": state})

    def set_state(self, job_id: str, state: str) -> None:
        self.r.hset(job_key(job_id), "state", state)
        self.publish({"job": job_id, "state": state})

    def cancel_requested(self, job_id: str) -> bool:
        return self.r.hget(job_key(job_id), "cancel") == "1"

    def publish(self, message: dict) -> None:
        self.r.publish(CHANNEL, json.dumps(message, default=str))


def _s(v: Any) -> str:
    return "" if v is None else str(v)
