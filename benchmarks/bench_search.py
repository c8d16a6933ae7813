"""Search latency at 10,000 tools, including embedding the query.

Generates synthetic tools (verb x object x qualifier combinations, so docstrings differ), embeds
them in batches (or loads the vectors cached from a previous run), then times
`CapabilityRegistry.search_tool` — query cleaning, query embedding, exact numpy search over every
view, lexical features, threshold and rerank — for varied requests.

    python benchmarks/bench_search.py [--tools 10000] [--queries 200] [--keep DIR]

With --keep, the library is built once in DIR and reused by later runs (embedding 10k tools takes minutes).
"""
from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfeng.capability_registry import CapabilityRegistry  # noqa: E402
from selfeng.config import load_settings  # noqa: E402
from selfeng.embeddings import MiniLMEmbedder  # noqa: E402
from selfeng.retrieval import ToolDoc  # noqa: E402

VERBS = ["compute", "count", "convert", "parse", "validate", "format", "sort", "filter", "merge", "reverse",
         "normalize", "summarize", "extract", "encode", "decode", "round", "rank", "split", "join", "detect"]
OBJECTS = ["prices", "dates", "emails", "temperatures", "distances", "words", "sentences", "numbers",
           "invoices", "csv rows", "json records", "timestamps", "urls", "phone numbers", "ip addresses",
           "currencies", "weights", "grades", "coordinates", "file sizes", "durations", "colors",
           "postal codes", "tax amounts", "interest rates"]
QUALS = ["in a list", "from a csv file", "by category", "per month", "ignoring case", "with rounding",
         "as percentages", "in descending order", "for each user", "from a text", "in a json file",
         "by region", "with validation", "to a string", "in bulk", "across years", "by weekday",
         "within a range", "using a threshold", "with a default value"]


def synthetic_tools(n: int) -> list[tuple[str, str]]:
    combos = list(itertools.product(VERBS, OBJECTS, QUALS))
    random.Random(0).shuffle(combos)
    out = []
    for i, (v, o, q) in enumerate(combos[:n]):
        name = f"{v}_{o.replace(' ', '_')}_{i}"
        out.append((name, f"{v.capitalize()} {o} {q}."))
    return out


def add_views(reg, emb, per_tool: int) -> None:
    """`per_tool` extra view vectors per tool, stored as usage views are. Search time depends on how many
    rows there are, not on what they say, so each is the tool's docstring vector plus noise (embedding
    40,000 example texts would take minutes and measure nothing more)."""
    import numpy as np
    rng = np.random.default_rng(0)
    for name in list(reg.index.names):
        base = np.asarray(reg.index._mats["doc"].data[reg.index._pos[name]])
        for k in range(per_tool):
            v = base + 0.3 * rng.standard_normal(base.shape[-1]).astype(np.float32) / np.sqrt(base.shape[-1])
            reg.store.add_tool_query(name, f"example {k} of {name}", emb.name, v / np.linalg.norm(v))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tools", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", help="build the library in this directory once and reuse it")
    ap.add_argument("--views", type=int, default=0,
                    help="usage views per tool (SELFENG_USAGE_VIEWS, off by default), stored like past requests")
    args = ap.parse_args()
    emb = MiniLMEmbedder()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        settings = load_settings(env={}, env_file=str(Path(tmp) / "none.env"), data_dir=Path(tmp) / "data")
        reg = CapabilityRegistry(settings=settings, embedder=emb)
        tools = synthetic_tools(args.tools)
        t0 = time.perf_counter()
        docs = [ToolDoc(n, d, f"{n}(x: str) -> str") for n, d in tools]
        if reg.count_tools() >= len(docs):
            docs = []  # reused from --keep
        # Bulk load through the store and index directly (add_tool would also write 20k mirror files).
        for s in range(0, len(docs), 512):
            chunk = docs[s:s + 512]
            for d, vecs in zip(chunk, reg.index.embed_views(chunk)):
                reg.store.insert_tool({"name": d.name, "code": f"def {d.name}(x: str) -> str:\n    return x\n",
                                       "tests": "", "docstring": d.docstring, "signature": d.signature})
                reg.store.set_tool_vectors(d.name, emb.name, vecs)
        if args.views and not reg.store.list_tool_queries(tools[0][0]):
            add_views(CapabilityRegistry(settings=settings, embedder=emb), emb, args.views)
        build_s = time.perf_counter() - t0  # about 0 when everything came from --keep
        t0 = time.perf_counter()
        reg = CapabilityRegistry(settings=settings, embedder=emb)   # load from the store, as at startup
        load_s = time.perf_counter() - t0
        views = len(reg.index._q_owner)
        print(f"{len(reg.index)} tools, {views} usage views: embedded + stored in {build_s:.1f} s; "
              f"registry start-up (load vectors, build index) {load_s * 1000:.0f} ms")
        rng = random.Random(1)
        queries = [f"Please {rng.choice(VERBS)} the {rng.choice(OBJECTS)} {rng.choice(QUALS)} "
                   f"'{rng.randint(1, 999)}'" for _ in range(args.queries)]
        for q in queries[:10]:
            reg.search_tool(q)  # warm-up
        lat, emb_lat = [], []
        for q in queries:
            t = time.perf_counter()
            reg.search_tool(q)
            lat.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            emb.embed([q])
            emb_lat.append((time.perf_counter() - t) * 1000)
        q = statistics.quantiles(lat, n=20)
        print(f"search_tool over {len(reg.index)} tools, {len(lat)} queries: p50 {statistics.median(lat):.2f} ms, "
              f"p95 {q[18]:.2f} ms (query embedding alone: p50 {statistics.median(emb_lat):.2f} ms)")
        reg.close()


if __name__ == "__main__":
    main()
