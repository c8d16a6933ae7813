"""CapabilityRegistry: the tool library. Stores tools (the database is the source of truth), mirrors them
as files for people, and finds the tool that fits a request — or says that none does.

Search runs on an in-memory index (selfeng/retrieval.py) loaded from stored vectors, so it costs one
query embedding plus a matrix product, whatever the library's size.
"""
from __future__ import annotations

import ast
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from .config import Settings, load_settings
from .embeddings import Embedder, EmbedderError, create_embedder
from .fit_check import Verdict
from .names import InvalidToolName, validate_tool_name
from .query_text import clean_query
from .retrieval import (DEFAULT_CONFIG, Candidate, RetrievalConfig, ToolDoc, default_threshold, rerank_score)
from .store import Store, ToolExistsError, create_store
from .store.base import fault_point
from .store.vector_backends import create_index
from .restated_need import RestatedNeeds, search_text
from .tool_decision import Bars
from .usage_views import UsageViewWriter
from . import tool_decision
from . import pyparse

__all__ = ["CapabilityRegistry", "InvalidToolName", "ToolExistsError", "RegistryError"]

# (reject below, accept without a check at or above, least request coverage for a check-free hit),
# calibrated on the tune half of tests/registry/routing_set.json by benchmarks/bench_retrieval.py.
DECISION_BANDS = (0.4, 0.75, 0.6)

_META_EMBEDDER = "index_embedder"
_META_VERSION = "library_version"   # bumped on every change, so other processes' indexes notice


class RegistryError(RuntimeError):
    """The registry cannot do what was asked (e.g. re-embedding the library failed)."""


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _signature_from_spec(spec: dict) -> tuple[str, list[dict], str] | None:
    fn = spec.get("function_name")
    if not fn:
        return None
    params = [{"name": p.get("name", ""), "type": p.get("type", "Any"), "description": p.get("description", "")}
              for p in spec.get("parameters") or []]
    ret = spec.get("return_type") or "Any"
    sig = f"{fn}({', '.join(p['name'] + ': ' + p['type'] for p in params)}) -> {ret}"
    return sig, params, ret


def _signature_from_code(name: str, code: str) -> tuple[str, list[dict], str] | None:
    try:
        tree = pyparse.parse(code)
    except SyntaxError:
        return None
    fns = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    fn = next((n for n in fns if n.name == name), fns[0] if fns else None)
    if fn is None:
        return None
    a = fn.args
    params = [{"name": arg.arg, "type": ast.unparse(arg.annotation) if arg.annotation else "Any",
               "description": ""} for arg in a.posonlyargs + a.args + a.kwonlyargs]
    ret = ast.unparse(fn.returns) if fn.returns else "Any"
    args = ast.unparse(a)
    return f"{fn.name}({args}) -> {ret}", params, ret


