"""Routing decision quality: does `registry.search_tool` return the right tool, or none when none fits?

Set: tests/registry/routing_set.json (81 library tools, 16 absent twins, 328 requests written before
tuning; `--postfreeze` adds tests/registry/routing_postfreeze.json, written after the code froze). The
library is a real CapabilityRegistry (SQLite store, MiniLM embedder) in a temporary directory.

    python benchmarks/bench_retrieval.py                 # no model: uncertain calls fall back to the threshold
    python benchmarks/bench_retrieval.py --local         # uncertain calls checked by the embedded model
    python benchmarks/bench_retrieval.py --calibrate     # grid over the decision bands, tune half only

Figures per split: decision accuracy (right tool, or none when none fits), false positives (a tool
returned where none fits), twin confusions (a request needing an absent twin, or a present twin's
sibling, got the other twin), model calls and model seconds. Baselines (seeds' docstring cosine at
0.4; the previous final method) are printed with --baselines.
"""
from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfeng.config import load_settings  # noqa: E402
from selfeng.embeddings import MiniLMEmbedder  # noqa: E402

SETS = ROOT / "tests" / "registry"


def parse_params(signature: str) -> list[dict]:
    inside = signature[signature.index("(") + 1:signature.rindex(")")]
    return [{"name": p.split(":")[0].strip(), "type": p.split(":", 1)[1].strip(), "description": ""}
            for p in inside.split(", ") if p]


def build_registry(tools, embedder, llm_client=None, answer_check: bool = False):
    """The library as a real registry. Every tool has working code (tests/registry/routing_tools_code.json,
    checked by check_routing_tools_code.py); with `answer_check` the registry also gets a sandbox, so an
    uncertain candidate is run and compared with a direct solution (selfeng/answer_check.py)."""
    from selfeng.capability_registry import CapabilityRegistry
    tmp = tempfile.mkdtemp(prefix="selfeng-routing-")
    settings = load_settings(env={}, env_file=f"{tmp}/absent.env", data_dir=Path(tmp) / "data")
    sandbox = None
    if answer_check:
        from selfeng.sandbox import SecureSandbox
        settings.ensure_dirs()
        sandbox = SecureSandbox(settings)
    reg = CapabilityRegistry(llm_client, settings=settings, embedder=embedder, sandbox=sandbox)
    sources = json.loads((SETS / "routing_tools_code.json").read_text())
    for t in tools:
        params = parse_params(t["signature"])
        spec = {"function_name": t["name"], "parameters": params,
                "return_type": t["signature"].rsplit("->", 1)[1].strip(), "docstring": t["docstring"]}
        reg.add_tool(t["name"], sources[t["name"]], f"from {t['name']} import {t['name']}\n", t["docstring"],
                     spec=spec)
    return reg


def twin_of(name: str, label_tools: set[str]) -> bool:
    from selfeng.fit_check import twin_shaped
    return any(twin_shaped(name, other) for other in label_tools)


def score(rows: list[dict]) -> dict:
    n = len(rows)
    none = [r for r in rows if r["label"] is None]
    twins = sum(1 for r in rows if r["got"] is not None and r["got"] != r["label"]
                and (r.get("needs") and _twin(r["got"], r["needs"]) or r["label"] and _twin(r["got"], r["label"])))
    calls = [r["calls"] for r in rows]
    secs = [r["seconds"] for r in rows if r["calls"]]
    hits = [r for r in rows if r["got"] is not None and r["got"] == r["label"]]
    return {"n": n, "decision": round(sum(r["got"] == r["label"] for r in rows) / max(n, 1), 3),
            "false_positive": round(sum(r["got"] is not None for r in none) / max(len(none), 1), 3),
            "twin_confusions": twins,
            "answerable_missed": sum(1 for r in rows if r["label"] and r["got"] is None),
            "wrong_tool": sum(1 for r in rows if r["label"] and r["got"] not in (None, r["label"])),
            "model_calls": sum(calls), "max_calls_per_request": max(calls or [0]),
            "model_s_p50": round(statistics.median(secs), 2) if secs else 0.0,
            "reuse_hits": len(hits), "reuse_hits_checked": sum(1 for r in hits if r["calls"])}


def _twin(a: str, b: str) -> bool:
    from selfeng.fit_check import twin_shaped
    return twin_shaped(a, b)


