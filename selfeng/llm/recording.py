"""Appends every real exchange as a JSON line, in a form that turns into a scripted-provider script.

`selfeng.llm.recording.to_script(path)` converts a recording into {"responses": [...]}, so test
fixtures can come from real model runs.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

from .base import Completion


class RecordingProvider:
    def __init__(self, inner, path: str | Path):
        self.inner = inner
        self.name = inner.name
        self.path = Path(path)
        self._lock = threading.Lock()

    def complete(self, messages, *, purpose, json_schema=None, max_tokens=512, temperature=0.0) -> Completion:
        c = self.inner.complete(messages, purpose=purpose, json_schema=json_schema,
                                max_tokens=max_tokens, temperature=temperature)
        line = json.dumps({"purpose": purpose, "messages": messages, "content": c.text,
                           "provider": self.inner.name, "prompt_tokens": c.prompt_tokens,
                           "completion_tokens": c.completion_tokens, "seconds": round(c.seconds, 3),
                           "time": time.time()})
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
        return c


def to_script(path: str | Path) -> dict:
    responses = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            responses.append({"purpose": rec["purpose"], "content": rec["content"]})
    return {"responses": responses}
