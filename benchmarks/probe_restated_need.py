"""What the restated need finds, without the rest of the decision: for each request of a split that no
library tool clears the floor for, the model writes the spec (`generate_spec`, one call) and the library
is ranked for it (`restated_need.search_text`). Prints, per request, the spec's name and the best
plausible candidate, then how often that candidate is the labelled tool, another tool, or nothing.

It is a proxy for issue 8's routing figures (bench_retrieval.py --answer-check runs the candidate too),
cheap enough (one call per below-floor request) to compare spec prompts on the tune half:

    python benchmarks/probe_restated_need.py --split tune [--prompt FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_retrieval import SETS, build_registry  # noqa: E402
from selfeng.config import load_settings  # noqa: E402
from selfeng.embeddings import MiniLMEmbedder  # noqa: E402
from selfeng.llm import LLMError  # noqa: E402
from selfeng.restated_need import search_text  # noqa: E402
from selfeng.tool_decision import answers_another_question  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="tune")
    ap.add_argument("--extra", action="append", default=[])
    ap.add_argument("--prompt", help="a generate_spec prompt file to use instead of the shipped one")
    args = ap.parse_args()
    data = json.loads((SETS / "routing_set.json").read_text())
    requests = data["requests"] + [r for f in args.extra for r in json.loads(Path(f).read_text())["requests"]]
    requests = [r for r in requests if r["split"] in args.split.split(",")]
    from selfeng.llm_client import LLMClient
    client = LLMClient(settings=load_settings(llm_provider="local"))
    if args.prompt:
        client._prompts["generate_spec"] = Path(args.prompt).read_text()
    reg = build_registry([t for t in data["tools"] if t["in_library"]], MiniLMEmbedder(), client)
    floor = reg.reject_below
    tally = {"right": 0, "wrong": 0, "none": 0, "unanswerable_found": 0, "unanswerable_none": 0}
    t0 = time.perf_counter()
    for r in requests:
        if any(c.similarity >= floor and answers_another_question(r["text"], t) is None
               for c, t in [(c, reg._tool_dict(row)) for c, row in reg._usable(r["text"])]):
            continue  # the request's own words reach a candidate: no restating
        try:
            spec = client.generate_spec(r["text"])
        except LLMError as exc:
            print(f"  spec failed: {r['text']!r}: {exc}")
            continue
        ranked = [(c, row) for c, row in reg._ranked(search_text(spec), 10)
                  if answers_another_question(r["text"], reg._tool_dict(row)) is None]
        found = [c.name for c, _ in ranked if c.similarity >= floor]
        where = next((f"#{i} at {c.similarity:.2f}" for i, (c, _) in enumerate(ranked, 1) if c.name == r["label"]),
                     "not in the top 10")
        got = found[0] if found else None
        if r["label"] is None:
            key = "unanswerable_found" if got else "unanswerable_none"
        else:
            key = "none" if got is None else "right" if got == r["label"] else "wrong"
        tally[key] += 1
        best = f"{ranked[0][0].name} {ranked[0][0].similarity:.2f}" if ranked else "-"
        print(f"  {key:18s} {spec['function_name']:32s} -> {got}  (want {r['label']}, {where}; best {best})"
              f": {r['text'][:80]!r}")
    print(f"{args.split}: {tally}  ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
