"""SQLite backend: one file, WAL, foreign keys, one connection per thread.

Requests run in background threads, so each thread gets its own connection (sqlite3 connections are
not meant to be shared); WAL lets readers run beside the single writer and busy_timeout makes writers
wait instead of failing. Writes that read-then-write (message indexes) use BEGIN IMMEDIATE so two
threads can never compute the same index.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from .base import TOOL_FIELDS, StoreError, ToolExistsError, fault_point
from .migrations import migrate

_BUSY_TIMEOUT_MS = 10_000


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _to_blob(vec: np.ndarray) -> bytes:
    return np.ascontiguousarray(vec, dtype="<f4").tobytes()


def _from_blob(blob: bytes | None, dim: int | None = None) -> np.ndarray | None:
    if blob is None:
        return None
    v = np.frombuffer(blob, dtype="<f4").astype(np.float32)
    if dim is not None and v.shape[0] != dim:
        raise StoreError(f"stored vector has {v.shape[0]} values, expected {dim}")
    return v


def _json_dump(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str)


def _json_load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class SQLiteStore:
    """The default `Store`. `path` is a file; its parent directory is created."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._closed = False
        migrate(self._conn())

    # --- connections ---

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError("store is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: we issue BEGIN ourselves, so transactions are explicit.
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False,
                                   timeout=_BUSY_TIMEOUT_MS / 1000)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
            with self._conns_lock:
                self._conns.append(conn)
        return conn

    @contextmanager
    def _tx(self, immediate: bool = True) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        with self._conns_lock:
            for c in self._conns:
                try:
                    c.close()
                except sqlite3.Error:
                    pass
            self._conns.clear()
            self._closed = True
        self._local = threading.local()

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self._conn().execute("SELECT name FROM _migrations ORDER BY rowid")]

    # --- tools ---

    @staticmethod
    def _tool_row(row: sqlite3.Row) -> dict[str, Any]:
        d = dict(row)
        d["spec"] = _json_load(d["spec"])
        d["component_tools"] = _json_load(d["component_tools"]) or []
        d["tests_verified"] = bool(d["tests_verified"])
        d["experimental"] = bool(d["experimental"])
        return d

    def insert_tool(self, tool: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        with self._tx() as c:
            return self._insert_tool(c, tool, replace)

    def register_tool(self, tool: dict[str, Any], embedder: str, views: dict[str, np.ndarray], counter: str,
                      *, replace: bool = False) -> tuple[dict[str, Any], int]:
        # BEGIN IMMEDIATE takes the write lock first, so the name check and the insert cannot interleave
        # with another process's registration of the same name.
        with self._tx() as c:
            row = self._insert_tool(c, tool, replace)
            fault_point("row")
            self._write_vectors(c, tool["name"], embedder, views)
            fault_point("vectors")
            version = self._bump(c, counter)
            fault_point("version")
        return row, version

    def _insert_tool(self, c: sqlite3.Connection, tool: dict[str, Any], replace: bool) -> dict[str, Any]:
        name = tool["name"]
        now = _now()
        old = c.execute("SELECT created_at, usage_count, success_count FROM tools WHERE name = ?",
                        (name,)).fetchone()
        if old is not None and not replace:
            raise ToolExistsError(f"a tool named {name!r} already exists")
        values = {
            "name": name, "code": tool["code"], "tests": tool.get("tests", ""),
            "docstring": tool.get("docstring") or "", "spec": _json_dump(tool.get("spec")),
            "signature": tool.get("signature"),
            "tests_verified": int(bool(tool.get("tests_verified", True))),
            "experimental": int(bool(tool.get("experimental", False))),
            "component_tools": _json_dump(list(tool.get("component_tools") or [])),
            # Replacing a tool's code keeps its history but not its stale vectors/queries.
            "usage_count": old["usage_count"] if old else 0,
            "success_count": old["success_count"] if old else 0,
            "created_at": old["created_at"] if old else now, "updated_at": now,
        }
        if old is not None:
            c.execute("DELETE FROM tool_embeddings WHERE tool_name = ?", (name,))
            sets = ", ".join(f"{k} = :{k}" for k in values if k != "name")
            c.execute(f"UPDATE tools SET {sets} WHERE name = :name", values)
        else:
            cols = ", ".join(TOOL_FIELDS)
            c.execute(f"INSERT INTO tools ({cols}) VALUES ({', '.join(':' + k for k in TOOL_FIELDS)})", values)
        return self._tool_row(c.execute("SELECT * FROM tools WHERE name = ?", (name,)).fetchone())

    def get_tool(self, name: str) -> dict[str, Any] | None:
        row = self._conn().execute("SELECT * FROM tools WHERE name = ?", (name,)).fetchone()
        return self._tool_row(row) if row else None

    def get_tools(self, names: list[str]) -> dict[str, dict[str, Any]]:
        names = list(dict.fromkeys(names))
        if not names:
            return {}
        rows = self._conn().execute(f"SELECT * FROM tools WHERE name IN ({', '.join('?' * len(names))})", names)
        return {r["name"]: r for r in map(self._tool_row, rows)}

    def list_tools(self) -> list[dict[str, Any]]:
        return [self._tool_row(r) for r in self._conn().execute("SELECT * FROM tools ORDER BY name")]

    def tool_names(self) -> list[str]:
        return [r[0] for r in self._conn().execute("SELECT name FROM tools ORDER BY name")]

    def delete_tool(self, name: str) -> bool:
        with self._tx() as c:
            cur = c.execute("DELETE FROM tools WHERE name = ?", (name,))
        return cur.rowcount > 0

    def count_tools(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM tools").fetchone()[0]

    def record_tool_usage(self, name: str, success: bool) -> None:
        with self._tx() as c:
            cur = c.execute("UPDATE tools SET usage_count = usage_count + 1, "
                            "success_count = success_count + ?, updated_at = ? WHERE name = ?",
                            (int(bool(success)), _now(), name))
            if cur.rowcount == 0:
                raise StoreError(f"no tool named {name!r}")

    # --- vectors ---

    def set_tool_vectors(self, name: str, embedder: str, views: dict[str, np.ndarray]) -> None:
        with self._tx() as c:
            self._write_vectors(c, name, embedder, views)

    @staticmethod
    def _write_vectors(c: sqlite3.Connection, name: str, embedder: str, views: dict[str, np.ndarray]) -> None:
        c.execute("DELETE FROM tool_embeddings WHERE tool_name = ?", (name,))
        c.executemany(
            "INSERT INTO tool_embeddings (tool_name, view, embedder, dim, vector) VALUES (?, ?, ?, ?, ?)",
            [(name, view, embedder, int(np.asarray(v).shape[-1]), _to_blob(v)) for view, v in views.items()])

    def load_tool_vectors(self, embedder: str) -> dict[str, dict[str, np.ndarray]]:
        out: dict[str, dict[str, np.ndarray]] = {}
        for r in self._conn().execute(
                "SELECT tool_name, view, dim, vector FROM tool_embeddings WHERE embedder = ?", (embedder,)):
            out.setdefault(r["tool_name"], {})[r["view"]] = _from_blob(r["vector"], r["dim"])
        return out

    def add_tool_query(self, name: str, query: str, embedder: str | None = None,
                       vector: np.ndarray | None = None) -> None:
        with self._tx() as c:
            c.execute("INSERT INTO tool_queries (tool_name, query, embedder, vector, created_at) "
                      "VALUES (?, ?, ?, ?, ?)",
                      (name, query, embedder, None if vector is None else _to_blob(vector), _now()))

    def list_tool_queries(self, name: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, tool_name, query, embedder, vector FROM tool_queries"
        args: tuple = ()
        if name is not None:
            sql += " WHERE tool_name = ?"
            args = (name,)
        rows = self._conn().execute(sql + " ORDER BY id", args)
        return [{**dict(r), "vector": _from_blob(r["vector"])} for r in rows]

    def set_tool_query_vectors(self, embedder: str, vectors: Iterable[tuple[int, np.ndarray]]) -> None:
        with self._tx() as c:
            c.executemany("UPDATE tool_queries SET embedder = ?, vector = ? WHERE id = ?",
                          [(embedder, _to_blob(v), int(i)) for i, v in vectors])

    # --- executions ---

    def log_execution(self, tool_name: str, session_id: str | None, inputs: Any, outputs: Any,
                      success: bool, execution_time_ms: float, user_prompt: str | None,
                      execution_order: int | None = None) -> int:
        with self._tx() as c:
            if execution_order is None and session_id is not None:
                execution_order = c.execute(
                    "SELECT COALESCE(MAX(execution_order), -1) + 1 FROM executions WHERE session_id = ?",
                    (session_id,)).fetchone()[0]
            cur = c.execute(
                "INSERT INTO executions (session_id, tool_name, execution_order, inputs, outputs, success, "
                "execution_time_ms, user_prompt, timestamp) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, tool_name, execution_order, _json_dump(inputs), _json_dump(outputs),
                 int(bool(success)), execution_time_ms, user_prompt, _now()))
        return cur.lastrowid

    def get_executions(self, *, tool_name: str | None = None, session_id: str | None = None,
                       limit: int | None = None) -> list[dict[str, Any]]:
        where, args = [], []
        if tool_name is not None:
            where.append("tool_name = ?")
            args.append(tool_name)
        if session_id is not None:
            where.append("session_id = ?")
            args.append(session_id)
        sql = "SELECT * FROM executions" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = []
        for r in self._conn().execute(sql, args):
            d = dict(r)
            d["inputs"], d["outputs"] = _json_load(d["inputs"]), _json_load(d["outputs"])
            d["success"] = bool(d["success"])
            rows.append(d)
        return rows

    # --- sessions and messages ---

    def create_session(self, session_id: str) -> None:
        now = _now()
        with self._tx() as c:
            c.execute("INSERT OR IGNORE INTO sessions (id, created_at, updated_at) VALUES (?, ?, ?)",
                      (session_id, now, now))

    def session_exists(self, session_id: str) -> bool:
        return self._conn().execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is not None

    def append_message(self, session_id: str, role: str, content: str) -> dict[str, Any]:
        now = _now()
        with self._tx() as c:
            c.execute("INSERT OR IGNORE INTO sessions (id, created_at, updated_at) VALUES (?, ?, ?)",
                      (session_id, now, now))
            idx = c.execute("SELECT COALESCE(MAX(message_index), -1) + 1 FROM messages WHERE session_id = ?",
                            (session_id,)).fetchone()[0]
            c.execute("INSERT INTO messages (session_id, message_index, role, content, created_at) "
                      "VALUES (?, ?, ?, ?, ?)", (session_id, idx, role, content, now))
            c.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session_id))
        return {"session_id": session_id, "role": role, "content": content, "message_index": idx,
                "created_at": now}

    def get_messages(self, session_id: str, limit: int = 10) -> list[dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT role, content, message_index, created_at FROM messages WHERE session_id = ? "
            "ORDER BY message_index DESC LIMIT ?", (session_id, int(limit))).fetchall()
        return [dict(r) for r in reversed(rows)]

    # --- workflows ---

    def record_workflow(self, session_id: str, sequence: list[str], success_rates: dict[tuple, float],
                        steps: list[dict], success: bool, user_prompt: str | None,
                        describe) -> list[dict[str, Any]]:
        """Count one finished workflow: every distinct mined sequence once, each adjacency once per
        occurrence, and the run itself. One transaction, increments done in SQL, so concurrent
        sessions never lose a count. `describe(seq) -> (description, embedder, vector)`."""
        now = _now()
        described = {seq: describe(list(seq)) for seq in success_rates}
        with self._tx() as c:
            for seq, rate in success_rates.items():
                key = " > ".join(seq)
                desc, embedder, vec = described[seq]
                c.execute(
                    "INSERT INTO workflow_patterns (pattern_name, sequence_key, tool_sequence, description, "
                    "embedder, embedding, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(sequence_key) DO NOTHING",
                    ("_then_".join(seq), key, json.dumps(list(seq)), desc, embedder,
                     None if vec is None else _to_blob(vec), now, now))
                c.execute(
                    "UPDATE workflow_patterns SET frequency = frequency + 1, success_sum = success_sum + ?, "
                    "avg_success_rate = (success_sum + ?) / (frequency + 1), "
                    "confidence_score = ((success_sum + ?) / (frequency + 1)) * (frequency + 1.0) / (frequency + 2.0), "
                    "updated_at = ? WHERE sequence_key = ?", (rate, rate, rate, now, key))
            for a, b in zip(sequence, sequence[1:]):
                c.execute("INSERT INTO tool_relationships (tool_a, tool_b, count, updated_at) VALUES (?, ?, 1, ?) "
                          "ON CONFLICT(tool_a, tool_b) DO UPDATE SET count = count + 1, updated_at = excluded.updated_at",
                          (a, b, now))
            c.execute("INSERT INTO workflow_runs (session_id, sequence_key, user_prompt, steps, success, created_at) "
                      "VALUES (?, ?, ?, ?, ?, ?)", (session_id, " > ".join(sequence), user_prompt,
                                                     json.dumps(steps, default=str), int(bool(success)), now))
        return [self.get_pattern(list(seq)) for seq in success_rates]

    @staticmethod
    def _pattern_row(r: sqlite3.Row) -> dict[str, Any]:
        d = dict(r)
        d["tool_sequence"] = json.loads(d["tool_sequence"])
        d.pop("embedding", None)
        return d

    def get_pattern(self, sequence: list[str]) -> dict[str, Any] | None:
        r = self._conn().execute("SELECT * FROM workflow_patterns WHERE sequence_key = ?",
                                 (" > ".join(sequence),)).fetchone()
        return None if r is None else self._pattern_row(r)

    def get_patterns(self, min_frequency: int = 1, limit: int = 10) -> list[dict[str, Any]]:
        rows = self._conn().execute(
            "SELECT * FROM workflow_patterns WHERE frequency >= ? "
            "ORDER BY frequency DESC, confidence_score DESC, id LIMIT ?", (int(min_frequency), int(limit)))
        return [self._pattern_row(r) for r in rows]

    def pattern_vectors(self, embedder: str, min_frequency: int = 1) -> list[tuple[dict, np.ndarray]]:
        rows = self._conn().execute(
            "SELECT * FROM workflow_patterns WHERE embedder = ? AND embedding IS NOT NULL AND frequency >= ?",
            (embedder, int(min_frequency)))
        return [(self._pattern_row(r), _from_blob(r["embedding"])) for r in rows]

    def set_pattern_composite(self, sequence: list[str], tool_name: str) -> None:
        with self._tx() as c:
            c.execute("UPDATE workflow_patterns SET composite_tool = ?, updated_at = ? WHERE sequence_key = ?",
                      (tool_name, _now(), " > ".join(sequence)))

    def get_relationships(self, tool_name: str | None = None) -> list[dict[str, Any]]:
        """Each a -> b with count and confidence = count / (all transitions out of a)."""
        sql = ("SELECT r.tool_a, r.tool_b, r.count, CAST(r.count AS REAL) / t.total AS confidence_score "
               "FROM tool_relationships r JOIN (SELECT tool_a, SUM(count) AS total FROM tool_relationships "
               "GROUP BY tool_a) t ON t.tool_a = r.tool_a")
        args: tuple = ()
        if tool_name is not None:
            sql += " WHERE r.tool_a = ? OR r.tool_b = ?"
            args = (tool_name, tool_name)
        return [dict(r) for r in self._conn().execute(sql + " ORDER BY r.count DESC, r.tool_a, r.tool_b", args)]

    def get_workflow_runs(self, sequence: list[str], *, success: bool | None = True,
                          limit: int = 20) -> list[dict[str, Any]]:
        sql = "SELECT * FROM workflow_runs WHERE sequence_key = ?"
        args: list = [" > ".join(sequence)]
        if success is not None:
            sql += " AND success = ?"
            args.append(int(success))
        rows = self._conn().execute(sql + " ORDER BY id DESC LIMIT ?", (*args, int(limit)))
        return [{**dict(r), "steps": json.loads(r["steps"]), "success": bool(r["success"])} for r in rows]

    # --- meta ---

    def get_meta(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def bump_counter(self, key: str) -> int:
        """Atomically add one to an integer meta value and return the new value."""
        with self._tx() as c:
            return self._bump(c, key)

    @staticmethod
    def _bump(c: sqlite3.Connection, key: str) -> int:
        c.execute("INSERT INTO meta (key, value) VALUES (?, '0') ON CONFLICT(key) DO NOTHING", (key,))
        c.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = ?", (key,))
        return int(c.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as c:
            c.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                      "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
