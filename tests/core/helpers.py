"""Builders for an orchestrator on the real pipeline with a scripted model."""
from __future__ import annotations

import json

from selfeng.config import load_settings
from selfeng.llm.scripted import ScriptedProvider
from selfeng.llm_client import LLMClient

REVERSE_SPEC = {"function_name": "reverse_string",
                "parameters": [{"name": "s", "type": "str", "description": "text to reverse"}],
                "return_type": "str", "docstring": "Reverse the characters of a string."}
REVERSE_CASES = {"cases": [{"args": {"s": "hello"}, "expected": "olleh"},
                           {"args": {"s": ""}, "expected": ""},
                           {"args": {"s": "a"}, "expected": "a"},
                           {"args": {"s": "hello world"}, "expected": "dlrow olleh"}]}
REVERSE_CODE = "```python\ndef reverse_string(s: str) -> str:\n    return s[::-1]\n```"


def script(*entries) -> list[dict]:
    """entries: (purpose, content) pairs; dict/list contents are sent as JSON text."""
    return [{"purpose": p, "content": c if isinstance(c, str) else json.dumps(c)} for p, c in entries]


def reverse_synthesis_script() -> list[dict]:
    return script(("generate_spec", REVERSE_SPEC), ("generate_tests", REVERSE_CASES),
                  ("generate_implementation", REVERSE_CODE),
                  # the second, independent draw (sampled from the spec alone)
                  ("generate_implementation", "def reverse_string(s: str) -> str:\n    return ''.join(reversed(s))\n"),
                  ("synthesize_response", "The reversed string is 'dlrow olleh'."))


def make_orchestrator(responses: list[dict] | None = None, **overrides):
    from selfeng.orchestrator import AgentOrchestrator
    settings = load_settings(**overrides)
    provider = ScriptedProvider(responses or [])
    client = LLMClient(provider, settings=settings)
    return AgentOrchestrator(settings=settings, llm_client=client), provider


class Recorder:
    def __init__(self):
        self.events: list[tuple[str, dict]] = []

    def __call__(self, event, data):
        self.events.append((event, data))

    @property
    def names(self) -> list[str]:
        return [e for e, _ in self.events]

    def steps(self) -> list[tuple[str, str]]:
        return [(d["step"], d["status"]) for e, d in self.events if e == "synthesis_step"]
