"""The one protocol every LLM backend implements.

A provider turns chat messages into text. Everything selfeng-specific (prompts, parsing, usage
accounting, recording) lives above it in `LLMClient`, so a backend is small and interchangeable.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


class LLMError(RuntimeError):
    """A model call failed (after any retries the backend does itself)."""


@dataclass
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


@runtime_checkable
class Provider(Protocol):
    name: str

    def complete(self, messages: list[dict], *, purpose: str, json_schema: dict | None = None,
                 max_tokens: int = 512, temperature: float = 0.0) -> Completion:
        """Answer `messages` ([{role, content}]).

        `purpose` names the LLMClient method making the call (generate_spec, ...). With
        `json_schema`, the reply must be a JSON document valid against it; backends that can
        constrain decoding (llama.cpp grammars, OpenAI structured outputs) do so.
        """
        ...