def run(reg, requests, client=None) -> list[dict]:
    rows = []
    for r in requests:
        t0 = time.perf_counter()
        if client is not None:
            with client.usage_scope() as usage:
                verdict, _ = reg.decide(r["text"])
            calls, secs = usage.calls, usage.as_dict()["model_seconds"]
        else:
            verdict, _ = reg.decide(r["text"])
            calls, secs = 0, 0.0
        rows.append({**r, "got": verdict.name, "reason": verdict.reason, "calls": calls, "seconds": secs,
                     "needed": verdict.needed, "wall_s": time.perf_counter() - t0})
        if PROGRESS:
            with open(PROGRESS, "a") as f:
                f.write(json.dumps(rows[-1]) + "\n")
    return rows


def add_usage_views(reg, tools, path: Path, mode: str, emb, top: int = 0) -> None:
    """Example requests per tool as extra views. Written once by the embedded model (one sampled call
    per tool) and kept in `path`, so every run with the same file sees the same examples."""
    import numpy as np
    if path.exists():
        examples = json.loads(path.read_text())
    else:
        from selfeng.llm_client import LLMClient
        writer = LLMClient(settings=load_settings(llm_provider="local"))
        examples, t0 = {}, time.perf_counter()
        for i, t in enumerate(tools, 1):
            try:
                examples[t["name"]] = writer.example_requests(t["name"] + t["signature"], t["docstring"])
            except Exception as exc:  # one bad reply costs that tool its views, not the run
                print(f"  {t['name']}: no examples ({exc})", file=sys.stderr)
                examples[t["name"]] = []
            print(f"  [{i}/{len(tools)}] {t['name']}: {examples[t['name']]}", file=sys.stderr)
        print(f"example requests written in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        path.write_text(json.dumps(examples, indent=1))
    from selfeng.query_text import clean_query
    if top:  # round trip: an example the plain index does not connect with its tool at all is suspect
        examples = {name: [t for t in texts if name in [c.name for c in reg.index.search(t, k=top)]]
                    for name, texts in examples.items()}
    for name, texts in examples.items():
        if not texts:
            continue
        vecs = emb.embed([clean_query(t) for t in texts])
        if mode == "mean":
            m = vecs.mean(axis=0)
            vecs = [m / (np.linalg.norm(m) or 1.0)]
        for v in vecs:
            reg.index.add_past_query(name, v)
    print(f"usage views: {sum(map(len, examples.values()))} examples for {len(examples)} tools ({mode})")


PROGRESS = None  # --progress FILE: one JSON line per decided request, for long runs with the model


def baselines(tools, requests, embedder):
    from selfeng.retrieval import DEFAULT_CONFIG, RetrievalConfig, RetrievalIndex, ToolDoc, decide
    docs = [ToolDoc(t["name"], t["docstring"], t["signature"]) for t in tools]
    for label, cfg, thr in [("seeds: docstring cosine, t=0.40", RetrievalConfig(views=("doc",), clean=False), 0.40),
                            ("retrieval score alone, t=0.64", DEFAULT_CONFIG, 0.64)]:
        idx = RetrievalIndex(embedder, cfg)
        idx.add_many(docs)
        for split in dict.fromkeys(r["split"] for r in requests):
            sub = [r for r in requests if r["split"] == split]
            if not sub:
                continue
            rows = []
            for r in sub:
                got = decide(idx.search(r["text"], k=5), thr)
                rows.append({**r, "got": got.name if got else None, "calls": 0, "seconds": 0.0})
            print(f"  {label:34s} {split:10s} {fmt(score(rows))}")


def fmt(s: dict) -> str:
    return (f"n={s['n']:3d}  decision {s['decision']:.3f}  FP {s['false_positive']:.3f}  twins {s['twin_confusions']}"
            f"  missed {s['answerable_missed']}  wrong {s['wrong_tool']}  calls {s['model_calls']}"
            f" (max {s['max_calls_per_request']}/req, p50 {s['model_s_p50']} s)")


def calibrate(reg, tune):
    """Grid over (reject_below, accept_at, min_coverage, threshold) on tune, no model: an uncertain call
    counts as right only if the threshold gets it right. Prints the best settings and how many checks."""
    import selfeng.retrieval as rt
    cache: dict[str, list] = {}
    original = reg._ranked

    def cached(query, k):  # the grid changes bands only: rank each request once
        if query not in cache:
            cache[query] = original(query, k)
        return cache[query]
    reg._ranked = cached
    best = []
    for lo, hi, cov, thr in itertools.product([0.3, 0.35, 0.4, 0.45, 0.5], [0.65, 0.7, 0.75, 0.8, 0.85],
                                               [0.5, 0.6, 0.7, 0.8, 0.9], [0.55, 0.6, 0.64, 0.7]):
        reg.reject_below, reg.accept_at, reg.min_coverage = lo, hi, cov
        rt.DEFAULT_THRESHOLDS[reg.embedder.name] = thr
        rows = run(reg, tune)
        clear = [r for r in rows if r["reason"] == "clear retrieval hit"]
        clear_wrong = sum(r["got"] != r["label"] for r in clear)
        s = score(rows)
        best.append((clear_wrong, -s["decision"], len(rows) - len(clear), lo, hi, cov, thr))
    best.sort()
    for hi in (0.65, 0.7, 0.75, 0.8, 0.85):  # the cost side: how many calls each accept bar needs
        row = min(r for r in best if r[4] == hi)
        print(f"  accept_at={hi}: best clear-hit errors {row[0]}, uncertain (model-checked) {row[2]}/{len(tune)}, "
              f"no-model decision {-row[1]:.3f} (reject_below={row[3]} min_coverage={row[5]} threshold={row[6]})")
    for row in best[:5]:
        print(f"clear-hit errors {row[0]}, decision {-row[1]:.3f}, uncertain {row[2]}: "
              f"reject_below={row[3]} accept_at={row[4]} min_coverage={row[5]} threshold={row[6]}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--local", action="store_true", help="check uncertain candidates with the embedded model")
    ap.add_argument("--calibrate", action="store_true")
    ap.add_argument("--baselines", action="store_true")
    ap.add_argument("--postfreeze", action="store_true", help="also the set written after the code froze")
    ap.add_argument("--extra", action="append", default=[],
                    help="another request file of the same library (e.g. one written after a later freeze)")
    ap.add_argument("--split", default="tune,test,postfreeze")
    ap.add_argument("--show", action="store_true", help="print every wrong decision")
    ap.add_argument("--progress", help="append each decided request as a JSON line to this file")
    ap.add_argument("--views", help="usage views (Tool2Vec): a JSON file of example requests per tool, "
                    "written by the embedded model when the file does not exist yet")
    ap.add_argument("--view-mode", choices=("max", "mean"), default="max",
                    help="each example its own view (max) or one centroid view per tool (mean)")
    ap.add_argument("--view-filter", type=int, default=0,
                    help="keep an example only if the library without views ranks its tool in the top N")
    ap.add_argument("--answer-check", action="store_true",
                    help="with --local: run uncertain candidates in the sandbox and compare with a direct solution")
    ap.add_argument("--shuffle", action="store_true", help="random order (seed 0), for partial runs")
    args = ap.parse_args()
    global PROGRESS
    PROGRESS = args.progress
    data = json.loads((SETS / "routing_set.json").read_text())
    requests = data["requests"]
    if args.postfreeze:
        requests = requests + json.loads((SETS / "routing_postfreeze.json").read_text())["requests"]
    for extra in args.extra:
        requests = requests + json.loads(Path(extra).read_text())["requests"]
    requests = [r for r in requests if r["split"] in args.split.split(",")]
    if args.shuffle:  # a long run with the model can be stopped early and still be a fair sample
        import random
        random.Random(0).shuffle(requests)
    tools = [t for t in data["tools"] if t["in_library"]]
    emb = MiniLMEmbedder()
    print(f"{len(tools)} library tools, {len(data['tools']) - len(tools)} absent twins; {len(requests)} requests")
    if args.baselines:
        baselines(tools, requests, emb)
    client = None
    if args.local:
        from selfeng.llm_client import LLMClient
        client = LLMClient(settings=load_settings(llm_provider="local"))
    reg = build_registry(tools, emb, client, answer_check=args.answer_check and client is not None)
    if args.views:
        add_usage_views(reg, tools, Path(args.views), args.view_mode, emb, args.view_filter)
    if args.calibrate:
        calibrate(reg, [r for r in requests if r["split"] == "tune"])
        return 0
    rows = run(reg, requests, client)
    label = "with the embedded model's check" if client else "no model (threshold for uncertain calls)"
    if client is not None and args.answer_check:
        label = "model check, then the answer check"
    for split in dict.fromkeys(r["split"] for r in rows):
        sub = [r for r in rows if r["split"] == split]
        if sub:
            print(f"  search_tool, {label:40s} {split:10s} {fmt(score(sub))}")
    if args.show:
        for r in rows:
            if r["got"] != r["label"]:
                print(f"    [{r['split']}] {r['text']!r}: want {r['label'] or 'none (' + r.get('needs', '-') + ')'}"
                      f", got {r['got']} ({r['reason']}; needed={r['needed']!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def summarise_progress(path: str) -> None:
    """Figures from a --progress file of a run stopped early (python -c "...summarise_progress(...)")."""
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    for split in dict.fromkeys(r["split"] for r in rows):
        sub = [r for r in rows if r["split"] == split]
        if sub:
            print(f"  {split:10s} {fmt(score(sub))}")
