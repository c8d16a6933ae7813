"""The openai provider against llama-cpp-python's own OpenAI-compatible server, and stand-in servers."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import jsonschema
import pytest

from selfeng.config import load_settings
from selfeng.llm import openai_compat
from selfeng.llm.base import LLMError
from selfeng.llm.openai_compat import PLACEHOLDER_KEY, OpenAICompatProvider

SCHEMA = {
    "type": "object",
    "properties": {"function_name": {"type": "string"}, "parameters": {"type": "array", "items": {"type": "string"}}},
    "required": ["function_name", "parameters"],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(local_model_path):
    pytest.importorskip("fastapi", reason="llama-cpp-python[server] extras missing: run scripts/setup")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(local_model_path), "--model_alias", "local",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2", "--verbose", "False"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {proc.stderr.read()[-2000:]}")
            try:
                with urllib.request.urlopen(url + "/v1/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not come up within 180 s")
            time.sleep(0.5)
        yield url + "/v1"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.e2e
def test_plain_completion_through_real_server(llama_server):
    p = OpenAICompatProvider(model="local", base_url=llama_server, timeout=120, max_retries=0)
    c = p.complete([{"role": "system", "content": "You are a Python expert."},
                    {"role": "user", "content": "Write a Python function add(a, b) that returns a + b. "
                                                "Reply with only code."}],
                   purpose="generate_implementation", max_tokens=64)
    assert "def add" in c.text
    assert c.prompt_tokens > 10 and 0 < c.completion_tokens <= 64 and c.seconds > 0


@pytest.mark.e2e
def test_json_schema_through_real_server(llama_server):
    # llama-cpp-python's server only knows `json_object` (+ schema): the provider falls back and remembers.
    p = OpenAICompatProvider(model="local", base_url=llama_server, timeout=120, max_retries=0)
    msgs = [{"role": "user", "content": "Name a Python function that reverses a string and its parameters."}]
    c = p.complete(msgs, purpose="generate_spec", json_schema=SCHEMA, max_tokens=96)
    jsonschema.validate(json.loads(c.text), SCHEMA)
    level = p._format_level
    c2 = p.complete(msgs, purpose="generate_spec", json_schema=SCHEMA, max_tokens=96)
    jsonschema.validate(json.loads(c2.text), SCHEMA)
    assert p._format_level == level  # no re-probing once a format worked


def _chat_reply(text: str) -> dict:
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}


def test_falls_back_from_json_schema_when_server_rejects_it(stub_server):
    def handle(method, path, body):
        if body.get("response_format", {}).get("type") == "json_schema":
            return 400, {"error": {"message": "response_format json_schema is not supported", "type": "invalid_request_error"}}
        return 200, _chat_reply('{"function_name": "f", "parameters": []}')

    srv = stub_server(handle)
    p = OpenAICompatProvider(model="m", base_url=srv.url + "/v1", max_retries=0)
    c = p.complete([{"role": "user", "content": "hi"}], purpose="generate_spec", json_schema=SCHEMA)
    assert json.loads(c.text)["function_name"] == "f"
    assert (c.prompt_tokens, c.completion_tokens) == (7, 3)
    sent = [r["body"]["response_format"] for r in srv.requests]
    assert [f["type"] for f in sent] == ["json_schema", "json_object"]
    assert sent[1]["schema"] == SCHEMA
    assert "JSON Schema" in srv.requests[0]["body"]["messages"][0]["content"]
    # The key placeholder went out: local servers ignore it, the SDK needs one.
    headers = {k.lower(): v for k, v in srv.requests[0]["headers"].items()}
    assert headers["authorization"] == f"Bearer {PLACEHOLDER_KEY}"

    srv.requests.clear()
    p.complete([{"role": "user", "content": "hi"}], purpose="generate_spec", json_schema=SCHEMA)
    assert [r["body"]["response_format"]["type"] for r in srv.requests] == ["json_object"]


def test_transient_errors_are_retried(stub_server):
    failures = {"n": 0}

    def handle(method, path, body):
        if failures["n"] < 2:
            failures["n"] += 1
            return 503, {"error": {"message": "overloaded"}}
        return 200, _chat_reply("ok")

    srv = stub_server(handle)
    p = OpenAICompatProvider(model="m", base_url=srv.url + "/v1", max_retries=2)
    assert p.complete([{"role": "user", "content": "hi"}], purpose="x").text == "ok"
    assert len(srv.requests) == 3


def test_retries_exhausted_is_an_llm_error(stub_server):
    srv = stub_server(lambda m, p, b: (500, {"error": {"message": "boom"}}))
    p = OpenAICompatProvider(model="m", base_url=srv.url + "/v1", max_retries=1)
    with pytest.raises(LLMError, match="InternalServerError"):
        p.complete([{"role": "user", "content": "hi"}], purpose="x")
    assert len(srv.requests) == 2


def test_missing_key_for_openai_is_a_clear_error(tmp_path):
    s = load_settings(env={}, env_file=tmp_path / "no.env", llm_provider="openai")
    with pytest.raises(LLMError, match="SELFENG_OPENAI_API_KEY"):
        openai_compat.from_settings(s)


def test_settings_reach_the_client(tmp_path):
    s = load_settings(env={"SELFENG_OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "SELFENG_OPENAI_MODEL": "qwen",
                           "SELFENG_LLM_TIMEOUT": "12.5", "SELFENG_LLM_MAX_RETRIES": "5"},
                      env_file=tmp_path / "no.env", llm_provider="openai")
    p = openai_compat.from_settings(s)
    assert isinstance(p, OpenAICompatProvider) and p.model == "qwen"
    assert p._client.max_retries == 5 and p._client.timeout == 12.5
    assert str(p._client.base_url).rstrip("/") == "http://127.0.0.1:9/v1"
