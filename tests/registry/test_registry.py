"""CapabilityRegistry on a real SQLite store and the real MiniLM embedder."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest

from selfeng.capability_registry import CapabilityRegistry, RegistryError
from selfeng.embeddings import EmbedderError
from selfeng.names import InvalidToolName
from selfeng.retrieval import rerank_score
from selfeng.store import ToolExistsError

REV_CODE = 'def reverse_string(s: str) -> str:\n    """Reverse s."""\n    return s[::-1]\n'
REV_TESTS = "from reverse_string import reverse_string\n\ndef test_it():\n    assert reverse_string('ab') == 'ba'\n"
C2F_SPEC = {"function_name": "celsius_to_fahrenheit", "return_type": "float",
            "parameters": [{"name": "celsius", "type": "float", "description": "degrees C"}],
            "docstring": "Convert a temperature from degrees Celsius to degrees Fahrenheit."}


def add_rev(reg, **kw):
    return reg.add_tool("reverse_string", REV_CODE, REV_TESTS, "Reverse the characters of a string.", **kw)


def add_temps(reg):
    reg.add_tool("celsius_to_fahrenheit", "def celsius_to_fahrenheit(celsius: float) -> float:\n"
                 "    return celsius * 9 / 5 + 32\n", "def test_x():\n    pass\n", C2F_SPEC["docstring"], spec=C2F_SPEC)
    reg.add_tool("fahrenheit_to_celsius", "def fahrenheit_to_celsius(fahrenheit: float) -> float:\n"
                 "    return (fahrenheit - 32) * 5 / 9\n", "def test_x():\n    pass\n",
                 "Convert a temperature from degrees Fahrenheit to degrees Celsius.")


def test_add_get_count_and_tool_dict(registry, settings):
    meta = add_rev(registry)
    assert meta["name"] == "reverse_string"
    assert meta["signature"] == "reverse_string(s: str) -> str"
    assert meta["parameters"] == [{"name": "s", "type": "str", "description": ""}]
    assert meta["return_type"] == "str" and meta["usage_count"] == 0 and meta["success_rate"] == 0.0
    for key in ("code", "tests", "docstring", "spec", "file_path", "test_path", "timestamp", "tests_verified",
                "experimental", "component_tools"):
        assert key in meta
    assert Path(meta["file_path"]) == settings.tools_dir / "reverse_string.py"
    assert Path(meta["file_path"]).read_text() == REV_CODE
    assert Path(meta["test_path"]).read_text() == REV_TESTS
    # written atomically via a temp file + os.replace: no temp file left behind
    assert sorted(p.name for p in settings.tools_dir.iterdir()) == ["reverse_string.py", "test_reverse_string.py"]
    assert registry.count_tools() == 1
    assert registry.get_tool_by_name("reverse_string")["code"] == REV_CODE
    assert registry.get_tool_by_name("nope") is None
    assert [t["name"] for t in registry.get_all_tools()] == ["reverse_string"]


def test_signature_from_spec(registry):
    add_temps(registry)
    t = registry.get_tool_by_name("celsius_to_fahrenheit")
    assert t["signature"] == "celsius_to_fahrenheit(celsius: float) -> float"
    assert t["parameters"][0]["description"] == "degrees C" and t["spec"] == C2F_SPEC


@pytest.mark.parametrize("bad", ["class", "os", "json", "../x", "Foo", "test_x"])
def test_invalid_names_write_nothing(registry, settings, bad):
    with pytest.raises(InvalidToolName):
        registry.add_tool(bad, "def f():\n    pass\n", "", "doc")
    assert registry.count_tools() == 0
    assert list(settings.tools_dir.iterdir()) == []
    assert not (settings.data_dir / "x.py").exists()


def test_no_silent_overwrite(registry):
    add_rev(registry)
    with pytest.raises(ToolExistsError):
        registry.add_tool("reverse_string", "def reverse_string(s):\n    return s\n", "", "other")
    assert registry.get_tool_by_name("reverse_string")["code"] == REV_CODE
    new = "def reverse_string(s: str) -> str:\n    return ''.join(reversed(s))\n"
    registry.add_tool("reverse_string", new, REV_TESTS, "Reverse a string.", replace=True)
    assert registry.get_tool_by_name("reverse_string")["code"] == new
    assert Path(registry.get_tool_by_name("reverse_string")["file_path"]).read_text() == new
    assert registry.count_tools() == 1


def test_search_finds_and_declines(registry):
    add_rev(registry)
    add_temps(registry)
    hit = registry.search_tool("Reverse the string 'hello world'")
    assert hit and hit["name"] == "reverse_string"
    assert hit["similarity_score"] == hit["similarity"] and "score" in hit
    assert registry.search_tool("Convert 100 F to C")["name"] == "fahrenheit_to_celsius"
    assert registry.search_tool("Convert 37 degrees Celsius to Fahrenheit")["name"] == "celsius_to_fahrenheit"
    assert registry.search_tool("What's the weather like in Paris today?") is None
    assert registry.search_tool("Convert 100 degrees Celsius to Kelvin") is None
    cands = registry.search_candidates("Convert 100 F to C", k=3)
    assert [c["name"] for c in cands][:2] == ["fahrenheit_to_celsius", "celsius_to_fahrenheit"]
    assert cands[0]["similarity"] >= cands[1]["similarity"]
    # an explicit threshold wins over the calibrated default
    assert registry.search_tool("Reverse the string 'hello world'", threshold=0.999) is None


def test_settings_threshold_overrides_default(settings, embedder):
    settings.similarity_threshold = 0.999
    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    add_rev(reg)
    assert reg.default_threshold == 0.999
    assert reg.search_tool("Reverse the string 'hello world'") is None
    reg.close()


def test_delete_removes_row_and_mirrors(registry):
    meta = add_rev(registry)
    assert registry.delete_tool("reverse_string") is True
    assert registry.delete_tool("reverse_string") is False
    assert not Path(meta["file_path"]).exists() and not Path(meta["test_path"]).exists()
    assert registry.count_tools() == 0
    assert registry.search_tool("Reverse the string 'hello world'") is None


def test_cleanup_restores_missing_mirrors_and_removes_strays(registry, settings):
    meta = add_rev(registry)
    os.remove(meta["file_path"])
    Path(meta["test_path"]).write_text("tampered")
    stray = settings.tools_dir / "ghost.py"
    stray.write_text("x = 1\n")
    (settings.tools_dir / "test_ghost.py").write_text("")
    (settings.tools_dir / "notes.txt").write_text("kept")
    assert registry.cleanup_orphaned_tools() == 2
    assert registry.count_tools() == 1  # never deleted because a mirror was missing
    assert Path(meta["file_path"]).read_text() == REV_CODE
    assert Path(meta["test_path"]).read_text() == REV_TESTS
    assert not stray.exists() and (settings.tools_dir / "notes.txt").exists()
    assert registry.cleanup_orphaned_tools() == 0


def test_persistence_and_cwd_independence(settings, embedder, tmp_path, monkeypatch):
    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    add_rev(reg)
    reg.record_usage("reverse_string", True, query="flip the text 'abc' around")
    reg.close()
    monkeypatch.chdir(tmp_path)
    os.makedirs("elsewhere")
    monkeypatch.chdir("elsewhere")
    again = CapabilityRegistry(settings=settings, embedder=embedder)
    hit = again.search_tool("Reverse the string 'hello world'")
    assert hit and hit["name"] == "reverse_string" and hit["usage_count"] == 1 and hit["success_rate"] == 1.0
    assert not Path("tools").exists()
    again.close()


def test_other_process_changes_are_seen(settings, embedder):
    a = CapabilityRegistry(settings=settings, embedder=embedder)
    b = CapabilityRegistry(settings=settings, embedder=embedder)
    add_rev(a)
    assert b.search_tool("Reverse the string 'hello world'")["name"] == "reverse_string"
    a.delete_tool("reverse_string")
    assert b.search_tool("Reverse the string 'hello world'") is None
    a.close(), b.close()


def test_rerank_formula():
    assert rerank_score(0.8, 0, 0) == pytest.approx(0.7 * 0.8 + 0.2 * 0.5)
    assert rerank_score(0.8, 4, 3) == pytest.approx(0.7 * 0.8 + 0.2 * 0.75 + 0.1 * 0.4)
    assert rerank_score(0.5, 30, 30) == pytest.approx(0.35 + 0.2 + 0.1)


def test_rerank_prefers_proven_tool_among_close_candidates(registry):
    code = "def {n}(s: str) -> str:\n    return s[::-1]\n"
    registry.add_tool("reverse_text", code.format(n="reverse_text"), "", "Reverse the characters of a text.")
    registry.add_tool("flip_text", code.format(n="flip_text"), "", "Reverse the characters of a text.")
    for _ in range(10):
        registry.record_usage("flip_text", True)
    registry.record_usage("reverse_text", False)
    q = "Reverse the characters of the text 'abc'"
    scores = {c["name"]: c for c in registry.search_candidates(q)}
    r, f = scores["reverse_text"], scores["flip_text"]
    assert f["score"] == pytest.approx(rerank_score(f["similarity"], 10, 10))
    assert r["score"] == pytest.approx(rerank_score(r["similarity"], 1, 0))
    if abs(r["similarity"] - f["similarity"]) < 0.05:
        assert registry.search_tool(q)["name"] == "flip_text"
    assert registry.search_tool(q, rerank=False)["name"] == max(scores.values(), key=lambda c: c["similarity"])["name"]


def test_record_usage_and_past_queries(registry):
    add_rev(registry)
    registry.record_usage("reverse_string", True, query="mirror the letters of 'abc'")
    registry.record_usage("reverse_string", False, query="something unrelated")
    t = registry.get_tool_by_name("reverse_string")
    assert t["usage_count"] == 2 and t["success_rate"] == 0.5
    queries = registry.store.list_tool_queries("reverse_string")
    assert [q["query"] for q in queries] == ["mirror the letters of 'abc'"]  # failures teach nothing
    cand = registry.search_candidates("mirror the letters of 'xyz'")[0]
    assert cand["name"] == "reverse_string" and cand["vector_similarity"] > 0.95


class _Truncated:
    """A different (real) embedder: MiniLM's first 128 dimensions, renormalised."""

    name = "minilm-first-128"
    dim = 128

    def __init__(self, inner):
        self.inner = inner

    def embed(self, texts):
        v = self.inner.embed(texts)[:, :128]
        return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


