"""The embedded llama.cpp provider, on the smallest assembled model."""
from __future__ import annotations

import json
import threading

import jsonschema
import pytest

from selfeng.config import load_settings
from selfeng.llm import local
from selfeng.llm.base import LLMError
from selfeng.llm.local import LocalProvider

CODE_PROMPT = [{"role": "user", "content": "Write a Python function reverse_string(s) that returns s reversed. "
                                           "Reply with only code."}]


def test_missing_model_points_at_setup(tmp_path):
    with pytest.raises(LLMError, match="scripts/setup"):
        LocalProvider(tmp_path / "nope.gguf")


def test_from_settings_missing_default_model_points_at_setup(tmp_path):
    s = load_settings(env={}, env_file=tmp_path / "no.env", cache_dir=tmp_path / "empty-cache")
    with pytest.raises(LLMError, match="scripts/setup"):
        local.from_settings(s)


@pytest.mark.e2e
def test_generates_code_with_usage(local_provider):
    c = local_provider.complete(CODE_PROMPT, purpose="generate_implementation", max_tokens=96)
    assert "def reverse_string" in c.text
    assert c.prompt_tokens > 20 and 0 < c.completion_tokens <= 96 and c.seconds > 0


@pytest.mark.e2e
def test_greedy_is_deterministic(local_provider):
    a = local_provider.complete(CODE_PROMPT, purpose="x", max_tokens=48, temperature=0.0)
    b = local_provider.complete(CODE_PROMPT, purpose="x", max_tokens=48, temperature=0.0)
    assert a.text == b.text


@pytest.mark.e2e
def test_json_schema_constrains_decoding(local_provider):
    # Fields and values a model would not produce unprompted: only the grammar gets them right.
    # (llama-cpp-python's schema-to-grammar converter ignores numeric minimum/maximum, so none here.)
    schema = {"type": "object",
              "properties": {"verdict": {"enum": ["ACCEPT_7", "REJECT_9"]},
                             "score": {"enum": [1, 2, 3, 4, 5]},
                             "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2}},
              "required": ["verdict", "score", "tags"], "additionalProperties": False}
    c = local_provider.complete([{"role": "user", "content": "Is s[::-1] a good way to reverse a string?"}],
                                purpose="x", json_schema=schema, max_tokens=96)
    jsonschema.validate(json.loads(c.text), schema)


@pytest.mark.e2e
def test_model_is_loaded_once_per_process(local_model_path, local_provider):
    again = LocalProvider(local_model_path)
    assert again.llm is local_provider.llm


@pytest.mark.e2e
def test_concurrent_calls_are_serialised(local_provider):
    results, errors = [], []

    def call(q):
        try:
            results.append(local_provider.complete([{"role": "user", "content": q}], purpose="x", max_tokens=8))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(f"Say the number {i}.",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 3 and all(r.completion_tokens > 0 for r in results)


@pytest.mark.e2e
def test_prompt_longer_than_context_is_an_llm_error(local_provider):
    with pytest.raises(LLMError, match="context window"):
        local_provider.complete([{"role": "user", "content": "word " * 5000}], purpose="x", max_tokens=8)


@pytest.mark.e2e
def test_from_settings_uses_configured_file(local_model_path, tmp_path):
    s = load_settings(env={}, env_file=tmp_path / "no.env", local_model=str(local_model_path))
    p = local.from_settings(s)
    assert p.model_path == local_model_path.resolve()


@pytest.mark.e2e
def test_prompt_cache_restore_keeps_greedy_output(local_provider):
    # A, then B, then A again: the third call restores A's saved state from the prompt cache
    # (the live context holds B), which must not change what greedy decoding produces.
    other = [{"role": "user", "content": "Write a Python function is_even(n). Reply with only code."}]
    a = local_provider.complete(CODE_PROMPT, purpose="x", max_tokens=48)
    local_provider.complete(other, purpose="x", max_tokens=16)
    again = local_provider.complete(CODE_PROMPT, purpose="x", max_tokens=48)
    assert again.text == a.text
    states = list(local_provider.llm.cache.cache_state.values())
    assert states and all(s.scores.shape[0] == 1 for s in states)  # logits copies trimmed


@pytest.mark.e2e
def test_a_code_reply_stops_at_its_closing_fence(local_provider):
    prompt = [{"role": "user", "content": "Write a Python function add(a, b) in one ```python block, then explain "
                                          "it in three long paragraphs."}]
    c = local_provider.complete(prompt, purpose="generate_implementation", max_tokens=400, temperature=0.0)
    assert "def add" in c.text
    assert c.text.rstrip().endswith("```") and c.completion_tokens < 400
