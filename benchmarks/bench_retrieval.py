"""Retrieval decision quality per variant on tests/registry/retrieval_set.json.

For each variant: top-1 accuracy on answerable requests, decision accuracy (right tool, or none when
none fits) and false-positive rate on unanswerable requests. Thresholds are calibrated on the `tune`
half only (the baseline keeps the seeds' 0.4); figures are printed for tune, held-out test, and all.

    python benchmarks/bench_retrieval.py [--grid]
"""
from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfeng.embeddings import MiniLMEmbedder  # noqa: E402
from selfeng.retrieval import (DEFAULT_CONFIG, RetrievalConfig, RetrievalIndex, ToolDoc,  # noqa: E402
                               calibrate_threshold, default_threshold, figures, rank_all)

DATA = ROOT / "tests" / "registry" / "retrieval_set.json"

VARIANTS = [
    ("baseline (docstring cosine, t=0.40)", RetrievalConfig(views=("doc",), clean=False), 0.40),
    ("baseline, calibrated t", RetrievalConfig(views=("doc",), clean=False), None),
    ("+multiview", RetrievalConfig(clean=False), None),
    ("+query-cleaning", RetrievalConfig(), None),
    ("+hybrid (lexical)", replace(DEFAULT_CONFIG, w_direction=0.0), None),
    ("final (+direction)", DEFAULT_CONFIG, "default"),
]


def load():
    data = json.loads(DATA.read_text())
    tools = [ToolDoc(t["name"], t["docstring"], t["signature"]) for t in data["tools"]]
    return tools, data["requests"]


def build(embedder, cfg, tools):
    idx = RetrievalIndex(embedder, cfg)
    idx.add_many(tools)
    return idx


def fmt(f):
    return f"top1 {f.top1:5.1%}  decision {f.decision:5.1%}  FP {f.false_positive:5.1%}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", action="store_true", help="search hybrid weights on the tune half")
    args = ap.parse_args()
    emb = MiniLMEmbedder()
    tools, reqs = load()
    tune = [r for r in reqs if r["split"] == "tune"]
    test = [r for r in reqs if r["split"] == "test"]
    print(f"{len(tools)} tools; {len(reqs)} requests ({sum(r['label'] is None for r in reqs)} with no fitting "
          f"tool); tune {len(tune)} / held-out test {len(test)}\n")
    if args.grid:
        grid(emb, tools, tune, test)
        return
    for label, cfg, thr in VARIANTS:
        idx = build(emb, cfg, tools)
        t0 = time.perf_counter()
        r_tune, r_test = rank_all(idx, tune), rank_all(idx, test)
        ms = (time.perf_counter() - t0) * 1000 / len(reqs)
        if thr is None:
            thr = calibrate_threshold(r_tune, tune)
        elif thr == "default":
            thr = default_threshold(emb.name)
        print(f"{label}  [threshold {thr:.2f}, {ms:.1f} ms/query]")
        print(f"    tune  {fmt(figures(r_tune, tune, thr))}")
        print(f"    test  {fmt(figures(r_test, test, thr))}")
        print(f"    all   {fmt(figures(r_tune + r_test, tune + test, thr))}")


def grid(emb, tools, tune, test):
    rows = []
    base = build(emb, RetrievalConfig(w_vector=1, w_query_cov=0.01, w_name_cov=0.01, w_direction=0.01), tools)
    for wq, wn, wd in itertools.product([0, .1, .15, .2, .25, .3, .35], [0, .1, .15, .2, .25], [0, .05, .1, .15, .2]):
        cfg = RetrievalConfig(w_vector=1 - wq - wn, w_query_cov=wq, w_name_cov=wn, w_direction=wd)
        base.config = cfg
        r_tune = rank_all(base, tune)
        thr = calibrate_threshold(r_tune, tune)
        f = figures(r_tune, tune, thr)
        rows.append((f.decision, f.top1, -f.false_positive, wq, wn, wd, thr))
    rows.sort(reverse=True)
    for row in rows[:15]:
        d, t1, nfp, wq, wn, wd, thr = row
        base.config = RetrievalConfig(w_vector=1 - wq - wn, w_query_cov=wq, w_name_cov=wn, w_direction=wd)
        ft = figures(rank_all(base, test), test, thr)
        print(f"wq={wq} wn={wn} wd={wd} t={thr:.2f}: tune dec {d:.3f} top1 {t1:.3f} fp {-nfp:.3f} | "
              f"test {fmt(ft)}")


if __name__ == "__main__":
    main()
