"""Where tool vectors are searched (`SELFENG_VECTOR_STORE`): `numpy` (default: exact, in memory),
`pgvector` (in the PostgreSQL store: exact below its index threshold, ivfflat above) or `chroma` (a
ChromaDB PersistentClient at `CHROMA_PERSIST_DIR`). Tool rows always stay in the store.

A backend answers "the N tools nearest this query vector" (best view per tool). `BackendIndex` asks it
for the candidates and then scores only those exactly as the numpy index does (cosine over views, past
queries, lexical coverage, direction), so the decision is the same and no full matrix product is needed.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from ..backends import Backends
from ..query_text import clean_query
from ..retrieval import DEFAULT_CONFIG, Candidate, RetrievalConfig, RetrievalIndex, ToolDoc
from .base import StoreError


class VectorBackend(Protocol):
    def upsert(self, name: str, views: dict[str, np.ndarray]) -> None: ...
    def delete(self, name: str) -> None: ...
    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]: ...
    def names(self) -> set[str]: ...


class PgvectorBackend:
    """Search in PostgreSQL; the store writes the vectors inside each registration's transaction."""

    def __init__(self, store: Any, embedder: str):
        if not hasattr(store, "search_vectors"):
            raise StoreError("SELFENG_VECTOR_STORE=pgvector needs SELFENG_STORE=postgres")
        self.store, self.embedder = store, embedder

    def upsert(self, name: str, views: dict[str, np.ndarray]) -> None:
        pass  # already committed with the row

    def delete(self, name: str) -> None:
        pass  # ON DELETE CASCADE

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        return self.store.search_vectors(self.embedder, query, k)

    def names(self) -> set[str]:
        return set(self.store.load_tool_vectors(self.embedder))


