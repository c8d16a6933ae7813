"""Vector search backends side by side: numpy (exact, the in-memory index), PostgreSQL + pgvector
(the store's own search: an exact sequential scan below pg_vector_index.IVF_MIN_VECTORS, its ivfflat index
above; and for comparison ivfflat at pgvector's advice and HNSW, at pgvector's defaults and at wider
settings) and ChromaDB; plus registration latency on SQLite and PostgreSQL (small library, and at each
size with the store's own index in place).

    python benchmarks/bench_stores.py [--sizes 3000,10000,100000] [--queries 200] [--cache DIR]
                                      [--skip-chroma] [--hnsw-up-to 20000]

Library: the retrieval set's tools (tests/registry/retrieval_set.json) plus synthetic tools (verb x object
x qualifier, as bench_search.py), three view vectors each (name, doc, full), MiniLM. Only 10,000
synthetic combinations exist, so sizes above that add vectors derived from real ones
(normalise(a + 0.3 b + noise)): the same geometry, no new text. Recall is against exact search over
the same vectors (max cosine over views): recall@10 on synthetic requests, recall@1 on the retrieval
set's requests (top-1 must equal exact search's top-1). Latency includes the query embedding where
marked. The server is the pgserver one (python -m selfeng.store.pg_server), started and stopped here.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_search import OBJECTS, QUALS, VERBS  # noqa: E402
from selfeng.embeddings import MiniLMEmbedder  # noqa: E402
from selfeng.store.pg_vector_index import EF_SEARCH, HNSW_PARAMS  # noqa: E402
from selfeng.query_text import clean_query  # noqa: E402
from selfeng.retrieval import ToolDoc, view_texts  # noqa: E402

VIEWS = ("name", "doc", "full")


def pct(xs: list[float], p: int) -> float:
    return statistics.quantiles(xs, n=100)[p - 1] if len(xs) > 1 else xs[0]


def synthetic_tools(n: int) -> list[tuple[str, str]]:
    """bench_search.py's verb x object x qualifier tools, but named by all three words: its names
    (verb_object_<i>) embed identically for one verb and object, and HNSW graphs degrade on many
    exact-duplicate vectors (measured: the true top-1 missed for 1 request in 6), which real libraries,
    whose names are unique phrases, do not have."""
    combos = list(itertools.product(VERBS, OBJECTS, QUALS))
    random.Random(0).shuffle(combos)
    return [("_".join(f"{v} {o} {q}".split()), f"{v.capitalize()} {o} {q}.") for v, o, q in combos[:n]]


def library(emb, cache: Path) -> tuple[list[str], np.ndarray]:
    """(names, vectors[n, 3, dim]) of the real tools, embedded once and cached."""
    f = cache / "library-unique-names.npz"
    if f.exists():
        z = np.load(f, allow_pickle=False)
        return list(z["names"]), z["vecs"]
    rs = json.loads((ROOT / "tests/registry/retrieval_set.json").read_text())
    docs = [ToolDoc(t["name"], t["docstring"], t["signature"]) for t in rs["tools"]]
    docs += [ToolDoc(n, d, f"{n}(x: str) -> str") for n, d in synthetic_tools(10_000)]
    texts = [view_texts(d, VIEWS)[v] for d in docs for v in VIEWS]
    t0 = time.perf_counter()
    vecs = np.concatenate([emb.embed(texts[i:i + 512]) for i in range(0, len(texts), 512)])
    print(f"embedded {len(texts)} view texts in {time.perf_counter() - t0:.0f} s", flush=True)
    vecs = vecs.reshape(len(docs), len(VIEWS), -1).astype(np.float32)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(f, names=np.array([d.name for d in docs]), vecs=vecs)
    return [d.name for d in docs], vecs


def doc_texts() -> dict[str, tuple[str, str]]:
    """{name: (docstring, signature)} of the real tools (derived ones have none)."""
    rs = json.loads((ROOT / "tests/registry/retrieval_set.json").read_text())
    out = {t["name"]: (t["docstring"], t["signature"]) for t in rs["tools"]}
    out.update({n: (d, f"{n}(x: str) -> str") for n, d in synthetic_tools(10_000)})
    return out


def grow(names: list[str], vecs: np.ndarray, n: int) -> tuple[list[str], np.ndarray]:
    if n <= len(names):
        return names[:n], vecs[:n]
    rng = np.random.default_rng(0)
    extra = n - len(names)
    a, b = rng.integers(0, len(names), extra), rng.integers(0, len(names), extra)
    new = vecs[a] + 0.3 * vecs[b] + 0.05 * rng.standard_normal((extra, *vecs.shape[1:]), dtype=np.float32)
    new /= np.linalg.norm(new, axis=-1, keepdims=True)
    return names + [f"derived_{i}" for i in range(extra)], np.concatenate([vecs, new.astype(np.float32)])


class Exact:
    """The numpy index's method: one einsum per view, max over views."""

    def __init__(self, names, vecs):
        self.names = names
        self.mats = [np.ascontiguousarray(vecs[:, i]) for i in range(vecs.shape[1])]

    def __post_init_pos(self) -> None:
        self.pos = {n: i for i, n in enumerate(self.names)}

    def sims(self, q: np.ndarray) -> np.ndarray:
        sims = None
        for m in self.mats:
            s = np.einsum("ij,j->i", m, q)
            sims = s if sims is None else np.maximum(sims, s)
        return sims

    def search(self, q: np.ndarray, k: int) -> list[str]:
        sims = self.sims(q)
        top = np.argpartition(-sims, k)[:k]
        return [self.names[i] for i in top[np.argsort(-sims[top])]]

    def judge(self, q: np.ndarray, k: int):
        """A scorer for one query: how many of `got` are true top-k neighbours. Synthetic names repeat
        their words (convert_temperatures_17, _42...), so exact similarities tie; any tool at least as
        similar as the exact k-th counts."""
        if not hasattr(self, "pos"):
            self.__post_init_pos()
        sims = self.sims(q)
        kth = float(np.partition(-sims, k - 1)[k - 1]) * -1
        return lambda got: sum(1 for n in got[:k] if sims[self.pos[n]] >= kth - 1e-5)


