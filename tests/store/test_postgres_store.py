"""PostgreSQL-specific checks (the shared store tests in tests/registry/test_registry_store.py run on
both stores): the seeds' schema, migrations applied once even by racing processes, exact search
below the index threshold and the ivfflat index above it, JSON that PostgreSQL refuses (NaN), replace semantics."""
from __future__ import annotations

import threading

import numpy as np
import pytest

from selfeng.store import ToolExistsError
from selfeng.store.pg_migrations import MIGRATIONS

pytestmark = [pytest.mark.usefixtures("store_backend"), pytest.mark.stores("postgres")]


@pytest.fixture
def pg():
    import os
    from selfeng.store.postgres import PostgresStore
    stores = []

    def open_store():
        s = PostgresStore(os.environ["SELFENG_DATABASE_URL"])
        stores.append(s)
        return s

    yield open_store
    for s in stores:
        s.close()


def _unit(seed: int, dim: int = 8) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_seeds_tables_and_migrations_once_even_when_racing(pg):
    opened, errors = [], []

    def open_one():
        try:
            opened.append(pg())
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]  # four processes' first start
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    store = opened[0]
    assert store.applied_migrations() == sorted(n for n, _ in MIGRATIONS)
    with store._conn() as c:
        tables = {r[0] for r in c.execute("SELECT table_name FROM information_schema.tables "
                                          "WHERE table_schema = current_schema()")}
        cols = {r[0]: r[1] for r in c.execute(
            "SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = 'agent_tools' "
            "AND table_schema = current_schema()")}
        assert c.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)
    assert {"agent_tools", "tool_executions", "workflow_patterns", "tool_embeddings", "sessions", "messages",
            "meta", "_migrations"} <= tables
    assert cols["embedding"] == "vector" and {"id", "name", "file_path", "test_path", "docstring"} <= set(cols)


def _register(store, n: int) -> None:
    for i in range(n):
        store.register_tool({"name": f"tool_{i}", "code": "x", "tests": ""}, "e",
                            {"name": _unit(i), "doc": _unit(100 + i), "full": _unit(200 + i)}, "v")


def _ivf_indexes(store) -> list[str]:
    with store._conn() as c:
        return [r[0] for r in c.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tool_embeddings' "
                                        "AND schemaname = current_schema() AND indexdef LIKE '%ivfflat%'")]


def test_small_library_search_is_exact_without_an_index(pg):
    store = pg()
    _register(store, 20)
    assert _ivf_indexes(store) == []
    with store._conn() as c:
        seeds_vec = c.execute("SELECT embedding FROM agent_tools WHERE name = 'tool_3'").fetchone()[0]
        plan = " ".join(r[0] for r in c.execute(
            "EXPLAIN SELECT tool_name FROM tool_embeddings WHERE dim = 8 AND embedder = 'e' "
            "ORDER BY embedding <#> %s::vector LIMIT 9", (_unit(7),)))
    assert np.allclose(np.asarray(seeds_vec.to_numpy()), _unit(203))   # the seeds' column: the full view
    assert "Seq Scan" in plan
    q = _unit(999)
    exact = sorted(((f"tool_{i}", max(float(_unit(s + i) @ q) for s in (0, 100, 200))) for i in range(20)),
                   key=lambda kv: -kv[1])[:5]
    hits = store.search_vectors("e", q, 5)
    assert [n for n, _ in hits] == [n for n, _ in exact]
    assert [s for _, s in hits] == pytest.approx([s for _, s in exact], abs=1e-5)
    assert store.get_meta("v") == "20"


