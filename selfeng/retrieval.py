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
import re
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np

from . import units

# --- text normalisation ------------------------------------------------------------------------

# The Snowball English stop list (snowballstem.org/algorithms/english/stop.txt), minus every word of
# direction, position or order ("to", "from", "up", "down", "before", "after", "between", "over"...):
# those tell twins apart (round_up vs round_down), so they are never dropped.
_SNOWBALL = set("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves what which who whom this that these those am is
are was were be been being have has had having do does did doing would should could ought a an the and
but if or because as until while of at by for with about against during each few more most other some
such no nor not only own same so than too very all any both here there when where why how whats
""".split())
_DIRECTION = set("to into in from out up down over under between before after above below on off "
                 "through again further then once".split())
# Politeness carries no intent either ("please reverse 'abc'").
_STOP = (_SNOWBALL | {"please", "kindly", "thanks", "thank"}) - _DIRECTION
_MARKERS_TARGET = {"to", "into", "in", "as"}
_MARKER_SOURCE = "from"

_BASE = {"2": " binary ", "8": " octal ", "10": " decimal ", "16": " hexadecimal "}
_BASE_N = re.compile(r"\bbase[- ]?(2|8|10|16)\b", re.I)

_QUOTED = re.compile(r"""(?<![\w])(['"“”‘`])(?:(?!\1).){0,500}?\1(?![\w])|“[^”]{0,500}”|‘[^’]{0,500}’""")
_LIST = re.compile(r"\[[^\]]{0,2000}\]|\{[^}]{0,2000}\}")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\b")
_PATH = re.compile(r"(?:[\w./-]*/)?[\w-]+\.(csv|json|txt|tsv|xlsx?)\b", re.I)
_URL = re.compile(r"\bhttps?://\S+", re.I)
_BINLIT = re.compile(r"\b0b[01]+\b", re.I)
_HEXLIT = re.compile(r"\b0x[0-9a-f]+\b", re.I)
_PERCENT = re.compile(r"(\d)\s*%|%")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?(?![\w])")
_WORD = re.compile(r"[a-z][a-z0-9]*")
_FREE_UNIT = re.compile(r"\b(to|in|into|from)\s+(°?[A-Za-z]{1,3})\b|(?<![\w°])(°?[A-Za-z]{1,3})\s+(to|in|into)\b")


def _spell_quantities(text: str) -> str:
    """'212°F' -> ' degree fahrenheit ', '10 lbs' -> ' pound ' (units from selfeng/units.py)."""
    out, last = [], 0
    for q in units.quantities(text):
        out.append(text[last:q.start])
        out.append(f" {q.unit.name} ")
        last = q.end
    return "".join(out) + text[last:]


def _symbol_unit(tok: str) -> str:
    # A lone lower-case letter ("to a whole number") is a word; SI letter symbols here are capitals.
    bare = tok.lstrip("°")
    unit = units.lookup(tok, after_number=True) if (len(bare) > 1 or bare.isupper()) else None
    return unit.name if unit else tok


def _spell_free_unit(m: re.Match) -> str:
    if m.group(1):
        return f"{m.group(1)} {_symbol_unit(m.group(2))}"
    return f"{_symbol_unit(m.group(3))} {m.group(4)}"


def clean_query(text: str) -> str:
    """The request's intent without its arguments: literals removed or replaced by their type."""
    t = _URL.sub(" url ", text)
    t = _EMAIL.sub(" email address ", t)
    t = _PATH.sub(lambda m: f" {m.group(1).lower()} file ", t)
    t = _DATE.sub(" date ", t)
    t = _BINLIT.sub(" binary ", t)
    t = _HEXLIT.sub(" hexadecimal ", t)
    t = _QUOTED.sub(" ", t)
    t = _LIST.sub(" ", t)
    t = _BASE_N.sub(lambda m: _BASE[m.group(1)], t)
    t = _PERCENT.sub(r"\1 percent ", t)
    t = _spell_quantities(t)
    t = _NUMBER.sub(" ", t)
    # "F to C", "km in miles": a short token on either side of to/in/into may be a unit symbol.
    t = _FREE_UNIT.sub(_spell_free_unit, t)
    t = re.sub(r"\bdegrees?\s+([CFK])\b", lambda m: _symbol_unit(m.group(1)), t)
    t = t.replace("°", " degrees ")
    return re.sub(r"\s+", " ", t).strip(" ,.;:?!") or text.strip()


def _stem(w: str) -> str:
    # Deliberately small: plural and common verb endings, enough to match "words"/"word", "sorted"/"sort".
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed") and not w.endswith("eed"):
        return w[:-2]
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-case word tokens with identifiers split (snake_case and camelCase)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("_", " ").lower()
    return _WORD.findall(text)


def _expand(tokens: Iterable[str]) -> list[str]:
    """Unit words and symbols spelled as their canonical name ("km", "kilometers" -> kilometre)."""
    out: list[str] = []
    for w in tokens:
        name = units.canonical_word(w)
        out.append(name.removeprefix("degree ").replace(" ", "") if name else w)
    return out


def content_terms(text: str) -> list[str]:
    """Stemmed content words, in order, without stopwords."""
    return [_stem(w) for w in _expand(words(text)) if w not in _STOP and len(w) > 1]


def _direction_roles(text: str) -> tuple[set[str], set[str]]:
    """(sources, targets) of a conversion request: "X to Y", "Y from X", "X in Y", "how many Y ... X"."""
    toks = [_stem(w) for w in _expand(words(text))]
    sources: set[str] = set()
    targets: set[str] = set()

    def content_words(seq, n: int = 2) -> list[str]:
        """The first run of up to `n` content words in `seq` (stop words before it are skipped)."""
        got = []
        for w in seq:
            if w in _STOP or w in _DIRECTION:
                if got:
                    break
                continue
            got.append(w)
            if len(got) == n:
                break
        return got

    def content_after(i: int, n: int = 2) -> list[str]:
        return content_words(toks[i + 1:], n)

    def content_before(i: int, n: int = 2) -> list[str]:
        return content_words(reversed(toks[:i]), n)

    asked = -1  # position of "how many/much": "how many km in 5 miles" asks for km *from* miles
    for i, w in enumerate(toks):
        if w in ("many", "much") and i > 0 and toks[i - 1] == "how":
            asked = i
        if asked >= 0 and w in ("in", "of") and i > asked:
            sources.update(content_after(i))
        elif w in _MARKERS_TARGET:
            targets.update(content_after(i))
            sources.update(content_before(i))
        elif w == _MARKER_SOURCE:
            sources.update(content_after(i))
        elif w in ("many", "much") and i > 0 and toks[i - 1] == "how":
            targets.update(content_after(i, 1))
    return sources - targets, targets - sources


def _name_pair(name: str) -> tuple[set[str], set[str]] | None:
    """`a_to_b` -> ({a terms}, {b terms}); None for names that are not conversions."""
    parts = name.split("_to_")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    a = set(content_terms(parts[0]))
    b = set(content_terms(parts[1])) - a   # seconds_to_hms: "hms" spells out to hours minutes seconds
    return (a, b) if a and b else None


def direction_score(query: str, pair: tuple[set[str], set[str]] | None) -> int:
    """-1 if the request converts opposite to the tool's a_to_b direction, else 0.

    Only a penalty: agreeing on one end ("celsius to ...") says nothing about the other end
    ("... kelvin"), so a bonus would push near-misses over the threshold.
    """
    if pair is None:
        return 0
    a, b = pair
    sources, targets = _direction_roles(query)
    return -1 if (a & targets) or (b & sources) else 0


# --- tools as documents ------------------------------------------------------------------------

@dataclass
class ToolDoc:
    name: str
    docstring: str = ""
    signature: str = ""


def view_texts(doc: ToolDoc, views: Sequence[str]) -> dict[str, str]:
    name_words = " ".join(_expand(words(doc.name)))
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
            self._pairs.append(_name_pair(doc.name))
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