class Pg:
    def __init__(self, url: str, names, vecs, embedder: str, docs: dict[str, tuple[str, str]]):
        from selfeng.store.postgres import PostgresStore
        self.store = PostgresStore(url, max_size=2)
        self.embedder = embedder
        self.dim = vecs.shape[-1]
        t0 = time.perf_counter()
        with self.store._conn() as c:
            with c.cursor().copy("COPY agent_tools (id, name, code, tests, docstring, signature) FROM STDIN") as cp:
                for n in names:
                    doc, sig = docs.get(n, ("", f"{n}(x: str) -> str"))
                    cp.write_row((n, n, f"def {n}(x: str) -> str:\n    return x\n", "", doc, sig))
            with c.cursor().copy("COPY tool_embeddings (tool_name, view, embedder, dim, embedding) "
                                 "FROM STDIN WITH (FORMAT BINARY)") as cp:
                cp.set_types(["text", "text", "text", "int4", "vector"])
                for n, row in zip(names, vecs):
                    for v, vec in zip(VIEWS, row):
                        cp.write_row((n, v, embedder, self.dim, vec))
        with self.store._psycopg.connect(url, autocommit=True) as c:
            c.execute("VACUUM ANALYZE tool_embeddings")
        self.load_s = time.perf_counter() - t0

    def drop_indexes(self) -> None:
        with self.store._conn() as c:
            for (name,) in c.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'tool_embeddings' "
                                     "AND schemaname = current_schema() AND indexdef ~ '(hnsw|ivfflat)'").fetchall():
                c.execute(f'DROP INDEX "{name}"')
        self.store.ann.forget()

    def build(self, kind: str, rows: int, params: str = "") -> float:
        """A comparison index (the store's own is built by store.maintain_ann_index)."""
        self.drop_indexes()
        t0 = time.perf_counter()
        with self.store._conn() as c:
            c.execute("SET maintenance_work_mem = '1GB'")
            expr = f"((embedding::vector({self.dim})) vector_cosine_ops)"
            if kind == "hnsw":
                c.execute(f"CREATE INDEX tool_embeddings_hnsw_{self.dim} ON tool_embeddings USING hnsw {expr} "
                          f"{params} WHERE dim = {self.dim}")
            else:  # pgvector's advice: lists = rows / 1000 up to 1M rows
                c.execute(f"CREATE INDEX tool_embeddings_ivfcmp_{self.dim} ON tool_embeddings USING ivfflat {expr} "
                          f"WITH (lists = {max(rows // 1000, 10)}) WHERE dim = {self.dim}")
            c.execute("ANALYZE tool_embeddings")
        return time.perf_counter() - t0

    def search(self, q: np.ndarray, k: int, mode: str, value: int | None = None) -> list[str]:
        kw = {"ef_search": value} if mode == "hnsw" else {"probes": value} if value else {}
        return [n for n, _ in self.store.search_vectors(self.embedder, q, k, mode=mode, **kw)]

    def plan(self, q: np.ndarray) -> str:
        with self.store._conn() as c:
            rows = c.execute(f"EXPLAIN SELECT tool_name FROM tool_embeddings WHERE dim = {self.dim} AND embedder = %s "
                             f"ORDER BY embedding::vector({self.dim}) <=> %s::vector({self.dim}) LIMIT 30",
                             (self.embedder, q)).fetchall()
        return " | ".join(r[0].strip() for r in rows if "Index" in r[0] or "Seq Scan" in r[0])


