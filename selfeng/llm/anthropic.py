"""Anthropic's Messages API through the official SDK.

The Messages API takes the system prompt as a separate field and wants user/assistant turns strictly
alternating, so messages are reshaped here. Timeouts and retries with backoff on transient errors
(connection errors, 408/409/429, 5xx including 529 "overloaded") come from the SDK's `max_retries`.
"""
from __future__ import annotations

import json
import os
import time

import anthropic

from ..config import Settings
from .base import Completion, LLMError

_PREFILL = "{"


def _schema_instruction(schema: dict) -> str:
    return ("Reply with only a JSON object (no prose, no code fences) that is valid against this JSON Schema:\n"
            + json.dumps(schema))


def split_messages(messages: list[dict]) -> tuple[str, list[dict]]:
    """Return (system text, turns) with system messages pulled out and same-role turns merged."""
    system: list[str] = []
    turns: list[dict] = []
    for m in messages:
        role, content = m.get("role"), m.get("content") or ""
        if role == "system":
            system.append(content)
            continue
        role = "assistant" if role == "assistant" else "user"
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += "\n\n" + content
        else:
            turns.append({"role": role, "content": content})
    if not turns or turns[0]["role"] != "user":  # the API insists the conversation opens with the user
        turns.insert(0, {"role": "user", "content": "(start)"})
    return "\n\n".join(system), turns


def first_json_value(text: str) -> str:
    """The first complete JSON value in `text`, as written; `text` unchanged when there is none.

    Claude sometimes adds a sentence after the JSON; the caller's parser should see only the document.
    """
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start < 0:
        return text
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return text
    return text[start:end]


class AnthropicProvider:
    name = "anthropic"

    def __init__(self, model: str, api_key: str | None = None, base_url: str | None = None,
                 timeout: float = 60.0, max_retries: int = 3):
        if not api_key and not base_url:
            raise LLMError("the anthropic provider needs an API key: set SELFENG_ANTHROPIC_API_KEY "
                           "(or ANTHROPIC_API_KEY)")
        self.model = model
        self._client = anthropic.Anthropic(api_key=api_key or "no-key-required", base_url=base_url,
                                           timeout=timeout, max_retries=max_retries)
        self._prefill = True  # turned off if the model rejects assistant prefill

    def complete(self, messages: list[dict], *, purpose: str, json_schema: dict | None = None,
                 max_tokens: int = 512, temperature: float = 0.0) -> Completion:
        t0 = time.monotonic()
        system, turns = split_messages(messages)
        prefill = ""
        if json_schema is not None:
            # JSON without a grammar: the schema goes into the system prompt, and the reply is
            # prefilled with "{" (a final assistant turn the model continues), so Claude starts the
            # object at once instead of with prose or a code fence. Whatever trails the object is cut
            # off by first_json_value. Models that refuse prefill get the instruction alone.
            system = f"{system}\n\n{_schema_instruction(json_schema)}".strip()
            if self._prefill and turns[-1]["role"] == "user":
                prefill = _PREFILL
        try:
            resp = self._create(system, turns, prefill, max_tokens, temperature)
        except anthropic.BadRequestError as exc:
            if not prefill:
                raise LLMError(f"Anthropic rejected the request: {exc}") from exc
            prefill = ""
            try:
                resp = self._create(system, turns, prefill, max_tokens, temperature)
            except anthropic.BadRequestError as exc2:
                raise LLMError(f"Anthropic rejected the request: {exc2}") from exc2
            self._prefill = False  # only now is it clear that the prefill was what it refused
        text = prefill + "".join(b.text for b in resp.content if getattr(b, "type", "") == "text")
        if json_schema is not None:
            text = first_json_value(text)
        usage = resp.usage
        return Completion(text=text, prompt_tokens=getattr(usage, "input_tokens", 0) or 0,
                          completion_tokens=getattr(usage, "output_tokens", 0) or 0,
                          seconds=time.monotonic() - t0)

    def _create(self, system: str, turns: list[dict], prefill: str, max_tokens: int, temperature: float):
        if prefill:
            turns = [*turns, {"role": "assistant", "content": prefill}]
        kwargs = {"system": system} if system else {}
        # `temperature` is not sent: the anthropic SDK 2.x no longer has the
        # parameter, and current models choose their own sampling.
        try:
            return self._client.messages.create(model=self.model, messages=turns, max_tokens=max_tokens,
                                                **kwargs)
        except anthropic.BadRequestError:
            raise  # complete() decides: retry without prefill, or fail
        except anthropic.AuthenticationError as exc:
            raise LLMError(f"Anthropic refused the API key: {exc}") from exc
        except anthropic.APIError as exc:  # after the SDK's own retries
            raise LLMError(f"Anthropic: {type(exc).__name__}: {exc}") from exc


def from_settings(settings: Settings) -> AnthropicProvider:
    # ANTHROPIC_BASE_URL is the SDK's own variable for a proxy or gateway; honour it as the SDK would.
    return AnthropicProvider(model=settings.anthropic_model, api_key=settings.anthropic_api_key,
                             base_url=os.environ.get("ANTHROPIC_BASE_URL") or None,
                             timeout=settings.llm_timeout, max_retries=settings.llm_max_retries)
