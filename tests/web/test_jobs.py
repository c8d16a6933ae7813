"""The FIFO job queue: order, positions as the line moves, cancellation, limits, errors."""
from __future__ import annotations

import threading

import pytest

from selfeng.web.jobs import Job, JobQueue, QueueFull


def test_fifo_one_at_a_time_with_positions_and_cancel():
    q = JobQueue(max_waiting=3)
    gate = threading.Event()
    order, positions = [], {"b": [], "c": [], "d": []}
    running = threading.Event()

    def first():
        running.set()
        gate.wait(5)
        order.append("a")

    a = Job(run=first, owner="A")
    assert q.submit(a) == 0
    assert running.wait(5)
    jobs = {}
    for name in ("b", "c", "d"):
        jobs[name] = Job(run=lambda n=name: order.append(n) or n, owner=name.upper(),
                         on_position=positions[name].append)
        q.submit(jobs[name])
    assert positions == {"b": [1], "c": [2], "d": [3]}
    with pytest.raises(QueueFull):
        q.submit(Job(run=lambda: None))
    assert q.cancel_owner("C") == 1 and jobs["c"].cancelled
    assert positions["d"] == [3, 2]  # moved up when c left
    gate.set()
    assert jobs["d"].wait(5) == "d"
    assert order == ["a", "b", "d"]
    assert positions["d"] == [3, 2, 1]  # and again when b started
    assert q.snapshot() == {"running": 0, "waiting": 0} or jobs["d"].done.is_set()
    q.close()


def test_a_failing_job_reports_its_error_and_the_queue_goes_on():
    q = JobQueue()

    def boom():
        raise ValueError("bad tool")

    failing = Job(run=boom)
    q.submit(failing)
    with pytest.raises(ValueError, match="bad tool"):
        failing.wait(5)
    ok = Job(run=lambda: 42)
    q.submit(ok)
    assert ok.wait(5) == 42
    q.close()
