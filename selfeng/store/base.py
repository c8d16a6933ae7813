"""The storage protocol. Backends (SQLite, PostgreSQL) implement it; nothing above this layer writes
SQL. Vectors cross the interface as float32 numpy arrays."""
from __future__ import annotations

import os
import signal
from typing import Any, Iterable, Protocol, runtime_checkable

import numpy as np


class StoreError(RuntimeError):
    """A storage operation failed (constraint, missing row, unusable database)."""


class ToolExistsError(StoreError, ValueError):
    """A tool with that name is already stored; replacing one must be explicit.

    Also a ValueError: callers that turn bad input into a clear message (the synthesis engine does)
    report a lost name race as "already exists", never as an internal error."""


# Steps of one registration, in order, where a test may kill the process (`fault_point`).
REGISTRATION_STEPS = ("row", "vectors", "version", "commit", "mirror_code", "mirror_tests")
_KILL_AT = "SELFENG_TEST_KILL_AT"


def fault_point(step: str) -> None:
    """Test hook: `SELFENG_TEST_KILL_AT=<step>` makes the process SIGKILL itself here, so tests can
    check that a registration interrupted at any step leaves no trace or a complete tool."""
    if os.environ.get(_KILL_AT) == step:
        os.kill(os.getpid(), signal.SIGKILL)


# Columns of a stored tool, as the dicts `get_tool`/`list_tools` return them.
TOOL_FIELDS = ("name", "code", "tests", "docstring", "spec", "signature", "tests_verified",
               "experimental", "component_tools", "usage_count", "success_count", "created_at",
               "updated_at")


@runtime_checkable
class Store(Protocol):
    # --- tools ---
    def insert_tool(self, tool: dict[str, Any], *, replace: bool = False) -> dict[str, Any]:
        """Store a tool (keys from TOOL_FIELDS; spec/component_tools as Python objects).
        Raises ToolExistsError if the name exists and not `replace`. Returns the stored row."""
    def register_tool(self, tool: dict[str, Any], embedder: str, views: dict[str, np.ndarray], counter: str,
                      *, replace: bool = False) -> tuple[dict[str, Any], int]:
        """Store a tool, its view vectors and a `counter` increment in ONE transaction.
        Returns (stored row, new counter value); raises ToolExistsError as `insert_tool`."""
    def get_tool(self, name: str) -> dict[str, Any] | None: ...
    def get_tools(self, names: list[str]) -> dict[str, dict[str, Any]]:
        """The rows of those of `names` that exist, by name: one query for a search's candidates."""
    def list_tools(self) -> list[dict[str, Any]]: ...
    def tool_names(self) -> list[str]: ...
    def delete_tool(self, name: str) -> bool:
        """Delete the tool with its vectors and past queries; False if absent."""
    def count_tools(self) -> int: ...
    def record_tool_usage(self, name: str, success: bool) -> None: ...

    # --- vectors ---
    def set_tool_vectors(self, name: str, embedder: str, views: dict[str, np.ndarray]) -> None:
        """Replace the named view vectors of one tool (view name -> 1-d float32)."""
    def load_tool_vectors(self, embedder: str) -> dict[str, dict[str, np.ndarray]]:
        """{tool name: {view: vector}} for vectors made by `embedder`."""
    def add_tool_query(self, name: str, query: str, embedder: str | None = None,
                       vector: np.ndarray | None = None) -> None:
        """Remember a past request that used the tool (multi-view retrieval)."""
    def list_tool_queries(self, name: str | None = None) -> list[dict[str, Any]]:
        """Rows {id, tool_name, query, embedder, vector (np.ndarray | None)}."""
    def set_tool_query_vectors(self, embedder: str, vectors: Iterable[tuple[int, np.ndarray]]) -> None: ...

    # --- executions ---
    def log_execution(self, tool_name: str, session_id: str | None, inputs: Any, outputs: Any,
                      success: bool, execution_time_ms: float, user_prompt: str | None,
                      execution_order: int | None = None) -> int: ...
    def get_executions(self, *, tool_name: str | None = None, session_id: str | None = None,
                       limit: int | None = None) -> list[dict[str, Any]]: ...

    # --- sessions and messages ---
    def create_session(self, session_id: str) -> None: ...
    def session_exists(self, session_id: str) -> bool: ...
    def append_message(self, session_id: str, role: str, content: str) -> dict[str, Any]: ...
    def get_messages(self, session_id: str, limit: int = 10) -> list[dict[str, Any]]: ...

    # --- workflows (patterns, relationships, runs) ---
    def record_workflow(self, session_id: str, sequence: list[str], success_rates: dict[tuple, float],
                        steps: list[dict], success: bool, user_prompt: str | None, describe) -> list[dict[str, Any]]:
        """Count one finished workflow atomically; returns the updated pattern rows."""
    def get_pattern(self, sequence: list[str]) -> dict[str, Any] | None: ...
    def get_patterns(self, min_frequency: int = 1, limit: int = 10) -> list[dict[str, Any]]: ...
    def pattern_vectors(self, embedder: str, min_frequency: int = 1) -> list[tuple[dict, np.ndarray]]: ...
    def set_pattern_composite(self, sequence: list[str], tool_name: str) -> None: ...
    def get_relationships(self, tool_name: str | None = None) -> list[dict[str, Any]]: ...
    def get_workflow_runs(self, sequence: list[str], *, success: bool | None = True,
                          limit: int = 20) -> list[dict[str, Any]]: ...

    # --- meta ---
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def bump_counter(self, key: str) -> int:
        """Atomically increment an integer meta value; returns the new value."""

    def close(self) -> None: ...
