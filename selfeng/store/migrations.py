"""SQLite schema as an append-only list of named migrations, tracked in `_migrations`.

Never edit or reorder an applied migration: add a new one at the end (simonw/llm's migrations.py style).
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def _run(db: sqlite3.Connection, script: str) -> None:
    """Execute statements one by one: executescript() would COMMIT the migration's transaction."""
    stmt = ""
    for line in script.splitlines(keepends=True):
        stmt += line
        if sqlite3.complete_statement(stmt):
            db.execute(stmt)
            stmt = ""
    if stmt.strip():
        db.execute(stmt)


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append((fn.__name__, fn))
    return fn


@migration
def m001_tools(db: sqlite3.Connection) -> None:
    _run(db, """
    CREATE TABLE tools (
        name TEXT PRIMARY KEY,
        code TEXT NOT NULL,
        tests TEXT NOT NULL,
        docstring TEXT NOT NULL DEFAULT '',
        spec TEXT,                       -- JSON
        signature TEXT,
        tests_verified INTEGER NOT NULL DEFAULT 1,
        experimental INTEGER NOT NULL DEFAULT 0,
        component_tools TEXT,            -- JSON list of tool names
        usage_count INTEGER NOT NULL DEFAULT 0,
        success_count INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    """)


@migration
def m002_tool_embeddings(db: sqlite3.Connection) -> None:
    _run(db, """
    CREATE TABLE tool_embeddings (
        tool_name TEXT NOT NULL REFERENCES tools(name) ON DELETE CASCADE,
        view TEXT NOT NULL,              -- which text was embedded: name, doc, ...
        embedder TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,            -- float32 little-endian
        PRIMARY KEY (tool_name, view)
    );
    """)


@migration
def m003_tool_queries(db: sqlite3.Connection) -> None:
    _run(db, """
    CREATE TABLE tool_queries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tool_name TEXT NOT NULL REFERENCES tools(name) ON DELETE CASCADE,
        query TEXT NOT NULL,
        embedder TEXT,
        vector BLOB,
        created_at TEXT NOT NULL
    );
    CREATE INDEX tool_queries_tool ON tool_queries(tool_name);
    """)


@migration
def m004_sessions_messages(db: sqlite3.Connection) -> None:
    _run(db, """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        message_index INTEGER NOT NULL,
        role TEXT NOT NULL,
        content TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (session_id, message_index)
    );
    """)


@migration
def m005_executions(db: sqlite3.Connection) -> None:
    # No FK to tools: the log outlives a deleted tool. session_id may be NULL (CLI one-shots).
    _run(db, """
    CREATE TABLE executions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT,
        tool_name TEXT NOT NULL,
        execution_order INTEGER,
        inputs TEXT,                     -- JSON
        outputs TEXT,                    -- JSON
        success INTEGER NOT NULL,
        execution_time_ms REAL,
        user_prompt TEXT,
        timestamp TEXT NOT NULL
    );
    CREATE INDEX executions_tool ON executions(tool_name);
    CREATE INDEX executions_session ON executions(session_id, execution_order);
    """)


@migration
def m006_meta(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")


@migration
def m007_workflows(db: sqlite3.Connection) -> None:
    # sequence_key is the tool sequence joined by " > ": one row per distinct sequence (full or n-gram).
    _run(db, """
    CREATE TABLE workflow_patterns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        pattern_name TEXT NOT NULL,
        sequence_key TEXT NOT NULL UNIQUE,
        tool_sequence TEXT NOT NULL,     -- JSON list
        frequency INTEGER NOT NULL DEFAULT 0,
        success_sum REAL NOT NULL DEFAULT 0,
        avg_success_rate REAL NOT NULL DEFAULT 0,
        confidence_score REAL NOT NULL DEFAULT 0,
        description TEXT NOT NULL DEFAULT '',
        embedder TEXT,
        embedding BLOB,
        composite_tool TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE tool_relationships (
        tool_a TEXT NOT NULL,
        tool_b TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (tool_a, tool_b)
    );
    CREATE TABLE workflow_runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        sequence_key TEXT NOT NULL,
        user_prompt TEXT,
        steps TEXT NOT NULL,             -- JSON: [{tool_name, arguments, result, bindings, status}]
        success INTEGER NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX workflow_runs_key ON workflow_runs(sequence_key, success);
    """)


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply pending migrations in order, each atomically with its `_migrations` row.

    `db` must be in autocommit mode (isolation_level=None) so the explicit BEGIN IMMEDIATE holds:
    it also serialises two processes opening the same fresh database.
    """
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = []
    for name, fn in MIGRATIONS:
        db.execute("BEGIN IMMEDIATE")
        try:
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                db.execute("COMMIT")
                continue
            fn(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                       (name, datetime.now(timezone.utc).isoformat()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        done.append(name)
    return done