class CapabilityRegistry:
    """Tool storage, indexing and search, with the seeds' API.

    Args:
        settings: defaults to `load_settings()`.
        store / embedder: default to the ones `settings` names.
        llm_client: an LLMClient; with it, uncertain candidates are confirmed by `check_tool_fit`.
    """

    def __init__(self, llm_client=None, *, settings: Settings | None = None, store: Store | None = None,
                 embedder: Embedder | None = None,
                 retrieval_config: RetrievalConfig = DEFAULT_CONFIG, sandbox=None):
        self.llm_client = llm_client
        self.settings = settings or load_settings()
        self.sandbox = sandbox  # with a model too, uncertain candidates are run and compared (answer_check)
        self._answer_check = None
        self.tools_dir = Path(self.settings.tools_dir).resolve()
        self.tools_dir.mkdir(parents=True, exist_ok=True)
        self.store = store if store is not None else create_store(self.settings)
        self.embedder = embedder if embedder is not None else create_embedder(self.settings)
        self.reject_below, self.accept_at, self.min_coverage = DECISION_BANDS
        self.last_verdict: Verdict | None = None
        self._last_decision: tuple | None = None  # (question, verdict): see `decide`
        self._restated_needs = RestatedNeeds(llm_client)  # specs routing had the model write, per request
        self._config = retrieval_config
        self._lock = threading.RLock()
        self._version: str | None = None
        self._views: UsageViewWriter | None = None
        self._load_index()

    # --- index lifecycle ---

    def _bump_version(self) -> None:
        """Mark the library changed. The increment is atomic in the store, so when another process
        changed it too since we last looked, the jump is more than one and we reload."""
        self._note_version(self.store.bump_counter(_META_VERSION))

    def _note_version(self, new: int) -> None:
        """`new` is the counter after our own change: a jump of more than one means another process
        changed the library since we loaded it, so reload (which records the version it read)."""
        if new != int(self._version or 0) + 1:
            self._load_index()
        else:
            self._version = str(new)

    def _load_index(self) -> None:
        """Build the in-memory index from stored vectors, re-embedding if the embedder changed."""
        with self._lock:
            # The version is read BEFORE the tools: a tool another process registers in between makes
            # the stored version newer than ours, so the next request reloads. (Read after, the index
            # would miss that tool for good: our own later bumps are exactly +1.)
            version = self.store.get_meta(_META_VERSION)
            name = self.embedder.name
            recorded = self.store.get_meta(_META_EMBEDDER)
            tools = self.store.list_tools()
            index = create_index(self.settings, self.store, self.embedder, self._config)
            stored = self.store.load_tool_vectors(name) if recorded in (None, name) else {}
            docs = [self._doc(t) for t in tools]
            missing = [d for d in docs if any(v not in stored.get(d.name, {}) for v in self._config.views)]
            try:
                if missing:  # first run, a new embedder, or rows written without vectors
                    for d, vecs in zip(missing, index.embed_views(missing)):
                        self.store.set_tool_vectors(d.name, name, vecs)
                        stored[d.name] = vecs
                queries = self.store.list_tool_queries()
                stale = [q for q in queries if q["embedder"] != name or q["vector"] is None]
                if stale:
                    vecs = self.embedder.embed([clean_query(q["query"]) for q in stale])
                    self.store.set_tool_query_vectors(name, [(q["id"], v) for q, v in zip(stale, vecs)])
                    for q, v in zip(stale, vecs):
                        q["vector"] = v
            except EmbedderError as exc:
                raise RegistryError(
                    f"the tool index was built with {recorded!r} and must be re-embedded with {name!r}, "
                    f"but embedding failed: {exc}. Set SELFENG_EMBEDDER back to the index's embedder or "
                    f"fix the embedder's configuration.") from exc
            by_tool: dict[str, list[np.ndarray]] = {}
            for q in queries:
                by_tool.setdefault(q["tool_name"], []).append(q["vector"])
            for d in docs:
                index.add(d, stored[d.name], by_tool.get(d.name, ()))
            if recorded != name:
                self.store.set_meta(_META_EMBEDDER, name)
            if hasattr(index, "go_live"):  # an external vector backend: repaired from the store's vectors
                index.go_live({d.name: stored[d.name] for d in docs})
            self.index = index
            self._version = version

    def _refresh_if_changed(self) -> None:
        # Another process (CLI beside the web app) may have changed the library.
        if self.store.get_meta(_META_VERSION) != self._version:
            self._load_index()

    @staticmethod
    def _doc(tool: dict) -> ToolDoc:
        return ToolDoc(tool["name"], tool.get("docstring") or "", tool.get("signature") or "")

    # --- files ---

    def _paths(self, name: str) -> tuple[Path, Path]:
        validate_tool_name(name)
        code, test = (self.tools_dir / f"{name}.py").resolve(), (self.tools_dir / f"test_{name}.py").resolve()
        for p in (code, test):
            if p.parent != self.tools_dir:  # belt and braces: names are validated, paths checked anyway
                raise InvalidToolName(f"tool path {p} escapes {self.tools_dir}")
        return code, test

    def _write_mirrors(self, tool: dict) -> None:
        code_path, test_path = self._paths(tool["name"])
        _atomic_write(code_path, tool["code"])
        fault_point("mirror_code")
        _atomic_write(test_path, tool["tests"])
        fault_point("mirror_tests")

    # --- tool dicts ---

    def _tool_dict(self, row: dict) -> dict[str, Any]:
        code_path, test_path = self._paths(row["name"])
        spec = row.get("spec")
        parsed = (_signature_from_spec(spec) if isinstance(spec, dict) else None) or \
            _signature_from_code(row["name"], row["code"])
        sig, params, ret = parsed if parsed else (row.get("signature") or "", [], "Any")
        uses, wins = row["usage_count"], row["success_count"]
        return {
            "name": row["name"], "code": row["code"], "tests": row["tests"], "docstring": row["docstring"],
            "spec": spec, "signature": row.get("signature") or sig, "parameters": params, "return_type": ret,
            "file_path": str(code_path), "test_path": str(test_path), "timestamp": row["created_at"],
            "updated_at": row["updated_at"], "tests_verified": row["tests_verified"],
            "experimental": row["experimental"], "component_tools": row["component_tools"],
            "success_rate": wins / uses if uses else 0.0, "usage_count": uses, "success_count": wins,
        }

    # --- the seeds' API ---

    def add_tool(self, name: str, code: str, tests: str, docstring: str, tests_verified: bool = True, *,
                 spec: dict | None = None, experimental: bool = False,
                 component_tools: list[str] | None = None, replace: bool = False) -> dict[str, Any]:
        """Register a tool. Raises InvalidToolName, or ToolExistsError unless `replace=True`."""
        validate_tool_name(name)
        parsed = (_signature_from_spec(spec) if spec else None) or _signature_from_code(name, code)
        signature = parsed[0] if parsed else f"{name}(...)"
        row = {"name": name, "code": code, "tests": tests, "docstring": docstring or "", "spec": spec,
               "signature": signature, "tests_verified": tests_verified, "experimental": experimental,
               "component_tools": component_tools or []}
        with self._lock:
            self._refresh_if_changed()
            if not replace and self.store.get_tool(name) is not None:
                raise ToolExistsError(f"a tool named {name!r} already exists")
            vectors = self.index.embed_views([self._doc(row)])[0]  # before any write: failure leaves nothing
            # Row, vectors and version bump commit together; a crash before the commit leaves nothing,
            # after it a complete tool whose mirror files cleanup_orphaned_tools() repairs on start.
            stored, version = self.store.register_tool(row, self.embedder.name, vectors, _META_VERSION,
                                                       replace=replace)
            fault_point("commit")
            self._write_mirrors(stored)
            queries = [q["vector"] for q in self.store.list_tool_queries(name) if q["vector"] is not None]
            self.index.add(self._doc(stored), vectors, queries)
            self._note_version(version)
        return self._tool_dict(stored)

    def get_tool_by_name(self, name: str) -> dict[str, Any] | None:
        row = self.store.get_tool(name)
        return self._tool_dict(row) if row else None

    def get_all_tools(self) -> list[dict[str, Any]]:
        return [self._tool_dict(r) for r in self.store.list_tools()]

    def count_tools(self) -> int:
        return self.store.count_tools()

    def delete_tool(self, name: str) -> bool:
        """Remove the tool's row, vectors and mirror files. False if there was no such tool."""
        with self._lock:
            deleted = self.store.delete_tool(name)
            try:
                paths = self._paths(name)
            except InvalidToolName:
                paths = ()
            for p in paths:
                p.unlink(missing_ok=True)
            if deleted:
                self.index.remove(name)
                self._bump_version()
        return deleted

    def cleanup_orphaned_tools(self) -> int:
        """Reconcile mirror files with the database (the source of truth).

        A missing or edited mirror is rewritten from the database; a tool is never deleted because its
        file is gone. Stray `.py` files with no tool behind them are removed. Returns how many were removed.
        """
        with self._lock:
            tools = {r["name"]: r for r in self.store.list_tools()}
            expected: set[str] = set()
            for name, row in tools.items():
                try:
                    code_path, test_path = self._paths(name)
                except InvalidToolName:
                    continue  # a row from an older validator: keep it, but never write it to disk
                expected.update({code_path.name, test_path.name})
                for path, text in ((code_path, row["code"]), (test_path, row["tests"])):
                    if not path.is_file() or path.read_text(encoding="utf-8", errors="replace") != text:
                        _atomic_write(path, text)
            removed = 0
            for path in self.tools_dir.iterdir():
                # a leftover of an interrupted atomic write; young ones may be another writer's
                stray_tmp = (path.name.startswith(".") and path.name.endswith(".tmp")
                             and time.time() - path.stat().st_mtime > 60)
                if path.is_file() and ((path.suffix == ".py" and path.name not in expected) or stray_tmp):
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    def record_usage(self, name: str, success: bool, query: str | None = None) -> None:
        """Count a use; a successful use also remembers `query` as another view of the tool."""
        with self._lock:
            self.store.record_tool_usage(name, success)
            if query and success:
                self._remember_queries(name, [query])

    def add_usage_views(self, name: str, requests: list[str]) -> None:
        """Example requests for tool `name`, kept and searched like the requests it has answered."""
        texts = [t for t in requests if t.strip()]
        if texts and self.store.get_tool(name) is not None:
            self._remember_queries(name, texts)

    def _remember_queries(self, name: str, texts: list[str]) -> None:
        """Store `texts` as views of tool `name` and add them to the index (one version bump)."""
        vecs = self.embedder.embed([clean_query(t) for t in texts])
        with self._lock:
            for text, vec in zip(texts, vecs):
                self.store.add_tool_query(name, text, self.embedder.name, vec)
                self.index.add_past_query(name, vec)
            self._bump_version()

    def request_usage_views(self, name: str) -> bool:
        """Have the model write usage views for a new tool in the background (`usage_views`). False when
        there is no model or the setting is 0."""
        count = self.settings.usage_views
        if count <= 0 or self.llm_client is None or not hasattr(self.llm_client, "example_requests"):
            return False
        with self._lock:
            if self._views is None:
                self._views = UsageViewWriter(self, count)
        self._views.submit(name)
        return True

    def wait_for_usage_views(self, timeout: float | None = None) -> bool:
        """Block until the views asked for so far are written (for evaluations and tests)."""
        return self._views.wait(timeout) if self._views is not None else True

    # --- search ---

    @property
    def default_threshold(self) -> float:
        if self.settings.similarity_threshold is not None:
            return float(self.settings.similarity_threshold)
        return default_threshold(self.embedder.name)

    def _ranked(self, query: str, k: int) -> list[tuple[Candidate, dict]]:
        self._refresh_if_changed()
        out = []
        candidates = self.index.search(query, k=k)
        rows = self.store.get_tools([c.name for c in candidates])  # one query, not one per candidate
        for c in candidates:
            row = rows.get(c.name)
            if row is None:  # deleted by another process since the index was loaded
                continue
            c.score = rerank_score(c.similarity, row["usage_count"], row["success_count"])
            out.append((c, row))
        return out

    def _result(self, c: Candidate, row: dict) -> dict[str, Any]:
        d = self._tool_dict(row)
        d.update(similarity_score=c.similarity, similarity=c.similarity, score=c.score,
                 vector_similarity=c.vector_similarity, query_coverage=c.query_coverage,
                 name_coverage=c.name_coverage, direction=c.direction)
        return d

    def search_candidates(self, query: str, k: int = 5) -> list[dict[str, Any]]:
        """The `k` most relevant tools, best first, each with its scores (no threshold applied)."""
        return [self._result(c, row) for c, row in self._ranked(query, k)]

    def search_tool(self, query: str, threshold: float | None = None, rerank: bool = True) -> dict | None:
        """The tool that does what `query` asks, or None. The whole decision lives here.

        Candidates whose arguments cannot take the request's unit-labelled values, or whose return type
        cannot answer the kind of question asked (yes/no, how many), or that take as input what is asked
        for ("what percentage" -> a `percentage` parameter), are dropped (no model). A clear hit (score at
        or above the accept bar, request words covered, no twin-shaped rival) is returned at no model
        cost; an uncertain one is confirmed with one schema-constrained `check_tool_fit` call, whose
        argument mapping travels with the result (`fit_arguments`). Without a model client, or when that
        call fails, the calibrated threshold decides. `threshold` raises the floor; `rerank` lets usage
        statistics reorder candidates within RERANK_WINDOW.
        """
        verdict, ranked = self.decide(query, threshold, rerank)
        self.last_verdict = verdict
        if verdict.name is None:
            return None
        cand, row = next((c, r) for c, r in ranked if c.name == verdict.name)
        result = self._result(cand, row)
        result.update(fit_check={"reason": verdict.reason, "model_checked": verdict.model_checked,
                                 "needed": verdict.needed})
        if verdict.model_checked and verdict.arguments:
            result["fit_arguments"] = dict(verdict.arguments)  # the verdict is kept (`decide`): never share it
        return result

    def decide(self, query: str, threshold: float | None = None, rerank: bool = True):
        """(Verdict, ranked candidates) for `query`; see `search_tool` and `tool_decision`."""
        explicit = threshold if threshold is not None else self.settings.similarity_threshold
        bars = Bars(floor=self.reject_below if explicit is None else max(self.reject_below, float(explicit)),
                    fallback=self.default_threshold if explicit is None else float(explicit),
                    accept_at=self.accept_at, min_coverage=self.min_coverage)
        ranked = self._usable(query)
        # The planner asks whether one tool fits before the request is handled, and the handler asks
        # again: the same question over the same candidates gets the same verdict, without its model calls.
        key = (query, bars, rerank, self._version, tuple((c.name, c.score) for c, _ in ranked))
        memo = self._last_decision
        if memo is not None and memo[0] == key:
            return memo[1], ranked
        verdict = tool_decision.decide(query, [(c, self._tool_dict(r)) for c, r in ranked], bars,
                                       self.llm_client, rerank, self.answer_check, self._restated)
        self._last_decision = (key, verdict)
        return verdict, ranked

    def restated_spec(self, query: str, ask: bool = False) -> dict | None:
        """The spec the model wrote for `query` when routing restated it, or with `ask` one written now."""
        return self._restated_needs.spec(query, ask)

    def _restated(self, query: str) -> list[tuple[Candidate, dict]]:
        """The library ranked for the request restated as a function (`tool_decision._restated`)."""
        spec = self.restated_spec(query, ask=True)
        return [(c, self._tool_dict(r)) for c, r in self._usable(search_text(spec))] if spec else []

    def _usable(self, text: str) -> list[tuple[Candidate, dict]]:
        """The 5 best candidates for `text` that may answer: experimental tools only when allowed."""
        ranked = self._ranked(text, 5)
        if not self.settings.allow_experimental:
            ranked = [(c, r) for c, r in ranked if not r["experimental"]]
        return ranked

    @property
    def answer_check(self):
        """The behaviour check for uncertain candidates, when a model and a sandbox are at hand and
        `routing_answer_check` is on; it keeps its direct answers, so it is made once."""
        if not self.settings.routing_answer_check or self.sandbox is None or self.llm_client is None \
                or not hasattr(self.llm_client, "generate_solution"):
            return None
        if self._answer_check is None:
            from .answer_check import AnswerChecker  # its synthesis-side imports are not needed before
            self._answer_check = AnswerChecker(self.llm_client, self.sandbox)
        return self._answer_check

    def close(self) -> None:
        if self._views is not None:
            self._views.stop()
        self.store.close()
