"""Any OpenAI-compatible chat server: OpenAI itself, Ollama, vLLM, LM Studio, llama.cpp's server.

Only the connection differs between them (base URL, key, model name); the wire format is the same,
so one provider serves all. Retries with backoff on transient errors (connection errors, 408/409/429/5xx)
come from the SDK's own `max_retries`.
"""
from __future__ import annotations

import json
import threading
import time

import openai

from ..config import Settings
from .base import Completion, LLMError

OPENAI_BASE_URL = "https://api.openai.com/v1"
# Local servers ignore the key, but the SDK refuses to build a client without one.
PLACEHOLDER_KEY = "sk-no-key-required"


def _schema_instruction(schema: dict) -> str:
    return ("Reply with only a JSON object (no prose, no code fences) that is valid against this JSON Schema:\n"
            + json.dumps(schema))


def _with_system(messages: list[dict], text: str) -> list[dict]:
    """Add `text` to the system message (some chat templates only honour a leading one)."""
    if messages and messages[0].get("role") == "system":
        return [{"role": "system", "content": f"{messages[0]['content']}\n\n{text}"}, *messages[1:]]
    return [{"role": "system", "content": text}, *messages]


def _response_formats(schema: dict) -> list[dict]:
    """Ways to ask for schema-shaped JSON, strictest first.

    `json_schema` (structured outputs) is what OpenAI, vLLM, LM Studio, Ollama and llama.cpp's own
    server understand, but older or smaller servers answer it with 400/422: llama-cpp-python's server,
    for one, only accepts `json_object` and takes the schema as an extra `schema` key to build its
    grammar. Plain `json_object` is the last resort; the schema then travels in the instructions only.
    """
    return [
        {"type": "json_schema", "json_schema": {"name": "reply", "schema": schema}},
        {"type": "json_object", "schema": schema},
        {"type": "json_object"},
    ]


class OpenAICompatProvider:
    name = "openai"

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None,
                 timeout: float = 60.0, max_retries: int = 3):
        base_url = (base_url or OPENAI_BASE_URL).rstrip("/")
        if not api_key:
            if "api.openai.com" in base_url:
                raise LLMError("the openai provider needs an API key for api.openai.com: set "
                               "SELFENG_OPENAI_API_KEY (or OPENAI_API_KEY), or point SELFENG_OPENAI_BASE_URL "
                               "at a local OpenAI-compatible server")
            api_key = PLACEHOLDER_KEY
        self.model = model
        self.base_url = base_url
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout,
                                     max_retries=max_retries)
        self._format_level = 0  # index into _response_formats that this server accepted last
        self._lock = threading.Lock()

    def complete(self, messages: list[dict], *, purpose: str, json_schema: dict | None = None,
                 max_tokens: int = 512, temperature: float = 0.0) -> Completion:
        t0 = time.monotonic()
        if json_schema is None:
            try:
                resp = self._create(messages, max_tokens, temperature, None)
            except openai.APIStatusError as exc:
                raise _as_llm_error(exc, self.base_url) from exc
        else:
            # The instruction helps servers that fall back to plain JSON mode, and OpenAI's json_object
            # mode insists that the word "JSON" appears in the messages.
            messages = _with_system(messages, _schema_instruction(json_schema))
            formats = _response_formats(json_schema)
            level = self._format_level
            while True:
                try:
                    resp = self._create(messages, max_tokens, temperature, formats[level])
                    break
                except openai.APIStatusError as exc:
                    if not _rejects_format(exc) or level + 1 >= len(formats):
                        raise _as_llm_error(exc, self.base_url) from exc
                    level += 1
            # Remember only a format that worked, so one bad request (say, too long) can't downgrade us.
            with self._lock:
                self._format_level = level
        choice = resp.choices[0] if resp.choices else None
        text = (choice.message.content if choice and choice.message else None) or ""
        usage = resp.usage
        return Completion(text=text,
                          prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
                          completion_tokens=getattr(usage, "completion_tokens", 0) or 0,
                          seconds=time.monotonic() - t0)

    def _create(self, messages, max_tokens, temperature, response_format):
        kwargs = {"response_format": response_format} if response_format else {}
        try:
            return self._client.chat.completions.create(
                model=self.model, messages=messages, max_tokens=max_tokens, temperature=temperature,
                **kwargs)
        except openai.APIStatusError:
            raise  # complete() decides: a simpler response_format, or an LLMError
        except openai.APIError as exc:  # connection errors and timeouts, after the SDK's own retries
            raise _as_llm_error(exc, self.base_url) from exc


def _rejects_format(exc: openai.APIStatusError) -> bool:
    """Did the server refuse the request's response_format (rather than fail for another reason)?

    Most servers answer an unknown format with 400 or 422; llama-cpp-python's server reports its
    validation error as a 500 that names the field (after the SDK has retried it, once per provider).
    """
    return exc.status_code in (400, 422) or (exc.status_code >= 500 and "response_format" in str(exc))


def _as_llm_error(exc: openai.APIError, base_url: str) -> LLMError:
    if isinstance(exc, openai.AuthenticationError):
        return LLMError(f"{base_url} refused the API key: {exc}")
    return LLMError(f"{base_url}: {type(exc).__name__}: {exc}")


def from_settings(settings: Settings) -> OpenAICompatProvider:
    return OpenAICompatProvider(model=settings.openai_model, base_url=settings.openai_base_url,
                                api_key=settings.openai_api_key, timeout=settings.llm_timeout,
                                max_retries=settings.llm_max_retries)
