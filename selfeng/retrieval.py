"""Tool retrieval that decides between "this tool" and "no tool fits".

Docstring-only cosine (the seeds' method) cannot tell near-twins apart (°C→°F vs °F→°C) and accepts
near-misses (°C→K) because arguments and topic words dominate the embedding. What helps, measured by
benchmarks/bench_retrieval.py on tests/registry/retrieval_set.json:

* query cleaning: quoted literals, numbers and lists are arguments, not intent; dropped before
  embedding, with typed literals (dates, emails, CSV paths) replaced by their type word and unit
  abbreviations (F, km, lbs) spelled out;
* several views per tool (name words, docstring, name+signature+docstring, past requests), scored by
  the best view;
* a lexical signal: how much of the request's content vocabulary (IDF-weighted) the tool covers, and
  how much of the tool's name the request mentions, which penalises "celsius to kelvin" against a
  celsius/fahrenheit tool;
* a direction cue for `a_to_b` tools: which unit the request converts *to*.

The weights and the default threshold are calibrated on the tune half of the set; the bench reports
the held-out half separately.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from .query_text import clean_query, content_terms, direction_score, expand_units, name_pair, words

# --- tools as documents ------------------------------------------------------------------------

@dataclass
class ToolDoc:
    name: str
    docstring: str = ""
    signature: str = ""


def view_texts(doc: ToolDoc, views: Sequence[str]) -> dict[str, str]:
    name_words = " ".join(expand_units(words(doc.name)))
    texts = {
        "name": name_words,
        "doc": doc.docstring or name_words,
        "full": f"{name_words}. {' '.join(words(doc.signature))}. {doc.docstring}".strip(),
    }
    return {v: texts[v] for v in views}


@dataclass(frozen=True)
class RetrievalConfig:
    views: tuple[str, ...] = ("name", "doc", "full")
    clean: bool = True
    w_vector: float = 1.0      # weights of the relevance score; they sum to 1 for the final method
    w_query_cov: float = 0.0
    w_name_cov: float = 0.0
    w_direction: float = 0.0
    use_past_queries: bool = True
    candidates: int = 30       # vector top-N that get the (costlier) lexical features


# Calibrated on the tune half of tests/registry/retrieval_set.json (benchmarks/bench_retrieval.py).
DEFAULT_CONFIG = RetrievalConfig(w_vector=0.55, w_query_cov=0.25, w_name_cov=0.2, w_direction=0.2)
DEFAULT_THRESHOLDS = {"minilm-l6-v2-int8": 0.64}
FALLBACK_THRESHOLD = 0.64

RERANK_WINDOW = 0.05  # usage statistics may reorder only candidates this close to the best relevance


def default_threshold(embedder_name: str) -> float:
    return DEFAULT_THRESHOLDS.get(embedder_name, FALLBACK_THRESHOLD)


@dataclass
class Candidate:
    name: str
    similarity: float          # the decision score (relevance) in [0, 1]
    vector_similarity: float
    query_coverage: float = 0.0
    name_coverage: float = 0.0
    direction: int = 0
    score: float = 0.0         # the seeds' rerank score


VerifyMatch = Callable[[str, list[Candidate]], "str | None"]


def _gemv(mat: np.ndarray, q: np.ndarray) -> np.ndarray:
    """mat @ q without BLAS. OpenBLAS threads a large gemv, and on a busy 2-core machine its threads
    wait on each other (and on onnxruntime's): 15-60 ms for 10k x 384. numpy's own single-threaded
    einsum loop takes ~1 ms, steadily."""
    return np.einsum("ij,j->i", mat, q)


class _Matrix:
    """A growable float32 matrix with swap-remove, so add/delete never re-stack 10k rows."""

    def __init__(self, dim: int):
        self.dim = dim
        self.data = np.zeros((16, dim), dtype=np.float32)
        self.n = 0

    def append(self, v: np.ndarray) -> None:
        if self.n == len(self.data):
            self.data = np.concatenate([self.data, np.zeros_like(self.data)])
        self.data[self.n] = v
        self.n += 1

    def set(self, i: int, v: np.ndarray) -> None:
        self.data[i] = v

    def swap_remove(self, i: int) -> None:
        self.n -= 1
        if i != self.n:
            self.data[i] = self.data[self.n]

    @property
    def view(self) -> np.ndarray:
        return self.data[:self.n]


class RetrievalIndex:
    """In-memory index over tools: exact cosine over view matrices plus lexical features."""

    def __init__(self, embedder, config: RetrievalConfig = DEFAULT_CONFIG):
        self.embedder = embedder
        self.config = config
        self._lock = threading.RLock()
        self.names: list[str] = []
        self._pos: dict[str, int] = {}
        self._mats = {v: _Matrix(embedder.dim) for v in config.views}
        self._terms: list[set[str]] = []
        self._name_terms: list[set[str]] = []
        self._pairs: list[tuple[set[str], set[str]] | None] = []
        self._df: dict[str, int] = {}
        self._q_owner: list[int] = []          # past-query rows -> tool position
        self._q_mat = _Matrix(embedder.dim)

    # --- building ---

    def embed_views(self, docs: Sequence[ToolDoc]) -> list[dict[str, np.ndarray]]:
        texts, keys = [], []
        for i, d in enumerate(docs):
            for view, text in view_texts(d, self.config.views).items():
                texts.append(text)
                keys.append((i, view))
        vecs = self.embedder.embed(texts) if texts else np.zeros((0, self.embedder.dim), np.float32)
        out: list[dict[str, np.ndarray]] = [{} for _ in docs]
        for (i, view), v in zip(keys, vecs):
            out[i][view] = v
        return out

    def add(self, doc: ToolDoc, vectors: dict[str, np.ndarray] | None = None,
            past_queries: Sequence[np.ndarray] = ()) -> dict[str, np.ndarray]:
        """Add or replace a tool. Missing view vectors are computed. Returns the view vectors."""
        if vectors is None or any(v not in vectors for v in self.config.views):
            computed = self.embed_views([doc])[0]
            vectors = {**computed, **(vectors or {})}
        with self._lock:
            if doc.name in self._pos:
                self.remove(doc.name)
            i = len(self.names)
            self.names.append(doc.name)
            self._pos[doc.name] = i
            for view, m in self._mats.items():
                m.append(vectors[view])
            terms = set(content_terms(f"{doc.name} {doc.docstring} {' '.join(words(doc.signature))}"))
            self._terms.append(terms)
            self._name_terms.append(set(content_terms(doc.name)))
            self._pairs.append(name_pair(doc.name))
            for t in terms:
                self._df[t] = self._df.get(t, 0) + 1
            for qv in past_queries:
                self._q_mat.append(qv)
                self._q_owner.append(i)
        return vectors

    def add_many(self, docs: Sequence[ToolDoc], batch: int = 256) -> None:
        for s in range(0, len(docs), batch):
            chunk = docs[s:s + batch]
            for d, vecs in zip(chunk, self.embed_views(chunk)):
                self.add(d, vecs)

    def add_past_query(self, name: str, vector: np.ndarray) -> None:
        with self._lock:
            if name in self._pos:
                self._q_mat.append(vector)
                self._q_owner.append(self._pos[name])

    def remove(self, name: str) -> bool:
        with self._lock:
            i = self._pos.pop(name, None)
            if i is None:
                return False
            for t in self._terms[i]:
                self._df[t] -= 1
                if not self._df[t]:
                    del self._df[t]
            last = len(self.names) - 1
            for m in self._mats.values():
                m.swap_remove(i)
            for lst in (self.names, self._terms, self._name_terms, self._pairs):
                lst[i] = lst[last]
                lst.pop()
            if i != last:
                self._pos[self.names[i]] = i
            # Past-query rows: drop the removed tool's, re-point the moved tool's.
            keep = [(r, (i if o == last else o)) for r, o in enumerate(self._q_owner) if o != i]
            if len(keep) != len(self._q_owner) or i != last:
                new = _Matrix(self._q_mat.dim)
                for r, _ in keep:
                    new.append(self._q_mat.data[r])
                self._q_mat = new
                self._q_owner = [o for _, o in keep]
            return True

    def __len__(self) -> int:
        return len(self.names)

    # --- scoring ---

    def _idf(self, term: str) -> float:
        n = len(self.names)
        return math.log((n + 1) / (self._df.get(term, 0) + 0.5))

    def search(self, query: str, k: int = 5) -> list[Candidate]:
        cfg = self.config
        text = clean_query(query) if cfg.clean else query
        qv = self.embedder.embed([text])[0]
        with self._lock:
            n = len(self.names)
            if n == 0:
                return []
            sims = None
            for m in self._mats.values():
                s = _gemv(m.view, qv)
                sims = s if sims is None else np.maximum(sims, s)
            if cfg.use_past_queries and self._q_owner:
                qs = _gemv(self._q_mat.view, qv)
                np.maximum.at(sims, np.asarray(self._q_owner), qs)
            top = min(n, max(k, cfg.candidates))
            idx = np.argpartition(-sims, top - 1)[:top] if top < n else np.arange(n)
            hybrid = cfg.w_query_cov or cfg.w_name_cov or cfg.w_direction
            qterms = list(dict.fromkeys(content_terms(text))) if hybrid else []
            qset = set(qterms)
            weights = {t: self._idf(t) for t in qterms}
            total = sum(weights.values())
            out = []
            for i in idx:
                i = int(i)
                vs = float(sims[i])
                qcov = sum(w for t, w in weights.items() if t in self._terms[i]) / total if total else 0.0
                nt = self._name_terms[i]
                ncov = len(nt & qset) / len(nt) if nt else 0.0
                d = direction_score(text, self._pairs[i]) if cfg.w_direction else 0
                rel = (cfg.w_vector * vs + cfg.w_query_cov * qcov + cfg.w_name_cov * ncov
                       + cfg.w_direction * d)
                out.append(Candidate(self.names[i], float(min(max(rel, 0.0), 1.0)), vs, qcov, ncov, d))
        out.sort(key=lambda c: c.similarity, reverse=True)
        return out[:k]


def rerank_score(similarity: float, usage_count: int, success_count: int) -> float:
    """The seeds' composite: 0.7·similarity + 0.2·success_rate + 0.1·min(uses/10, 1).

    A tool never used gets a success prior of 0.5, so a new tool is neither favoured nor buried.
    """
    success_rate = success_count / usage_count if usage_count else 0.5
    return 0.7 * similarity + 0.2 * success_rate + 0.1 * min(usage_count / 10, 1.0)


def decide(candidates: list[Candidate], threshold: float, *, query: str = "",
           verify_match: VerifyMatch | None = None, margin: float = 0.0) -> Candidate | None:
    """The best candidate if it clears `threshold`, else None.

    With `verify_match`, a close call (top-2 within `margin`, or the best within `margin` of the
    threshold) is handed to it with the plausible candidates; it returns a name or None.
    """
    above = [c for c in candidates if c.similarity >= threshold]
    if verify_match is not None and candidates:
        best = candidates[0]
        close = [c for c in candidates if c.similarity >= best.similarity - margin
                 and c.similarity >= threshold - margin]
        if len(close) > 1 or (close and abs(best.similarity - threshold) < margin):
            chosen = verify_match(query, close)
            return next((c for c in close if c.name == chosen), None)
    return above[0] if above else None


# --- evaluation (used by benchmarks/bench_retrieval.py and the quality regression test) ----------

@dataclass
class Figures:
    top1: float            # top-1 accuracy on answerable requests, ignoring the threshold
    decision: float        # right tool accepted, or nothing accepted when nothing fits
    false_positive: float  # share of unanswerable requests that got a tool
    n_answerable: int
    n_unanswerable: int


def rank_all(index: RetrievalIndex, requests: Sequence[dict], k: int = 5) -> list[list[Candidate]]:
    return [index.search(r["text"], k=k) for r in requests]


def figures(ranked: Sequence[list[Candidate]], requests: Sequence[dict], threshold: float) -> Figures:
    top1 = dec = fp = n_a = n_u = 0
    for cands, r in zip(ranked, requests):
        got = decide(cands, threshold)
        if r["label"] is None:
            n_u += 1
            fp += got is not None
            dec += got is None
        else:
            n_a += 1
            top1 += bool(cands) and cands[0].name == r["label"]
            dec += got is not None and got.name == r["label"]
    return Figures(top1 / max(n_a, 1), dec / max(n_a + n_u, 1), fp / max(n_u, 1), n_a, n_u)


def calibrate_threshold(ranked: Sequence[list[Candidate]], requests: Sequence[dict],
                        grid: Iterable[float] = tuple(x / 100 for x in range(20, 96))) -> float:
    """The threshold with the best decision accuracy; ties go to the middle of the best run."""
    scored = [(figures(ranked, requests, t).decision, t) for t in grid]
    best = max(s for s, _ in scored)
    run = [t for s, t in scored if s == best]
    return run[len(run) // 2]
