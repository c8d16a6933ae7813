"""SELFENG_VECTOR_STORE: Chroma and pgvector find the same tools as the exact numpy index, follow
registrations and deletions, and Chroma is repaired from the store on start."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfeng.capability_registry import CapabilityRegistry
from selfeng.config import load_settings
from selfeng.store.vector_backends import BackendIndex
from tests.store._workers import tool_code

RETRIEVAL_SET = json.loads((Path(__file__).parents[1] / "registry" / "retrieval_set.json").read_text())


def _registry(embedder, backend: str, store_backend: str) -> CapabilityRegistry:
    if backend == "pgvector" and store_backend != "postgres":
        pytest.skip("pgvector searches the PostgreSQL store")
    s = load_settings(vector_store=backend)
    return CapabilityRegistry(settings=s, embedder=embedder)


def _fill(reg: CapabilityRegistry) -> None:
    for t in RETRIEVAL_SET["tools"]:
        code = f"def {t['name']}(*args):\n    return None\n"
        reg.add_tool(t["name"], code, "", t["docstring"], spec=None)


@pytest.mark.parametrize("backend", ["chroma", "pgvector"])
def test_backend_ranks_like_the_exact_index(embedder, backend, store_backend):
    exact = _registry(embedder, "numpy", store_backend)
    _fill(exact)
    other = _registry(embedder, backend, store_backend)
    assert isinstance(other.index, BackendIndex)
    requests = [r["text"] for r in RETRIEVAL_SET["requests"]]
    same = sum([c["name"] for c in exact.search_candidates(q, k=3)] == [c["name"] for c in other.search_candidates(q, k=3)]
               for q in requests)
    # ANN over a small library is exact in practice; candidates are re-scored exactly
    assert same == len(requests)
    exact.close()
    other.close()


def test_chroma_follows_changes_and_is_repaired_on_start(embedder, store_backend):
    reg = _registry(embedder, "chroma", store_backend)
    reg.add_tool("add_nine", *tool_code("add_nine", 9))
    reg.add_tool("add_ten", *tool_code("add_ten", 10))
    backend = reg.index.backend
    assert backend.names() == {"add_nine", "add_ten"}
    assert reg.search_candidates("add nine to an integer", k=1)[0]["name"] == "add_nine"
    reg.delete_tool("add_ten")
    assert backend.names() == {"add_nine"}
    backend.delete("add_nine")                     # Chroma lost a write (a crash after the store's commit)
    backend.upsert("ghost_tool", {"doc": reg.index._vectors["add_nine"]["doc"]})
    reg.close()
    again = _registry(embedder, "chroma", store_backend)
    assert again.index.backend.names() == {"add_nine"}   # the store decides
    assert again.search_candidates("add nine to an integer", k=1)[0]["name"] == "add_nine"
    again.close()
