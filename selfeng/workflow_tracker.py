"""WorkflowTracker: logs tool executions per workflow session and mines repeated sequences.

When a session ends, its tool sequence, and each 2- and 3-gram of it, count once towards
`workflow_patterns` (frequency, average success rate, confidence, an embedding of a description so
patterns can be searched); each adjacent pair counts once towards `tool_relationships`. All counters
are updated in one store transaction with increments done in SQL, so concurrent sessions lose nothing.

confidence_score = avg_success_rate × frequency / (frequency + 1): a pattern seen once is not yet trusted.
"""
from __future__ import annotations

import threading
import uuid
from typing import Any, Optional

import numpy as np

from .config import Settings, load_settings


def mined_sequences(tools: list[str], successes: list[bool]) -> dict[tuple, float]:
    """The full sequence and its 2- and 3-grams, each once, with the success rate of its steps."""
    out: dict[tuple, list[float]] = {}
    n = len(tools)
    spans = {(0, n)} if n >= 2 else set()
    for size in (2, 3):
        spans |= {(i, i + size) for i in range(0, n - size + 1)}
    for a, b in sorted(spans):
        seq = tuple(tools[a:b])
        out.setdefault(seq, []).append(sum(successes[a:b]) / (b - a))
    return {seq: sum(rates) / len(rates) for seq, rates in out.items()}


class WorkflowTracker:
    def __init__(self, store=None, *, settings: Settings | None = None, registry=None):
        self.settings = settings or load_settings()
        if store is None:
            store = registry.store if registry is not None else None
        if store is None:
            from .store import create_store
            store = create_store(self.settings)
        self.store = store
        self.registry = registry
        self._sessions: dict[str, list[tuple[str, bool]]] = {}
        self._lock = threading.Lock()
        self._local = threading.local()

    # -- sessions -------------------------------------------------------------------------------------
    def start_session(self, session_id: Optional[str] = None) -> str:
        """Begin one workflow. Returns its tracker session id (unique even within one chat session)."""
        sid = f"{session_id or 'workflow'}:{uuid.uuid4().hex[:12]}"
        with self._lock:
            self._sessions[sid] = []
        self._local.current = sid
        return sid

    def log_execution(self, tool_name: str, inputs: dict[str, Any], outputs: Any, success: bool,
                      execution_time_ms: int, user_prompt: str | None = None, *, session_id: str | None = None,
                      execution_order: int | None = None) -> None:
        sid = session_id or getattr(self._local, "current", None)
        if sid is None:
            sid = self.start_session()
        with self._lock:
            steps = self._sessions.setdefault(sid, [])
            order = len(steps) if execution_order is None else execution_order
            steps.append((tool_name, bool(success)))
        self.store.log_execution(tool_name, sid, inputs, outputs, success, execution_time_ms, user_prompt,
                                 execution_order=order)

    def end_session(self, session_id: str | None = None, *, user_prompt: str | None = None,
                    steps: list[dict] | None = None) -> list[dict[str, Any]]:
        """Mine the finished session. Returns the pattern rows it updated (empty for < 2 tools)."""
        sid = session_id or getattr(self._local, "current", None)
        with self._lock:
            executed = self._sessions.pop(sid, [])
        if getattr(self._local, "current", None) == sid:
            self._local.current = None
        tools = [t for t, _ in executed]
        if len(tools) < 2:
            return []
        rates = mined_sequences(tools, [ok for _, ok in executed])
        return self.store.record_workflow(sid, tools, rates, steps or [], all(ok for _, ok in executed),
                                          user_prompt, self._describe)

    # -- queries (seeds' API) -------------------------------------------------------------------------
    def get_workflow_patterns(self, min_frequency: int = 2, limit: int = 10) -> list[dict[str, Any]]:
        return self.store.get_patterns(min_frequency=min_frequency, limit=limit)

    def get_tool_relationships(self, tool_name: Optional[str] = None,
                               min_confidence: float = 0.5) -> list[dict[str, Any]]:
        return [r for r in self.store.get_relationships(tool_name) if r["confidence_score"] >= min_confidence]

    def get_session_history(self, session_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """Executions of a tracker session (or of every workflow in a chat session), in order."""
        rows = self.store.get_executions(session_id=session_id, limit=limit)
        if not rows:
            rows = [r for r in self.store.get_executions(limit=None)
                    if str(r.get("session_id") or "").startswith(f"{session_id}:")][:limit]
        return rows

    def get_pattern(self, sequence: list[str]) -> dict[str, Any] | None:
        return self.store.get_pattern(sequence)

    def successful_runs(self, sequence: list[str], limit: int = 20) -> list[dict[str, Any]]:
        return self.store.get_workflow_runs(sequence, success=True, limit=limit)

    def find_pattern(self, prompt: str, threshold: float = 0.7, min_frequency: int = 2) -> dict[str, Any] | None:
        """The learned multi-tool pattern whose description is closest to `prompt`, if ≥ threshold."""
        embedder = self._embedder()
        if embedder is None:
            return None
        rows = self.store.pattern_vectors(embedder.name, min_frequency=min_frequency)
        if not rows:
            return None
        q = embedder.embed([prompt])[0]
        best, best_sim = None, -1.0
        for pattern, vec in rows:
            if vec is None or len(pattern["tool_sequence"]) < 2:
                continue
            sim = float(np.dot(q, vec))
            if sim > best_sim:
                best, best_sim = pattern, sim
        if best is None or best_sim < threshold:
            return None
        return {**best, "similarity": round(best_sim, 4)}

    # -- internals ------------------------------------------------------------------------------------
    def _embedder(self):
        return getattr(self.registry, "embedder", None)

    def _describe(self, sequence: list[str]):
        """Text for a pattern: its tools' docstrings joined by 'then', and its embedding."""
        parts = []
        for name in sequence:
            tool = self.registry.get_tool_by_name(name) if self.registry is not None else None
            doc = (tool or {}).get("docstring") or name.replace("_", " ")
            parts.append(doc.rstrip(". "))
        description = "; then ".join(parts)
        embedder = self._embedder()
        if embedder is None:
            return description, None, None
        return description, embedder.name, embedder.embed([description])[0]
