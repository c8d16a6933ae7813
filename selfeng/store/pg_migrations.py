"""PostgreSQL schema as an append-only list of named migrations, tracked in `_migrations`.

The seeds' Supabase tables and column names (`agent_tools`, `tool_executions`, `workflow_patterns`),
plus what selfeng needs beside them: per-view tool vectors, past queries, sessions and messages,
relationships, workflow runs and the meta counters. Never edit or reorder an applied migration.
Each one runs in its own transaction under an advisory lock, so two processes opening a fresh
database apply it once.
"""
from __future__ import annotations

from datetime import datetime, timezone

MIGRATIONS: list[tuple[str, str]] = [
    ("m001_agent_tools", """
    CREATE TABLE agent_tools (
        id TEXT PRIMARY KEY,                 -- the seeds' key; selfeng keys tools by name, so id = name
        name TEXT NOT NULL UNIQUE,
        embedding vector,                    -- the seeds' column: the "full" view (name, signature, docstring)
        file_path TEXT,
        test_path TEXT,
        docstring TEXT NOT NULL DEFAULT '',
        code TEXT NOT NULL,
        tests TEXT NOT NULL,
        spec JSON,
        signature TEXT,
        tests_verified BOOLEAN NOT NULL DEFAULT TRUE,
        experimental BOOLEAN NOT NULL DEFAULT FALSE,
        component_tools JSON NOT NULL DEFAULT '[]',
        usage_count INTEGER NOT NULL DEFAULT 0,
        success_count INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    """),
    ("m002_tool_embeddings", """
    -- One row per (tool, view). The ANN index is per dimension (a partial expression index, created
    -- when the first vector of that size arrives), because the embedder decides the size.
    CREATE TABLE tool_embeddings (
        tool_name TEXT NOT NULL REFERENCES agent_tools(name) ON DELETE CASCADE,
        view TEXT NOT NULL,
        embedder TEXT NOT NULL,
        dim INTEGER NOT NULL,
        embedding vector NOT NULL,
        PRIMARY KEY (tool_name, view)
    );
    """),
    ("m003_tool_queries", """
    CREATE TABLE tool_queries (
        id BIGSERIAL PRIMARY KEY,
        tool_name TEXT NOT NULL REFERENCES agent_tools(name) ON DELETE CASCADE,
        query TEXT NOT NULL,
        embedder TEXT,
        embedding vector,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX tool_queries_tool ON tool_queries(tool_name);
    """),
    ("m004_sessions_messages", """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE TABLE messages (
        id BIGSERIAL PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        message_index INTEGER NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (session_id, message_index)
    );
    """),
    ("m005_tool_executions", """
    -- No FK to agent_tools: the log outlives a deleted tool.
    CREATE TABLE tool_executions (
        id SERIAL PRIMARY KEY,
        session_id TEXT,
        tool_name TEXT NOT NULL,
        execution_order INTEGER,
        inputs JSONB,
        outputs JSONB,
        success BOOLEAN NOT NULL,
        execution_time_ms DOUBLE PRECISION,
        user_prompt TEXT,
        timestamp TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX tool_executions_tool ON tool_executions(tool_name);
    CREATE INDEX tool_executions_session ON tool_executions(session_id, execution_order);
    """),
    ("m006_meta", "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"),
    ("m007_workflows", """
    CREATE TABLE workflow_patterns (
        id SERIAL PRIMARY KEY,
        pattern_name TEXT NOT NULL,
        sequence_key TEXT NOT NULL UNIQUE,   -- tool_sequence joined by " > "
        tool_sequence TEXT[] NOT NULL,
        frequency INTEGER NOT NULL DEFAULT 0,
        success_sum DOUBLE PRECISION NOT NULL DEFAULT 0,
        avg_success_rate DOUBLE PRECISION NOT NULL DEFAULT 0,
        confidence_score DOUBLE PRECISION NOT NULL DEFAULT 0,
        description TEXT NOT NULL DEFAULT '',
        embedder TEXT,
        embedding vector,
        composite_tool TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE TABLE tool_relationships (
        tool_a TEXT NOT NULL,
        tool_b TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (tool_a, tool_b)
    );
    CREATE TABLE workflow_runs (
        id BIGSERIAL PRIMARY KEY,
        session_id TEXT NOT NULL,
        sequence_key TEXT NOT NULL,
        user_prompt TEXT,
        steps JSON NOT NULL,
        success BOOLEAN NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE INDEX workflow_runs_key ON workflow_runs(sequence_key, success);
    """),
    ("m008_no_hnsw_below_ivf", """
    -- Earlier versions built an HNSW index on the first vector. Search is now exact below
    -- postgres.IVF_MIN_VECTORS vectors and uses an ivfflat index above (built by the store when the
    -- library passes that size), so the HNSW graphs go: they cost 5-60 ms per registration.
    DO $$
    DECLARE r record;
    BEGIN
      FOR r IN SELECT indexname FROM pg_indexes
               WHERE schemaname = current_schema() AND tablename = 'tool_embeddings'
                 AND indexname LIKE 'tool\\_embeddings\\_hnsw\\_%' LOOP
        EXECUTE format('DROP INDEX %I', r.indexname);
      END LOOP;
    END $$;
    """),
]

_LOCK_KEY = 0x5E1FE26  # advisory lock id: "selfeng migrations"


def migrate(conn) -> list[str]:
    """Apply pending migrations in order; `conn` is a psycopg connection (not in a transaction)."""
    done = []
    for name, sql in MIGRATIONS:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            if conn.execute("SELECT 1 FROM _migrations WHERE name = %s", (name,)).fetchone():
                continue
            conn.execute(sql)
            conn.execute("INSERT INTO _migrations (name, applied_at) VALUES (%s, %s)",
                         (name, datetime.now(timezone.utc).isoformat()))
        done.append(name)
    return done