class Chroma:
    def __init__(self, path: str, names, vecs):
        import chromadb
        from chromadb.config import Settings
        self.client = chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))
        self.col = self.client.create_collection("bench", metadata={"hnsw:space": "cosine"})
        t0 = time.perf_counter()
        ids = [f"{n}::{v}" for n in names for v in VIEWS]
        flat = vecs.reshape(-1, vecs.shape[-1])
        step = 5000
        for s in range(0, len(ids), step):
            self.col.add(ids=ids[s:s + step], embeddings=flat[s:s + step],
                         metadatas=[{"tool": i.split("::")[0]} for i in ids[s:s + step]])
        self.load_s = time.perf_counter() - t0

    def search(self, q: np.ndarray, k: int) -> list[str]:
        r = self.col.query(query_embeddings=[q], n_results=k * 3, include=["metadatas"])
        return list(dict.fromkeys(m["tool"] for m in r["metadatas"][0]))[:k]


def measure(fn, qs: list[np.ndarray], judges: list, k: int) -> dict:
    lat, hits = [], 0
    for q, judge in zip(qs, judges):
        t = time.perf_counter()
        got = fn(q, k)
        lat.append((time.perf_counter() - t) * 1000)
        hits += judge(got)
    return {"p50": statistics.median(lat), "p95": pct(lat, 95), "recall": hits / (k * len(qs))}


def pipeline(url: str, emb, rs_requests: list[str], queries: list[str]) -> tuple[float, float, float, float, float]:
    """The registry end to end on the PostgreSQL store: numpy vs pgvector search, same library."""
    from selfeng.capability_registry import CapabilityRegistry
    from selfeng.config import load_settings
    out = {}
    tops = {}
    with tempfile.TemporaryDirectory() as tmp:
        for vs in ("numpy", "pgvector"):
            s = load_settings(env={"SELFENG_STORE": "postgres", "SELFENG_DATABASE_URL": url}, env_file=os.devnull,
                              data_dir=Path(tmp) / vs, vector_store=vs)
            reg = CapabilityRegistry(settings=s, embedder=emb)
            for q in queries[:10]:
                reg.search_candidates(q, k=5)
            lat = []
            for q in queries:
                t = time.perf_counter()
                reg.search_candidates(q, k=5)
                lat.append((time.perf_counter() - t) * 1000)
            tops[vs] = [[c["name"] for c in reg.search_candidates(q, k=1)][:1] for q in rs_requests]
            out[vs] = (statistics.median(lat), pct(lat, 95))
            reg.close()
    agree = sum(a == b for a, b in zip(tops["numpy"], tops["pgvector"])) / len(rs_requests)
    return (*out["numpy"], *out["pgvector"], agree)


