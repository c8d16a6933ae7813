"""A request restated as the function it asks for: the spec the model writes for it, kept per request.

Routing asks for it when nothing in the library clears the floor for the request's own words
(`tool_decision._restated`): a spec's name and docstring are written the way tools' docs are, so the
library is searched again with them. A synthesis of the same request then starts from the same spec
instead of asking again (`synthesis_engine._spec`), so a request that needs a new tool pays nothing more.
"""
from __future__ import annotations

import copy
import threading

from .units import identifier_words

KEEP = 16  # the requests of one conversation, not a cache of all time


class RestatedNeeds:
    def __init__(self, llm_client=None):
        self.llm_client = llm_client
        self._specs: dict[str, dict] = {}
        self._lock = threading.Lock()  # the web server routes several jobs at once

    def spec(self, request: str, ask: bool = False) -> dict | None:
        """A copy of the spec written for `request`, or, with `ask`, one written now (None without a model)."""
        with self._lock:
            found = self._specs.get(request)
        if found is None and ask and self.llm_client is not None and hasattr(self.llm_client, "generate_spec"):
            found = self.llm_client.generate_spec(request)  # a model call: not under the lock
            with self._lock:
                self._specs[request] = found
                while len(self._specs) > KEEP:
                    self._specs.pop(next(iter(self._specs)))
        return copy.deepcopy(found)


def search_text(spec: dict) -> str:
    """What the library is searched with: the function name's words and its docstring."""
    return f"{' '.join(identifier_words(spec['function_name']))}: {spec['docstring']}"
