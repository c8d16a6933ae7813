"""PostgreSQL-specific checks (the shared store tests in tests/registry/test_registry_store.py run on
both stores): the seeds' schema, migrations applied once even by racing processes, the HNSW index,
vector search, JSON that PostgreSQL refuses (NaN), replace semantics."""
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


def test_register_search_and_hnsw_index(pg):
    store = pg()
    for i in range(20):
        store.register_tool({"name": f"tool_{i}", "code": "x", "tests": ""}, "e",
                            {"name": _unit(i), "doc": _unit(100 + i), "full": _unit(200 + i)}, "v")
    with store._conn() as c:
        indexdef = c.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'tool_embeddings_hnsw_8' "
                             "AND schemaname = current_schema()").fetchone()[0]
        seeds_vec = c.execute("SELECT embedding FROM agent_tools WHERE name = 'tool_3'").fetchone()[0]
    assert "hnsw" in indexdef and "m='32'" in indexdef.replace(" ", "")
    assert np.allclose(np.asarray(seeds_vec.to_numpy()), _unit(203))   # the seeds' column: the full view
    hits = store.search_vectors("e", _unit(107), 3)
    assert hits[0][0] == "tool_7" and hits[0][1] == pytest.approx(1.0, abs=1e-5)
    assert len({n for n, _ in hits}) == 3
    assert store.get_meta("v") == "20"


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
