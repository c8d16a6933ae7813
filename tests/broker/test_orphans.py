"""Orphaned jobs (their whole worker killed) are sent again once, on the real redis-server, through a real
Celery app (the message lands in the queue's Redis list; no worker runs here)."""
from __future__ import annotations

import json

import redis

from selfeng.broker import QUEUE
from selfeng.broker.records import LEASE_MS, JobRecords, connect, job_key
from selfeng.broker.worker import make_celery, reap_orphans

LAPSE = LEASE_MS / 1000


def _fresh(redis_server) -> JobRecords:
    redis.Redis.from_url(redis_server.url).flushall()
    return JobRecords(connect(redis_server.url))


def _queued(records: JobRecords) -> list[dict]:
    return [json.loads(m)["headers"] for m in records.r.lrange(QUEUE, 0, -1)]


def test_a_running_job_without_a_lease_is_sent_again_once_after_a_whole_lease_period(redis_server):
    records = _fresh(redis_server)
    app = make_celery(redis_server.url)
    records.create("j1", {"kind": "socket", "sid": "s1", "prompt": "Shout the text 'abc'", "session_id": ""})
    records.start("j1")  # running, and its worker died before renewing: no lease
    suspects: dict[str, float] = {}
    assert reap_orphans(app, records, suspects, now=100.0) == []  # seen once: maybe a broker hiccup
    assert reap_orphans(app, records, suspects, now=100.0 + LAPSE) == ["j1"]
    sent, = _queued(records)
    assert sent["id"] == "j1" and sent["task"] == "selfeng.run_request"
    # every worker watches; only the first to claim the job at this attempt sends it
    assert reap_orphans(app, records, {"j1": 0.0}, now=1000.0) == []
    assert len(_queued(records)) == 1
    # a second loss (attempt 2) may be sent again: the job record then ends it with a clear failure
    records.start("j1")
    assert reap_orphans(app, records, {"j1": 0.0}, now=1000.0) == ["j1"]


def test_leased_finished_and_waiting_jobs_are_left_alone(redis_server):
    records = _fresh(redis_server)
    app = make_celery(redis_server.url)
    for j in ("leased", "finished", "waiting"):
        records.create(j, {"kind": "rest", "prompt": "p"})
    records.start("leased")
    assert records.lease("leased", "token")
    records.start("finished")
    records.finish("finished", {"success": True})
    assert reap_orphans(app, records, {j: 0.0 for j in ("leased", "finished", "waiting")}, now=1000.0) == []
    assert _queued(records) == []


def test_a_live_worker_takes_back_a_lease_that_lapsed_during_a_broker_outage(redis_server):
    records = _fresh(redis_server)
    records.create("j", {"kind": "rest", "prompt": "p"})
    records.start("j")
    assert records.lease("j", "mine")
    records.r.delete(job_key("j") + ":lock")  # expired while Redis was away
    records.renew("j", "mine")
    assert records.r.get(job_key("j") + ":lock") == "mine" and records.unleased() == []
    records.renew("j", "someone else's")  # a lease held by another is never taken
    assert records.r.get(job_key("j") + ":lock") == "mine"
