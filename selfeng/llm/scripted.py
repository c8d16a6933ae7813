"""Replays model replies from a JSON script, keyed by purpose: the first-class test double.

Script format: {"responses": [{"purpose": "generate_spec", "content": "..."}, ...]}. Each call takes the
first unused entry whose purpose matches its own; when none is left the call fails naming the purpose,
so a test that makes an unexpected model call fails loudly instead of getting a canned answer.
An entry may also name a `match`: a string its call's messages must contain. Several workers replaying
one script then each answer the request they were given, whatever order requests reach them in.
"""
from __future__ import annotations

import json
import threading
from pathlib import Path

from ..config import Settings
from .base import Completion, LLMError


class ScriptExhausted(LLMError):
    pass


class ScriptedProvider:
    name = "scripted"

    def __init__(self, responses: list[dict] | None = None, path: str | Path | None = None):
        if path is not None:
            data = json.loads(Path(path).read_text())
            responses = data["responses"] if isinstance(data, dict) else data
        self._entries = [dict(r) for r in (responses or [])]
        for r in self._entries:
            if "purpose" not in r or "content" not in r:
                raise LLMError(f"script entry needs 'purpose' and 'content': {r!r}")
            r["_used"] = False
        self._lock = threading.Lock()
        self.calls: list[dict] = []  # what was asked, for tests to inspect

    def enqueue(self, purpose: str, content: str) -> None:
        with self._lock:
            self._entries.append({"purpose": purpose, "content": content, "_used": False})

    def remaining(self, purpose: str | None = None) -> int:
        return sum(1 for r in self._entries if not r["_used"] and (purpose is None or r["purpose"] == purpose))

    def complete(self, messages, *, purpose, json_schema=None, max_tokens=512, temperature=0.0):
        with self._lock:
            self.calls.append({"purpose": purpose, "messages": messages, "json_schema": json_schema,
                               "temperature": temperature})
            text = None
            for r in self._entries:
                if not r["_used"] and r["purpose"] == purpose and r.get("match"):
                    if text is None:
                        text = "\n".join(str(m.get("content", "")) for m in messages)
                    if r["match"] not in text:
                        continue
                if not r["_used"] and r["purpose"] == purpose:
                    r["_used"] = True
                    content = r["content"]
                    if not isinstance(content, str):  # allow JSON objects in scripts for readability
                        content = json.dumps(content)
                    prompt_tokens = sum(len(m.get("content", "")) for m in messages) // 4
                    return Completion(text=content, prompt_tokens=prompt_tokens,
                                      completion_tokens=len(content) // 4, seconds=0.0)
        raise ScriptExhausted(f"scripted provider has no response left for purpose {purpose!r}")


def from_settings(settings: Settings) -> ScriptedProvider:
    if not settings.script:
        raise LLMError("SELFENG_LLM_PROVIDER=scripted needs SELFENG_SCRIPT=<path to a JSON script>")
    return ScriptedProvider(path=settings.script)
