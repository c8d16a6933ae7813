"""Usage views: requests the model writes for a new tool, so later requests find it by how people ask.

A tool's own text (name, signature, docstring) is documentation; requests are everyday speech ("spell
'stressed' backwards" for `reverse_string`). Tool2Vec (arXiv 2409.02141) represents a tool by requests
that use it. selfeng already keeps each request a tool answered as a view of it; a new tool has only the
one that created it. So after registration the model writes a few more, sampled for variety, and they
join the tool's views (max over views, like past requests). `fit_check` still compares the request with
the tool's name and asks the model when in doubt, but a view does move a tool's score and rank.

Measured with the embedded 1.5B model (four examples per tool, 81 tools; `benchmarks/bench_retrieval.py
--local --views benchmarks/results/views/tool-views-local-1.json`), against the same code without views:

| split | without views | with views |
|---|---|---|
| tune (164, tuned on) | 0.762, FP 0.100, 4 twins | 0.793, FP 0.080, 4 twins |
| held-out (164) | 0.762, FP 0.082, 0 twins | 0.744, FP 0.098, 1 twin |
| post-freeze (50) | 0.800, FP 0.200, 1 twin | 0.800, FP 0.250, 1 twin |
| post-freeze 1206 (50) | 0.840, FP 0.150, 2 twins | 0.840, FP 0.200, 2 twins |
| post-freeze 1206b (50) | 0.840, FP 0.050, 0 twins | 0.840, FP 0.050, 0 twins |

The gain on the tune half did not carry over: the small model's examples are noisy ("convert 5 feet to cm"
for `inches_to_cm`, "find the average speed" for `standard_deviation`), and a view that outranks a
tool's own text moves which candidate gets checked, as often for the worse as for the better. So views
are off by default (`SELFENG_USAGE_VIEWS=0`); a stronger configured model may write better ones. One
centroid view per tool, as in the paper, gave 0.768 / 0.100 on the tune half; a round-trip filter (drop an
example the plain index does not rank in its tool's top 3) changed nothing there.

End to end, on 24 fresh requests where ten tools come back in everyday words
(`benchmarks/requests/postfreeze-1207.json`), views changed nothing: the same four paraphrases were
reused with and without them. And they cost search time: at 10,000 tools with four views each, search_tool
takes p50 11.9 ms against 8.4 ms without (`benchmarks/bench_search.py --views 4`).

Writing costs one model call (about 5 s locally), so it runs on one background thread after
registration. With one local model that is not free for the request either: the call takes the model
between the request's own last calls (arguments, answer), and the 1207 set's median went from 30.7 s to
34.7 s with views on. A failure costs the tool its extra views, nothing else.
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
        self._pending = 0  # submitted and not yet written (or failed)
        self._idle = threading.Condition()
        self._stopped = threading.Event()

    def stop(self) -> None:
        """The registry is closing: skip what is queued, and keep what a call in flight returns to itself."""
        self._stopped.set()

    def submit(self, name: str) -> None:
        with self._idle:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="selfeng-usage-views", daemon=True)
                self._thread.start()
        self._jobs.put(name)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every submitted tool has its views (or failed); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

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
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

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