def registration(store_kind: str, url: str | None, vecs: np.ndarray, tmp: str, n: int = 60) -> tuple[float, float]:
    """(median, p95) ms of one register_tool (row + 3 vectors + version bump, one transaction; embedding
    excluded), after 5 warm-up registrations."""
    if store_kind == "sqlite":
        from selfeng.store.sqlite import SQLiteStore
        store = SQLiteStore(Path(tmp) / "reg.db")
    else:
        from selfeng.store.postgres import PostgresStore
        store = PostgresStore(url, max_size=2)
    lat = []
    for i in range(n + 5):
        views = {v: vecs[i % len(vecs), j] for j, v in enumerate(VIEWS)}
        t = time.perf_counter()
        store.register_tool({"name": f"reg_{store_kind}_{i}_{time.time_ns()}", "code": f"def f{i}(x): return x",
                             "tests": "t", "docstring": "d"}, "bench", views, "library_version")
        lat.append((time.perf_counter() - t) * 1000)
    store.close()
    return statistics.median(lat[5:]), pct(lat[5:], 95)


def registry_registration(store_kind: str, url: str | None, emb, tmp: str, n: int = 40) -> tuple[float, float, float]:
    """CapabilityRegistry.add_tool as synthesis calls it (name check, one-transaction registration,
    mirror files, index update), embedding excluded: the time spent inside the embedder is subtracted.
    Returns medians (whole add_tool minus embedding, Store.register_tool, mirror files) in ms."""
    from selfeng.capability_registry import CapabilityRegistry
    from selfeng.config import load_settings
    env = {"SELFENG_STORE": store_kind, **({"SELFENG_DATABASE_URL": url} if url else {})}
    s = load_settings(env=env, env_file=os.devnull, data_dir=Path(tmp) / f"reg-{store_kind}")
    reg = CapabilityRegistry(settings=s, embedder=emb)
    spent = {"embed": 0.0, "store": 0.0, "mirrors": 0.0}

    def timed(key, fn):
        def wrapper(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[key] += time.perf_counter() - t
        return wrapper

    reg.embedder.embed = timed("embed", reg.embedder.embed)
    reg.store.register_tool = timed("store", reg.store.register_tool)
    reg._write_mirrors = timed("mirrors", reg._write_mirrors)
    whole, store, mirrors = [], [], []
    for i in range(n + 5):
        name = f"add_{i}_{time.time_ns()}"
        for k in spent:
            spent[k] = 0.0
        t = time.perf_counter()
        reg.add_tool(name, f"def {name}(x: int) -> int:\n    return x + {i}\n", f"def test_{name}():\n    pass\n",
                     f"Add {i} to an integer.")
        total = time.perf_counter() - t
        if i >= 5:
            whole.append((total - spent["embed"]) * 1000)
            store.append(spent["store"] * 1000)
            mirrors.append(spent["mirrors"] * 1000)
    reg.close()
    del reg.embedder.embed  # the shared embedder gets its own method back
    return statistics.median(whole), statistics.median(store), statistics.median(mirrors)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="3000,10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "selfeng-bench-stores"))
    ap.add_argument("--skip-chroma", action="store_true")
    ap.add_argument("--hnsw-up-to", type=int, default=20_000,
                    help="HNSW comparison builds only up to this many tools (100k: ~15 minutes a build)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: the server below is stopped
    from selfeng.store.pg_server import PgServer
    from selfeng.retrieval import DEFAULT_CONFIG
    from selfeng.store.pg_vector_index import IVF_MIN_VECTORS, IvfflatIndex
    from selfeng.store.postgres import PostgresStore
    import psycopg

    emb = MiniLMEmbedder()
    names0, vecs0 = library(emb, Path(args.cache))
    docs = doc_texts()
    rng = random.Random(1)
    texts = [clean_query(f"Please {rng.choice(VERBS)} the {rng.choice(OBJECTS)} {rng.choice(QUALS)} "
                         f"'{rng.randint(1, 999)}'") for _ in range(args.queries)]
    rs = json.loads((ROOT / "tests/registry/retrieval_set.json").read_text())
    rs_texts = [clean_query(r["text"]) for r in rs["requests"]]
    t0 = time.perf_counter()
    qv = list(emb.embed(texts))
    embed_ms = (time.perf_counter() - t0) * 1000 / len(texts)
    rs_qv = list(emb.embed(rs_texts))
    emb_lat = []
    for t in texts[:50]:
        s = time.perf_counter()
        emb.embed([t])
        emb_lat.append((time.perf_counter() - s) * 1000)
    q_embed = statistics.median(emb_lat)
    print(f"query embedding: p50 {q_embed:.2f} ms (batched {embed_ms:.2f} ms)", flush=True)

    base = tempfile.mkdtemp(prefix="selfeng-bench-pg-")
    os.chmod(base, 0o755)
    server = PgServer(Path(base) / "server")
    t0 = time.perf_counter()
    server.start()
    print(f"PostgreSQL server: initdb + start + database + pgvector in {time.perf_counter() - t0:.1f} s", flush=True)
    rows_out, pipelines, regs, reg_registry, depths = [], [], [], [], []
    try:
        for size in [int(s) for s in args.sizes.split(",")]:
            names, vecs = grow(names0, vecs0, size)
            exact = Exact(names, vecs)
            ex10 = [exact.judge(q, 10) for q in qv]
            ex1 = [exact.judge(q, 1) for q in rs_qv]
            m = measure(lambda q, k: exact.search(q, k), qv, ex10, 10)
            rows_out.append((size, "numpy exact", m["p50"], m["p95"], 1.0, 1.0))
            schema = f"b{size}"
            with psycopg.connect(server.url, autocommit=True) as c:
                c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                c.execute(f"CREATE SCHEMA {schema}")
            url = f"{server.url}&options=-csearch_path%3D{schema}%2Cpublic"
            pg = Pg(url, names, vecs, emb.name, docs)
            print(f"[{size}] pg bulk load {pg.load_s:.1f} s", flush=True)

            def row(label: str, fn) -> None:
                m = measure(fn, qv, ex10, 10)
                r1 = measure(fn, rs_qv, ex1, 1)["recall"]
                rows_out.append((size, label, m["p50"], m["p95"], m["recall"], r1))
                print(rows_out[-1], flush=True)

            pg.drop_indexes()
            row("pgvector exact (sequential scan)", lambda q, k: pg.search(q, k, "exact"))
            builds = [("ivfflat", "", "ivfflat", (1, 10)), ("hnsw", "", "hnsw", (40, 100)),
                      ("hnsw", HNSW_PARAMS, "hnsw", (EF_SEARCH, 1000))]
            for kind, params, mode, values in builds:
                if kind == "hnsw" and size > args.hnsw_up_to:
                    continue
                build_s = pg.build(kind, size * 3, params)
                label = f"{kind} {params.replace('WITH ', '')}".strip() if params else \
                    (f"{kind} lists=rows/1000" if kind == "ivfflat" else f"{kind} defaults")
                print(f"[{size}] {label} build {build_s:.1f} s; plan: {pg.plan(qv[0])}", flush=True)
                for v in values:
                    knob = "ef_search" if mode == "hnsw" else "probes"
                    row(f"pgvector {label} {knob}={v}", lambda q, k: pg.search(q, k, mode, v))
            # The store's own search, left in place for the registry and registration runs below.
            pg.drop_indexes()
            t0 = time.perf_counter()
            built = pg.store.maintain_ann_index(pg.dim)
            if built:
                lists = int(built.rsplit("_", 1)[1])
                print(f"[{size}] the store's {built} build {time.perf_counter() - t0:.1f} s; plan: {pg.plan(qv[0])}",
                      flush=True)
                row(f"pgvector store: ivfflat lists={lists} probes={IvfflatIndex.probes(lists)}",
                    lambda q, k: pg.search(q, k, "auto"))
                # The registry re-scores the vector step's top CANDIDATES tools (lexical coverage, direction), so
                # what its top-1 depends on is the recall at that depth, not at 1.
                depth = DEFAULT_CONFIG.candidates
                exd = [exact.judge(q, depth) for q in rs_qv]
                deep = measure(lambda q, k: pg.search(q, k, "auto"), rs_qv, exd, depth)["recall"]
                depths.append((size, depth, deep))
                print(f"[{size}] the store's search: recall@{depth} on the retrieval set {deep:.3f}", flush=True)
            else:
                print(f"[{size}] below {IVF_MIN_VECTORS} vectors: the store searches exactly (row above)", flush=True)
            pg.store.close()
            rs_requests = [r["text"] for r in rs["requests"]]
            pipelines.append((size, "store's search", *pipeline(url, emb, rs_requests, texts)))
            print(pipelines[-1], flush=True)
            if built:  # the same registries with no index: pgvector then searches exactly
                pg.store = PostgresStore(url, max_size=2)
                pg.drop_indexes()
                pg.store.close()
                pipelines.append((size, "no index (exact)", *pipeline(url, emb, rs_requests, texts)))
                print(pipelines[-1], flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                label = f"PostgreSQL, {size} tools" + (", ivfflat index" if built else ", no index")
                regs.append((label, *registration("postgres", url, vecs0, tmp)))
                reg_registry.append((label, *registry_registration("postgres", url, emb, tmp)))
            print(regs[-1], reg_registry[-1], flush=True)
            if not args.skip_chroma:
                cdir = tempfile.mkdtemp(prefix="selfeng-bench-chroma-")
                ch = Chroma(cdir, names, vecs)
                print(f"[{size}] chroma load + index {ch.load_s:.1f} s", flush=True)
                row("chroma (hnsw, defaults)", ch.search)
                del ch
                shutil.rmtree(cdir, ignore_errors=True)
            with psycopg.connect(server.url, autocommit=True) as c:
                c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        with tempfile.TemporaryDirectory() as tmp:
            with psycopg.connect(server.url, autocommit=True) as c:
                c.execute("DROP SCHEMA IF EXISTS breg CASCADE")
                c.execute("CREATE SCHEMA breg")
            regs.insert(0, ("SQLite, empty library", *registration("sqlite", None, vecs0, tmp)))
            breg = f"{server.url}&options=-csearch_path%3Dbreg%2Cpublic"
            regs.insert(1, ("PostgreSQL, empty library", *registration("postgres", breg, vecs0, tmp)))
            reg_registry.insert(0, ("SQLite, empty library", *registry_registration("sqlite", None, emb, tmp)))
            with psycopg.connect(server.url, autocommit=True) as c:
                c.execute("DROP SCHEMA breg CASCADE")
                c.execute("CREATE SCHEMA breg")
            reg_registry.insert(1, ("PostgreSQL, empty library", *registry_registration("postgres", breg, emb, tmp)))
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)

    print(f"\nquery embedding p50 {q_embed:.2f} ms; 'p50+emb' = search p50 + that")
    print(f"{'tools':>7} | {'backend':<58} | {'p50 ms':>7} | {'p95 ms':>7} | {'p50+emb':>7} | {'recall@10':>9} | "
          "recall@1 (retrieval set)")
    for size, name, p50, p95, r10, r1 in rows_out:
        print(f"{size:>7} | {name:<58} | {p50:7.2f} | {p95:7.2f} | {p50 + q_embed:7.2f} | {r10:9.3f} | {r1:.3f}")
    print("\nThe registry's whole search (search_candidates: cleaning, query embedding, vector step, exact "
          "re-scoring of the candidates), numpy index vs the pgvector backend (the store's own search):")
    print(f"{'tools':>7} | {'numpy p50':>9} | {'numpy p95':>9} | {'pgvector p50':>12} | {'pgvector p95':>12} | "
          "top-1 same as numpy (retrieval set)")
    for size, how, np50, np95, pg50, pg95, agree in pipelines:
        print(f"{size:>7} | {np50:9.2f} | {np95:9.2f} | {pg50:12.2f} | {pg95:12.2f} | {agree:.3f} ({how})")
    for size, depth, deep in depths:
        print(f"{size:>7} tools: the store's ivfflat search finds {deep:.3f} of the exact top-{depth} "
              "(the candidates the registry re-scores)")
    print("\nregistration (Store.register_tool: row + 3 vectors + version bump, one transaction, embedding "
          "excluded), 60 after 5 warm-up:")
    print(f"{'store':<45} | {'median ms':>9} | {'p95 ms':>7}")
    for label, med, p95 in regs:
        print(f"{label:<45} | {med:9.2f} | {p95:7.2f}")
    print("\nregistration through the registry (CapabilityRegistry.add_tool: name check, the transaction above, "
          "mirror files, index update; time inside the embedder subtracted), medians of 40 after 5 warm-up:")
    print(f"{'store':<45} | {'add_tool ms':>11} | {'of which store':>14} | {'mirror files':>12}")
    for label, whole, store, mirrors in reg_registry:
        print(f"{label:<45} | {whole:11.2f} | {store:14.2f} | {mirrors:12.2f}")

if __name__ == "__main__":
    main()
