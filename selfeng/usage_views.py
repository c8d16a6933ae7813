"""Usage views: requests the model writes for a new tool, so later requests find it by how people ask.

A tool's own text (name, signature, docstring) is documentation; requests are everyday speech ("spell
'stressed' backwards" for `reverse_string`). Tool2Vec (arXiv 2409.02141) represents a tool by requests
that use it. selfeng already keeps each request a tool answered as a view of it; a new tool has only the
one that created it. So after registration the model writes a few more, sampled for variety, and they
join the tool's views (max over views, like past requests). They only help a candidate reach the band
where the registry's checks run; they never make a decision on their own (`fit_check` still compares the
request with the tool's name and asks the model when in doubt).

Measured on the routing set's tune half with the embedded 1.5B model (four examples per tool, 81 tools,
`benchmarks/bench_retrieval.py --local --views ...`): decision 0.762 -> 0.793, false positives 0.100 ->
0.080, twin confusions 4 -> 4. One centroid view per tool, as in the paper, gave 0.768 / 0.100; a
round-trip filter (drop an example the plain index does not rank in its tool's top 3) changed nothing.

Writing costs one model call (about 5 s locally), so it runs on one background thread after
registration, off the request's critical path. A failure costs the tool its extra views, nothing else.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Any

log = logging.getLogger(__name__)


class UsageViewWriter:
    """One daemon thread that writes usage views for tools, in the order they were registered."""

    def __init__(self, registry: Any, count: int):
        self._registry = registry
        self._count = count
        self._jobs: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def stop(self) -> None:
        """The registry is closing: skip what is queued, and keep what a call in flight returns to itself."""
        self._stopped.set()

    def submit(self, name: str) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="selfeng-usage-views", daemon=True)
                self._thread.start()
        self._jobs.put(name)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every submitted tool has its views (or failed); False on timeout."""
        done = threading.Event()

        def waiter() -> None:
            self._jobs.join()
            done.set()

        threading.Thread(target=waiter, daemon=True).start()
        return done.wait(timeout)

    def _loop(self) -> None:
        while True:
            name = self._jobs.get()
            try:
                if not self._stopped.is_set():
                    self.write(name)
            except Exception:  # noqa: BLE001 - a missing view must never reach the user
                if not self._stopped.is_set():
                    log.warning("could not write usage views for %s", name, exc_info=True)
            finally:
                self._jobs.task_done()

    def write(self, name: str) -> list[str]:
        """Ask the model for `count` example requests of tool `name` and add them as its views."""
        tool = self._registry.get_tool_by_name(name)
        client = self._registry.llm_client
        if tool is None or client is None or not hasattr(client, "example_requests"):
            return []
        texts = client.example_requests(tool["signature"], tool.get("docstring") or "", n=self._count)
        if not self._stopped.is_set():
            self._registry.add_usage_views(name, texts)
        return texts
