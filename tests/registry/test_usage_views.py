"""Usage views: example requests the model writes for a new tool become views of it (Tool2Vec)."""
from __future__ import annotations

import dataclasses
import json

import pytest

from selfeng.capability_registry import CapabilityRegistry
from selfeng.config import ConfigError, load_settings
from selfeng.llm.scripted import ScriptedProvider
from selfeng.llm_client import LLMClient

PARAPHRASE = "what is 'drawer' written back to front"
EXAMPLES = ["spell 'stressed' backwards", "write 'hello' back to front", "flip the word 'stop' around",
            "show 'abc' reversed"]
FITS = {"needed": "reverse_text", "relation": "same", "arguments": {"text": "drawer"}}


def _add(reg: CapabilityRegistry, name: str, doc: str) -> None:
    spec = {"function_name": name, "parameters": [{"name": "text", "type": "str", "description": ""}],
            "return_type": "str", "docstring": doc}
    reg.add_tool(name, f"def {name}(text: str) -> str:\n    return text\n", "", doc, spec=spec)


def _library(settings, embedder, replies: list[dict], views: int = 4) -> tuple[CapabilityRegistry,
                                                                             ScriptedProvider]:
    settings = dataclasses.replace(settings, usage_views=views)  # off by default
    provider = ScriptedProvider(replies)
    reg = CapabilityRegistry(LLMClient(provider, settings=settings), settings=settings, embedder=embedder)
    _add(reg, "reverse_string", "Return the characters of text in reverse order.")
    _add(reg, "to_uppercase", "Return text in upper case.")
    return reg, provider


def test_written_views_let_a_paraphrase_reach_the_check_and_survive_a_restart(settings, embedder):
    reg, provider = _library(settings, embedder, [
        {"purpose": "example_requests", "content": json.dumps({"requests": EXAMPLES})},
        {"purpose": "check_tool_fit", "content": json.dumps(FITS)}])
    try:
        # Below the floor on its own text: no candidate, and no model call is spent on it.
        assert reg.search_tool(PARAPHRASE) is None
        assert [c["purpose"] for c in provider.calls] == []

        assert reg.request_usage_views("reverse_string")
        assert reg.wait_for_usage_views(timeout=60)
        stored = [q["query"] for q in reg.store.list_tool_queries("reverse_string")]
        assert stored == EXAMPLES

        found = reg.search_tool(PARAPHRASE)
        assert found is not None and found["name"] == "reverse_string"
        assert [c["purpose"] for c in provider.calls] == ["example_requests", "check_tool_fit"]
        asked = provider.calls[0]
        assert asked["temperature"] > 0  # sampled: varied phrasings, not the docstring again
        assert "reverse_string(text: str) -> str" in asked["messages"][-1]["content"]
    finally:
        reg.close()

    again = CapabilityRegistry(settings=settings, embedder=embedder)
    try:
        top = again.index.search(PARAPHRASE, k=1)[0]
        assert top.name == "reverse_string" and top.similarity >= again.reject_below
    finally:
        again.close()


def test_a_bad_reply_costs_the_tool_its_views_and_nothing_else(settings, embedder):
    reg, provider = _library(settings, embedder, [
        {"purpose": "example_requests", "content": json.dumps({"requests": ["too few"]})}])
    try:
        assert reg.request_usage_views("reverse_string")
        assert reg.wait_for_usage_views(timeout=60)
        assert reg.store.list_tool_queries("reverse_string") == []
        assert reg.get_tool_by_name("reverse_string") is not None
        assert reg.search_tool(PARAPHRASE) is None
    finally:
        reg.close()


def test_zero_views_means_no_model_call(settings, embedder):
    reg, provider = _library(settings, embedder, [], views=0)
    try:
        assert not reg.request_usage_views("reverse_string")
        assert reg.wait_for_usage_views(timeout=1)
        assert provider.calls == []
    finally:
        reg.close()


@pytest.mark.parametrize("value", ["-1", "11", "four"])
def test_a_bad_view_count_is_refused(tmp_path, value):
    with pytest.raises(ConfigError, match="SELFENG_USAGE_VIEWS"):
        load_settings(env={"SELFENG_USAGE_VIEWS": value}, env_file=str(tmp_path / "absent.env"),
                      data_dir=tmp_path / "data")


class _HeldProvider(ScriptedProvider):
    """The scripted model, holding its reply until the test lets it go (a slow local model)."""

    def __init__(self, responses):
        super().__init__(responses)
        import threading
        self.release = threading.Event()

    def complete(self, messages, **kw):
        assert self.release.wait(30)
        return super().complete(messages, **kw)


def test_waiting_for_views_times_out_while_the_model_writes_then_sees_them(settings, embedder):
    provider = _HeldProvider([{"purpose": "example_requests", "content": json.dumps({"requests": EXAMPLES})}])
    reg = CapabilityRegistry(LLMClient(provider, settings=settings), embedder=embedder,
                             settings=dataclasses.replace(settings, usage_views=4))
    try:
        _add(reg, "reverse_string", "Return the characters of text in reverse order.")
        assert reg.request_usage_views("reverse_string")
        assert not reg.wait_for_usage_views(timeout=0.2)
        assert reg.store.list_tool_queries("reverse_string") == []
        provider.release.set()
        assert reg.wait_for_usage_views(timeout=30)
        assert [q["query"] for q in reg.store.list_tool_queries("reverse_string")] == EXAMPLES
    finally:
        provider.release.set()
        reg.close()
