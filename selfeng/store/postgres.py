"""PostgreSQL + pgvector backend (`SELFENG_STORE=postgres`, `SELFENG_DATABASE_URL`).

psycopg 3 with a connection pool; every method is one transaction on a pooled connection (the pool
commits when the block ends and rolls back on an exception). Vectors use the `pgvector` type. Writes
that read-then-write per session (message and execution indexes) take an advisory lock on the
session, so concurrent requests never compute the same index. The seeds' table names are kept.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterable

import numpy as np

from .base import StoreError, ToolExistsError, fault_point
from .pg_migrations import migrate
from .pg_values import iso, to_array, to_json, to_vector
from .pg_vector_index import EF_SEARCH, IVF_MIN_VECTORS, IvfflatIndex
from .pg_workflows import WorkflowTables

log = logging.getLogger(__name__)

_TOOL_COLS = ("name", "code", "tests", "docstring", "spec", "signature", "tests_verified", "experimental",
              "component_tools", "usage_count", "success_count", "created_at", "updated_at")


def _configure(conn) -> None:
    """Per pooled connection: pgvector's types, and a binary vector loader that is one np.frombuffer
    (pgvector-python's builds each vector in Python: ~0.2 ms a vector, a minute at 100k tools)."""
    from pgvector.psycopg import register_vector
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    register_vector(conn)

    class VectorLoader(Loader):
        format = Format.BINARY

        def load(self, data) -> np.ndarray:
            # pgvector's binary form: int16 dim, int16 unused, dim big-endian float32
            return np.frombuffer(data, dtype=">f4", offset=4).astype(np.float32)

    conn.adapters.register_loader(conn.adapters.types["vector"].oid, VectorLoader)


class PostgresStore(WorkflowTables):
    """The `Store` on PostgreSQL. `url` is a libpq URL/conninfo (a search_path option selects a schema)."""

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 8,
                 ivf_min_vectors: int = IVF_MIN_VECTORS):
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError as exc:  # pragma: no cover - the packages are dependencies
            raise StoreError(f"the postgres store needs psycopg[binary], psycopg_pool and pgvector: {exc}") from exc
        self._psycopg = psycopg
        self.url = url
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
                conn.autocommit = False
                migrate(conn)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open the PostgreSQL store at {url}: {exc}") from exc
        self._pool = ConnectionPool(url, min_size=min_size, max_size=max_size, configure=_configure,
                                    open=True, max_idle=60, name="selfeng")
        self.ann = IvfflatIndex(url, psycopg, ivf_min_vectors)  # how tool vectors are searched at scale

    def _conn(self):
        """A pooled connection whose block is one transaction (BEGIN and COMMIT are a round trip each)."""
        return self._pool.connection()

    @contextmanager
    def _one(self):
        """A pooled connection in autocommit, for a block of ONE statement: one round trip instead of
        three. On a loaded machine each round trip waits for the server process to get a core (measured
        3-5 ms at load 9 on 2 cores), so registration's count of them is its cost."""
        with self._pool.connection() as c:
            c.autocommit = True
            try:
                yield c
            finally:
                if not c.broken:  # a broken connection is replaced by the pool anyway
                    c.autocommit = False

    def close(self) -> None:
        self._pool.close()

    def applied_migrations(self) -> list[str]:
        with self._one() as c:
            return [r[0] for r in c.execute("SELECT name FROM _migrations ORDER BY applied_at, name")]

    # --- tools ---

    @staticmethod
    def _tool_row(cols, row) -> dict[str, Any]:
        d = dict(zip(cols, row))
        d["component_tools"] = d.get("component_tools") or []
        d["created_at"], d["updated_at"] = iso(d["created_at"]), iso(d["updated_at"])
        return {k: d[k] for k in _TOOL_COLS}

    def _select_tools(self, c, where: str = "", args: tuple = ()) -> list[dict[str, Any]]:
        cur = c.execute(f"SELECT {', '.join(_TOOL_COLS)} FROM agent_tools {where}", args)
        return [self._tool_row(_TOOL_COLS, r) for r in cur.fetchall()]

    @staticmethod
    def _tool_vals(tool: dict[str, Any], embedding: np.ndarray | None) -> dict[str, Any]:
        return {"name": tool["name"], "code": tool["code"], "tests": tool.get("tests", ""),
                "docstring": tool.get("docstring") or "", "spec": to_json(tool.get("spec")),
                "signature": tool.get("signature"), "tests_verified": bool(tool.get("tests_verified", True)),
                "experimental": bool(tool.get("experimental", False)),
                "component_tools": to_json(list(tool.get("component_tools") or [])), "embedding": to_vector(embedding)}

    def _insert_tool(self, c, tool: dict[str, Any], replace: bool,
                     embedding: np.ndarray | None = None) -> dict[str, Any]:
        """One round trip: the conflict check, the write and the stored row (RETURNING)."""
        vals = self._tool_vals(tool, embedding)
        cols = list(vals)
        # ON CONFLICT makes the name check and the insert one step: of two racing registrations,
        # the second waits for the first's commit and then sees the conflict.
        sql = (f"INSERT INTO agent_tools (id, {', '.join(cols)}) VALUES (%(name)s, "
               f"{', '.join('%(' + k + ')s' for k in cols)}) ON CONFLICT (name) ")
        if replace:
            sets = ", ".join(f"{k} = EXCLUDED.{k}" for k in cols if k != "name")
            sql += f"DO UPDATE SET {sets}, updated_at = now()"
        else:
            sql += "DO NOTHING"
        row = c.execute(sql + f" RETURNING {', '.join(_TOOL_COLS)}, (xmax <> 0) AS replaced", vals).fetchone()
        if row is None:
            raise ToolExistsError(f"a tool named {tool['name']!r} already exists")
        if row[-1]:  # replacing a tool's code keeps its history but not its stale vectors
            c.execute("DELETE FROM tool_embeddings WHERE tool_name = %s", (tool["name"],))
        return self._tool_row(_TOOL_COLS, row[:-1])

    def insert_tool(self, tool: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        with self._conn() as c:
            return self._insert_tool(c, tool, replace)

    def _register_new(self, c, tool: dict[str, Any], embedder: str, views: dict[str, np.ndarray],
                      counter: str) -> tuple[dict[str, Any], int]:
        """A new tool's row, its view vectors and the version bump as ONE statement (data-modifying
        CTEs): one round trip instead of three. The vectors and the bump come FROM the inserted row,
        so on a name conflict (DO NOTHING: no row) nothing at all is written."""
        vals = self._tool_vals(tool, views.get("full"))
        cols = list(vals)
        params = {**vals, "embedder": embedder, "counter": counter}
        rows = []
        for i, (view, v) in enumerate(views.items()):
            params.update({f"view{i}": view, f"dim{i}": int(np.asarray(v).shape[-1]), f"vec{i}": to_vector(v)})
            rows.append(f"(%(view{i})s, %(dim{i})s::int, %(vec{i})s::vector)")
        sql = (f"WITH t AS (INSERT INTO agent_tools (id, {', '.join(cols)}) VALUES (%(name)s, "
               f"{', '.join('%(' + k + ')s' for k in cols)}) ON CONFLICT (name) DO NOTHING "
               f"RETURNING {', '.join(_TOOL_COLS)}), "
               f"v AS (INSERT INTO tool_embeddings (tool_name, view, embedder, dim, embedding) "
               f"SELECT t.name, x.view, %(embedder)s, x.dim, x.embedding FROM t, "
               f"(VALUES {', '.join(rows)}) AS x (view, dim, embedding)), "
               f"m AS (INSERT INTO meta (key, value) SELECT %(counter)s, '1' FROM t ON CONFLICT (key) DO UPDATE "
               f"SET value = (meta.value::bigint + 1)::text RETURNING value) "
               f"SELECT {', '.join('t.' + k for k in _TOOL_COLS)}, (SELECT value FROM m) FROM t")
        row = c.execute(sql, params).fetchone()
        if row is None:
            raise ToolExistsError(f"a tool named {tool['name']!r} already exists")
        return self._tool_row(_TOOL_COLS, row[:-1]), int(row[-1])

    def register_tool(self, tool: dict[str, Any], embedder: str, views: dict[str, np.ndarray], counter: str,
                      *, replace: bool = False) -> tuple[dict[str, Any], int]:
        with self._conn() as c:
            if replace:
                row = self._insert_tool(c, tool, replace, views.get("full"))
                fault_point("row")
                self._write_vectors(c, tool["name"], embedder, views, fresh=True)
                fault_point("vectors")
                version = self._bump(c, counter)
            else:  # row, vectors and version are one statement; each step's fault point fires after it
                row, version = self._register_new(c, tool, embedder, views, counter)
                fault_point("row")
                fault_point("vectors")
            fault_point("version")
        self.ann.count(views)
        return row, version

    def get_tool(self, name: str) -> dict[str, Any] | None:
        with self._one() as c:
            rows = self._select_tools(c, "WHERE name = %s", (name,))
        return rows[0] if rows else None

    def get_tools(self, names: list[str]) -> dict[str, dict[str, Any]]:
        if not names:
            return {}
        with self._one() as c:
            rows = self._select_tools(c, "WHERE name = ANY(%s)", (list(dict.fromkeys(names)),))
        return {r["name"]: r for r in rows}

    def list_tools(self) -> list[dict[str, Any]]:
        with self._one() as c:
            return self._select_tools(c, "ORDER BY name")

    def tool_names(self) -> list[str]:
        with self._one() as c:
            return [r[0] for r in c.execute("SELECT name FROM agent_tools ORDER BY name")]

    def delete_tool(self, name: str) -> bool:
        with self._one() as c:
            return c.execute("DELETE FROM agent_tools WHERE name = %s", (name,)).rowcount > 0

    def count_tools(self) -> int:
        with self._one() as c:
            return c.execute("SELECT COUNT(*) FROM agent_tools").fetchone()[0]

    def record_tool_usage(self, name: str, success: bool) -> None:
        with self._one() as c:
            cur = c.execute("UPDATE agent_tools SET usage_count = usage_count + 1, "
                            "success_count = success_count + %s, updated_at = now() WHERE name = %s",
                            (int(bool(success)), name))
            if cur.rowcount == 0:
                raise StoreError(f"no tool named {name!r}")

    # --- vectors ---

    def maintain_ann_index(self, dim: int) -> str | None:
        """Build or re-train the ivfflat index for vectors of `dim` if it is due (`IvfflatIndex.maintain`)."""
        return self.ann.maintain(dim)

    @staticmethod
    def _write_vectors(c, name: str, embedder: str, views: dict[str, np.ndarray], fresh: bool = False) -> None:
        """`fresh`: the row was just written with its seeds' embedding and holds no view vectors yet."""
        if not fresh:
            c.execute("DELETE FROM tool_embeddings WHERE tool_name = %s", (name,))
        with c.cursor() as cur:
            cur.executemany("INSERT INTO tool_embeddings (tool_name, view, embedder, dim, embedding) "
                            "VALUES (%s, %s, %s, %s, %s)",
                            [(name, view, embedder, int(np.asarray(v).shape[-1]), to_vector(v)) for view, v in views.items()])
        if "full" in views and not fresh:
            c.execute("UPDATE agent_tools SET embedding = %s WHERE name = %s", (to_vector(views["full"]), name))

    def set_tool_vectors(self, name: str, embedder: str, views: dict[str, np.ndarray]) -> None:
        try:
            with self._conn() as c:
                self._write_vectors(c, name, embedder, views)
        except self._psycopg.IntegrityError as exc:
            raise StoreError(f"cannot store vectors of {name!r}: {exc}") from exc
        self.ann.count(views)

    def load_tool_vectors(self, embedder: str) -> dict[str, dict[str, np.ndarray]]:
        out: dict[str, dict[str, np.ndarray]] = {}
        # Binary results: pgvector's text form would be parsed float by float (minutes at 100k tools).
        with self._one() as c, c.cursor(binary=True) as cur:
            cur.execute("SELECT tool_name, view, embedding FROM tool_embeddings WHERE embedder = %s", (embedder,))
            for name, view, vec in cur:
                out.setdefault(name, {})[view] = to_array(vec)
        return out

    def search_vectors(self, embedder: str, query: np.ndarray, k: int, *, mode: str = "auto",
                       probes: int | None = None, ef_search: int = EF_SEARCH) -> list[tuple[str, float]]:
        """Nearest tools by cosine over every view, best view per tool, best first.

        mode "auto": exact below the ivfflat threshold, the index above (pg_vector_index.py says why); "exact";
        "ivfflat" (probes: default three tenths of the lists) and "hnsw" (ef_search) use whichever index of
        that kind exists (the benchmark builds them)."""
        dim = int(query.shape[-1])
        rows_wanted = k * 3  # up to three views per tool
        q = to_vector(query)
        with self._one() as c:
            if mode == "auto":
                lists = self.ann.lists(c, dim)
                mode = "ivfflat" if lists else "exact"
                probes = probes or IvfflatIndex.probes(lists)
            if mode == "exact":
                # No index serves <#> (negative inner product) here, so this is always a sequential scan.
                cur = c.execute(f"SELECT tool_name, embedding <#> %s::vector AS d FROM tool_embeddings "
                                f"WHERE dim = {dim} AND embedder = %s ORDER BY d LIMIT %s",
                                (q, embedder, rows_wanted))
                pairs = [(name, -float(d)) for name, d in cur]
            else:
                with c.transaction():  # SET LOCAL needs one
                    if mode == "hnsw":
                        c.execute(f"SET LOCAL hnsw.ef_search = {max(int(ef_search), rows_wanted)}")
                    else:
                        c.execute(f"SET LOCAL ivfflat.probes = {max(1, int(probes or 1))}")
                    cur = c.execute(
                        f"SELECT tool_name, embedding::vector({dim}) <=> %s::vector({dim}) AS d FROM tool_embeddings "
                        f"WHERE dim = {dim} AND embedder = %s ORDER BY d LIMIT %s", (q, embedder, rows_wanted))
                    pairs = [(name, 1.0 - float(d)) for name, d in cur]
        best: dict[str, float] = {}
        for name, sim in pairs:
            best.setdefault(name, sim)
        return sorted(best.items(), key=lambda kv: -kv[1])[:k]

    def add_tool_query(self, name: str, query: str, embedder: str | None = None,
                       vector: np.ndarray | None = None) -> None:
        with self._one() as c:
            c.execute("INSERT INTO tool_queries (tool_name, query, embedder, embedding) VALUES (%s, %s, %s, %s)",
                      (name, query, embedder, to_vector(vector)))

    def list_tool_queries(self, name: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, tool_name, query, embedder, embedding FROM tool_queries"
        args: tuple = ()
        if name is not None:
            sql += " WHERE tool_name = %s"
            args = (name,)
        with self._one() as c, c.cursor(binary=True) as cur:
            rows = cur.execute(sql + " ORDER BY id", args).fetchall()
        return [{"id": i, "tool_name": t, "query": q, "embedder": e,
                 "vector": to_array(v)} for i, t, q, e, v in rows]

    def set_tool_query_vectors(self, embedder: str, vectors: Iterable[tuple[int, np.ndarray]]) -> None:
        with self._conn() as c, c.cursor() as cur:
            cur.executemany("UPDATE tool_queries SET embedder = %s, embedding = %s WHERE id = %s",
                            [(embedder, to_vector(v), int(i)) for i, v in vectors])

    # --- executions ---

    def log_execution(self, tool_name: str, session_id: str | None, inputs: Any, outputs: Any,
                      success: bool, execution_time_ms: float, user_prompt: str | None,
                      execution_order: int | None = None) -> int:
        with self._conn() as c:
            if execution_order is None and session_id is not None:
                c.execute("SELECT pg_advisory_xact_lock(hashtext('exec:' || %s))", (session_id,))
                execution_order = c.execute(
                    "SELECT COALESCE(MAX(execution_order), -1) + 1 FROM tool_executions WHERE session_id = %s",
                    (session_id,)).fetchone()[0]
            return c.execute(
                "INSERT INTO tool_executions (session_id, tool_name, execution_order, inputs, outputs, success, "
                "execution_time_ms, user_prompt) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (session_id, tool_name, execution_order, to_json(inputs), to_json(outputs), bool(success),
                 execution_time_ms, user_prompt)).fetchone()[0]

    def get_executions(self, *, tool_name: str | None = None, session_id: str | None = None,
                       limit: int | None = None) -> list[dict[str, Any]]:
        where, args = [], []
        if tool_name is not None:
            where.append("tool_name = %s")
            args.append(tool_name)
        if session_id is not None:
            where.append("session_id = %s")
            args.append(session_id)
        sql = ("SELECT id, session_id, tool_name, execution_order, inputs, outputs, success, execution_time_ms, "
               "user_prompt, timestamp FROM tool_executions" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY id")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._one() as c:
            cur = c.execute(sql, args)
            cols = [d.name for d in cur.description]
            return [{**dict(zip(cols, r)), "timestamp": iso(r[-1])} for r in cur.fetchall()]

    # --- sessions and messages ---

    def create_session(self, session_id: str) -> None:
        with self._one() as c:
            c.execute("INSERT INTO sessions (id) VALUES (%s) ON CONFLICT (id) DO NOTHING", (session_id,))

    def session_exists(self, session_id: str) -> bool:
        with self._one() as c:
            return c.execute("SELECT 1 FROM sessions WHERE id = %s", (session_id,)).fetchone() is not None

    def append_message(self, session_id: str, role: str, content: str) -> dict[str, Any]:
        with self._conn() as c:
            c.execute("INSERT INTO sessions (id) VALUES (%s) ON CONFLICT (id) DO NOTHING", (session_id,))
            c.execute("SELECT 1 FROM sessions WHERE id = %s FOR UPDATE", (session_id,))  # serialises the index
            idx = c.execute("SELECT COALESCE(MAX(message_index), -1) + 1 FROM messages WHERE session_id = %s",
                            (session_id,)).fetchone()[0]
            created = c.execute("INSERT INTO messages (session_id, message_index, role, content) "
                                "VALUES (%s, %s, %s, %s) RETURNING created_at",
                                (session_id, idx, role, content)).fetchone()[0]
            c.execute("UPDATE sessions SET updated_at = now() WHERE id = %s", (session_id,))
        return {"session_id": session_id, "role": role, "content": content, "message_index": idx,
                "created_at": iso(created)}

    def get_messages(self, session_id: str, limit: int = 10) -> list[dict[str, Any]]:
        with self._one() as c:
            rows = c.execute("SELECT role, content, message_index, created_at FROM messages WHERE session_id = %s "
                             "ORDER BY message_index DESC LIMIT %s", (session_id, int(limit))).fetchall()
        return [{"role": r, "content": t, "message_index": i, "created_at": iso(ts)} for r, t, i, ts in reversed(rows)]

    # --- meta ---

    def get_meta(self, key: str) -> str | None:
        with self._one() as c:
            row = c.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self._one() as c:
            c.execute("INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                      (key, value))

    @staticmethod
    def _bump(c, key: str) -> int:
        return int(c.execute("INSERT INTO meta (key, value) VALUES (%s, '1') ON CONFLICT (key) DO UPDATE "
                             "SET value = (meta.value::bigint + 1)::text RETURNING value", (key,)).fetchone()[0])

    def bump_counter(self, key: str) -> int:
        with self._one() as c:
            return self._bump(c, key)
