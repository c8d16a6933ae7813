"""The store (SQLite and PostgreSQL): migrations, sessions/messages, executions, meta, vectors, threads."""
from __future__ import annotations

import sqlite3
import threading

import numpy as np
import pytest

from selfeng.store import StoreError, ToolExistsError, create_store
from selfeng.store.migrations import MIGRATIONS
from selfeng.store.sqlite import SQLiteStore


@pytest.fixture
def store(settings):
    s = create_store(settings)
    yield s
    s.close()


@pytest.mark.stores("sqlite")  # SQLite's file and pragmas; tests/store/test_postgres_store.py checks PostgreSQL's
def test_migrations_recorded_once(settings, store):
    names = [n for n, _ in MIGRATIONS]
    assert store.applied_migrations() == names
    again = SQLiteStore(settings.db_path)  # reopening applies nothing twice
    assert again.applied_migrations() == names
    again.close()
    db = sqlite3.connect(settings.db_path)
    assert db.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] == len(names)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"tools", "tool_embeddings", "tool_queries", "executions", "sessions", "messages", "meta"} <= tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_foreign_keys_enforced(store):
    with pytest.raises((sqlite3.IntegrityError, StoreError)):
        store.set_tool_vectors("nope", "e", {"doc": np.ones(3, np.float32)})


def test_sessions_and_messages(store):
    assert not store.session_exists("s1")
    store.create_session("s1")
    store.create_session("s1")  # idempotent
    assert store.session_exists("s1")
    for i in range(15):
        m = store.append_message("s1", "user" if i % 2 == 0 else "assistant", f"m{i}")
        assert m["message_index"] == i
    last = store.get_messages("s1", limit=10)
    assert [m["content"] for m in last] == [f"m{i}" for i in range(5, 15)]  # the LAST 10, oldest first
    assert set(last[0]) >= {"role", "content", "message_index", "created_at"}
    assert store.get_messages("other") == []


def test_concurrent_appends_from_threads(store):
    store.create_session("s")
    errors = []

    def worker(t):
        try:
            for i in range(25):
                store.append_message("s", "user", f"{t}-{i}")
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    msgs = store.get_messages("s", limit=1000)
    assert len(msgs) == 150
    assert [m["message_index"] for m in msgs] == list(range(150))


def test_executions_and_meta(store):
    store.log_execution("t", "s", {"a": 1}, {"r": 2}, True, 3.5, "prompt")
    store.log_execution("t", "s", {"a": 2}, None, False, 1.0, "prompt")
    rows = store.get_executions(tool_name="t")
    assert [r["execution_order"] for r in rows] == [0, 1]
    assert rows[0]["inputs"] == {"a": 1} and rows[0]["success"] is True and rows[1]["success"] is False
    assert store.get_meta("k") is None
    store.set_meta("k", "v1")
    store.set_meta("k", "v2")
    assert store.get_meta("k") == "v2"


def test_tools_vectors_roundtrip(store):
    row = store.insert_tool({"name": "t", "code": "c", "tests": "x", "docstring": "d", "spec": {"a": [1]}})
    assert row["spec"] == {"a": [1]} and row["usage_count"] == 0
    with pytest.raises(ToolExistsError):
        store.insert_tool({"name": "t", "code": "c2", "tests": "x"})
    v = np.arange(4, dtype=np.float32)
    store.set_tool_vectors("t", "emb", {"doc": v})
    assert np.array_equal(store.load_tool_vectors("emb")["t"]["doc"], v)
    assert store.load_tool_vectors("other") == {}
    store.add_tool_query("t", "q", "emb", v)
    assert store.delete_tool("t") and not store.delete_tool("t")
    assert store.load_tool_vectors("emb") == {} and store.list_tool_queries() == []  # cascaded