def test_ivfflat_index_built_past_the_threshold_and_retrained_as_it_grows(pg, monkeypatch):
    from selfeng.store import pg_vector_index, postgres
    monkeypatch.setattr(pg_vector_index, "IVF_VECTORS_PER_LIST", 3)   # lists = n / 3 (at least 10)
    store = postgres.PostgresStore(__import__("os").environ["SELFENG_DATABASE_URL"], ivf_min_vectors=30)
    try:
        _register(store, 9)                     # 27 vectors: still exact
        assert _ivf_indexes(store) == []
        _register_more = [(f"more_{i}", i) for i in range(11)]
        store.register_tool({"name": "tool_9", "code": "x", "tests": ""}, "e",
                            {"name": _unit(9), "doc": _unit(109), "full": _unit(209)}, "v")
        assert _ivf_indexes(store) == ["tool_embeddings_ivf_8_10"]  # 30 vectors: built, 10 lists
        assert store.search_vectors("e", _unit(107), 1)[0][0] == "tool_7"
        for name, i in _register_more:          # at 45 vectors (15 lists' worth): re-trained
            store.register_tool({"name": name, "code": "x", "tests": ""}, "e",
                                {"name": _unit(300 + i), "doc": _unit(400 + i), "full": _unit(500 + i)}, "v")
        assert _ivf_indexes(store) == ["tool_embeddings_ivf_8_15"]
        with store._conn() as c:
            c.execute("SET LOCAL enable_seqscan = off")  # 63 rows: the planner would rather scan them
            plan = " ".join(r[0] for r in c.execute(
                "EXPLAIN SELECT tool_name FROM tool_embeddings WHERE dim = 8 AND embedder = 'e' "
                "ORDER BY embedding::vector(8) <=> %s::vector(8) LIMIT 9", (_unit(7),)))
        assert "Index Scan using tool_embeddings_ivf_8_15" in plan
        hit = store.search_vectors("e", _unit(403), 1)[0]
        assert hit[0] == "more_3" and hit[1] == pytest.approx(1.0, abs=1e-5)
    finally:
        store.close()


def test_name_conflict_and_replace_keep_history(pg):
    store = pg()
    views = {"name": _unit(1), "doc": _unit(2), "full": _unit(3)}
    row, _ = store.register_tool({"name": "t", "code": "a", "tests": ""}, "e", views, "v")
    store.record_tool_usage("t", True)
    with pytest.raises(ToolExistsError):
        store.register_tool({"name": "t", "code": "b", "tests": ""}, "e", views, "v")
    assert store.get_meta("v") == "1"  # the failed registration bumped nothing
    new, version = store.register_tool({"name": "t", "code": "b", "tests": ""}, "e", views, "v", replace=True)
    assert new["code"] == "b" and new["usage_count"] == 1 and new["created_at"] == row["created_at"]
    assert version == 2


def test_json_postgres_refuses_travels_as_strings(pg):
    store = pg()
    store.log_execution("t", "s", {"x": float("nan")}, [float("inf"), -float("inf"), 2 ** 70], True, 1.0, "p")
    row = store.get_executions(session_id="s")[0]
    assert row["inputs"] == {"x": "NaN"} and row["outputs"] == ["Infinity", "-Infinity", 2 ** 70]


def test_the_documented_supabase_search_function_finds_the_nearest_tool(pg):
    """docs/stores.md gives Supabase users the seeds' `match_agent_tools`; it must run on the schema selfeng
    creates, and rank as selfeng's own search does."""
    import re
    from pathlib import Path
    doc = (Path(__file__).resolve().parents[2] / "docs" / "stores.md").read_text()
    sql = re.search(r"(create or replace function match_agent_tools.*?\$\$;)", doc, re.S).group(1)
    store = pg()
    for i in range(5):
        store.register_tool({"name": f"tool_{i}", "code": "x", "tests": "", "docstring": f"doc {i}"}, "e",
                            {"name": _unit(i, 384), "doc": _unit(100 + i, 384), "full": _unit(200 + i, 384)}, "v")
    with store._conn() as c:
        c.execute(sql)
        rows = c.execute("SELECT name, similarity FROM match_agent_tools(%s::vector(384), 0.5, 3)",
                         (_unit(203, 384),)).fetchall()
    assert rows[0][0] == "tool_3" and rows[0][1] == pytest.approx(1.0, abs=1e-5)
    assert all(s > 0.5 for _, s in rows) and len(rows) == 1   # random 384-d vectors are nowhere near 0.5