class ChromaBackend:
    """A Chroma collection per embedder, cosine space, one entry per (tool, view): id `tool::view`.

    Chroma is written after the store's commit, so it can lag a crash: the registry repairs it from the
    store's vectors on start (`sync`)."""

    def __init__(self, persist_dir: str | Path, embedder: str):
        try:
            import chromadb
        except ImportError as exc:
            raise StoreError("SELFENG_VECTOR_STORE=chroma needs the chromadb package "
                             "(pip install 'selfeng[chroma]')") from exc
        Path(persist_dir).mkdir(parents=True, exist_ok=True)
        from chromadb.config import Settings as ChromaSettings
        # No telemetry: selfeng runs offline and sends nothing anywhere.
        self.client = chromadb.PersistentClient(path=str(persist_dir),
                                                settings=ChromaSettings(anonymized_telemetry=False))
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", embedder)[:50]
        self.col = self.client.get_or_create_collection(f"selfeng_tools_{safe}", metadata={"hnsw:space": "cosine"})

    def upsert(self, name: str, views: dict[str, np.ndarray]) -> None:
        self.delete(name)
        self.col.upsert(ids=[f"{name}::{v}" for v in views], embeddings=[np.asarray(x) for x in views.values()],
                        metadatas=[{"tool": name, "view": v} for v in views])

    def delete(self, name: str) -> None:
        self.col.delete(where={"tool": name})

    def search(self, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        n = self.col.count()
        if n == 0:
            return []
        r = self.col.query(query_embeddings=[np.asarray(query)], n_results=min(n, k * 3),
                           include=["metadatas", "distances"])
        best: dict[str, float] = {}
        for meta, dist in zip(r["metadatas"][0], r["distances"][0]):
            best.setdefault(meta["tool"], 1.0 - float(dist))
        return sorted(best.items(), key=lambda kv: -kv[1])[:k]

    def names(self) -> set[str]:
        got = self.col.get(include=["metadatas"])
        return {m["tool"] for m in got["metadatas"]}

    def sync(self, vectors: dict[str, dict[str, np.ndarray]]) -> int:
        """Make the collection hold exactly `vectors` (the store's); returns how many tools changed."""
        have = self.names()
        stale = have - set(vectors)
        for name in stale:
            self.delete(name)
        missing = [n for n in vectors if n not in have]
        for name in missing:
            self.upsert(name, vectors[name])
        return len(stale) + len(missing)


class _Reuse:
    """An embedder stand-in for the candidate sub-index: the query was already embedded once."""

    def __init__(self, embedder, text: str, vec: np.ndarray):
        self.name, self.dim, self._text, self._vec, self._real = embedder.name, embedder.dim, text, vec, embedder

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if list(texts) == [self._text]:
            return self._vec[None, :]
        return self._real.embed(texts)


class BackendIndex(RetrievalIndex):
    """RetrievalIndex whose vector step runs in a backend; scoring of the candidates is the numpy one."""

    def __init__(self, embedder, backend: VectorBackend, config: RetrievalConfig = DEFAULT_CONFIG):
        super().__init__(embedder, config)
        self.backend = backend
        self._docs: dict[str, ToolDoc] = {}
        self._vectors: dict[str, dict[str, np.ndarray]] = {}
        self._past: dict[str, list[np.ndarray]] = {}

    live = False  # while the registry loads the index, the backend is synced in one go instead

    def go_live(self, stored: dict[str, dict[str, np.ndarray]]) -> None:
        """Repair the backend from the store's vectors (the source of truth), then mirror every change."""
        if hasattr(self.backend, "sync"):
            self.backend.sync(stored)
        self.live = True

    def add(self, doc: ToolDoc, vectors: dict[str, np.ndarray] | None = None,
            past_queries: Sequence[np.ndarray] = ()) -> dict[str, np.ndarray]:
        vectors = super().add(doc, vectors, past_queries)
        self._docs[doc.name], self._vectors[doc.name] = doc, vectors
        self._past[doc.name] = list(past_queries)
        if self.live:
            self.backend.upsert(doc.name, vectors)
        return vectors

    def add_past_query(self, name: str, vector: np.ndarray) -> None:
        super().add_past_query(name, vector)
        if name in self._past:
            self._past[name].append(vector)

    def remove(self, name: str) -> bool:
        for d in (self._docs, self._vectors, self._past):
            d.pop(name, None)
        if self.live:
            self.backend.delete(name)
        return super().remove(name)

    def search(self, query: str, k: int = 5) -> list[Candidate]:
        cfg = self.config
        text = clean_query(query) if cfg.clean else query
        qv = self.embedder.embed([text])[0]
        top = max(k, cfg.candidates)
        hits = [n for n, _ in self.backend.search(qv, top) if n in self._docs]
        # Past requests stay an in-memory view (few rows): the tools of the nearest ones are candidates too.
        if cfg.use_past_queries and self._q_owner:
            sims = self._q_mat.view @ qv
            for r in np.argsort(-sims)[:top]:
                name = self.names[self._q_owner[int(r)]]
                if name not in hits:
                    hits.append(name)
        sub = _CandidateIndex(_Reuse(self.embedder, text, qv), cfg, self)
        for n in hits:
            sub.add(self._docs[n], self._vectors[n], self._past.get(n, ()))
        return sub.search(query, k)


class _CandidateIndex(RetrievalIndex):
    """The candidates only, with the whole library's term statistics (IDF)."""

    def __init__(self, embedder, config: RetrievalConfig, full: RetrievalIndex):
        super().__init__(embedder, config)
        self._full = full

    def _idf(self, term: str) -> float:
        return self._full._idf(term)


def _numpy(settings, store, embedder) -> None:
    return None


def _pgvector(settings, store, embedder) -> VectorBackend:
    return PgvectorBackend(store, embedder.name)


def _chroma(settings, store, embedder) -> VectorBackend:
    return ChromaBackend(settings.chroma_persist_dir, embedder.name)


VECTOR_BACKENDS: Backends[VectorBackend | None] = Backends("vector store", StoreError)
VECTOR_BACKENDS.register("numpy", _numpy)
VECTOR_BACKENDS.register("pgvector", _pgvector)
VECTOR_BACKENDS.register("chroma", _chroma)


def create_index(settings, store, embedder, config: RetrievalConfig = DEFAULT_CONFIG) -> RetrievalIndex:
    """The registry's index for `settings.vector_store`."""
    backend = VECTOR_BACKENDS.create(settings.vector_store, settings, store, embedder)
    return RetrievalIndex(embedder, config) if backend is None else BackendIndex(embedder, backend, config)