class _Broken:
    name = "broken"
    dim = 8

    def embed(self, texts):
        raise EmbedderError("service unreachable")


def test_embedder_switch_reembeds(settings, embedder):
    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    add_rev(reg)
    reg.record_usage("reverse_string", True, query="flip 'abc'")
    reg.close()
    other = CapabilityRegistry(settings=settings, embedder=_Truncated(embedder))
    assert other.store.get_meta("index_embedder") == "minilm-first-128"
    vecs = other.store.load_tool_vectors("minilm-first-128")["reverse_string"]
    assert all(v.shape == (128,) for v in vecs.values())
    assert all(q["embedder"] == "minilm-first-128" for q in other.store.list_tool_queries())
    assert other.search_candidates("reverse a string")[0]["name"] == "reverse_string"
    other.close()


def test_embedder_switch_refuses_clearly_when_it_cannot_embed(settings, embedder):
    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    add_rev(reg)
    reg.close()
    with pytest.raises(RegistryError, match="re-embedded"):
        CapabilityRegistry(settings=settings, embedder=_Broken())


def test_experimental_hidden_unless_allowed(registry):
    add_rev(registry, experimental=True, tests_verified=False)
    assert registry.search_tool("Reverse the string 'hello world'") is None
    registry.settings.allow_experimental = True
    assert registry.search_tool("Reverse the string 'hello world'")["name"] == "reverse_string"


def test_concurrent_adds_and_searches(registry):
    errors = []

    def add(i):
        try:
            registry.add_tool(f"tool_{i}", f"def tool_{i}(x: int) -> int:\n    return x + {i}\n", "",
                              f"Add {i} to a number.")
            registry.search_tool("add a number")
        except Exception as exc:
            errors.append(exc)

    ts = [threading.Thread(target=add, args=(i,)) for i in range(6)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert not errors and registry.count_tools() == 6
