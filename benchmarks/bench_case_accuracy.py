"""How often the model's expected values are right, with and without `compute` expressions.

Two ways to judge a case with no model in the loop:
- HumanEval (`--humaneval`): every model case against the canonical solution, run in the sandbox on the
  case's input. Use a tuning slice the reported figures do not contain (`--offset 1`).
- the request set (`--requests FILE --split tune`): the case whose input is the request's own input (when the
  model wrote one) against the request's `expect`.

    .venv/bin/python benchmarks/bench_case_accuracy.py --humaneval --every 4 --offset 1 --limit 12 --json P
    .venv/bin/python benchmarks/bench_case_accuracy.py --requests benchmarks/requests/requests.json --limit 20 --json P

Prints, per variant (`computed`: the engine's way; `literal`: the model's own values only), the cases
judged, the cases right, and the median seconds of a case-writing call.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from selfeng.observations import Candidate, observation_key
from selfeng.case_writing import stated_cases
from selfeng.cases import model_cases, request_probe
from selfeng.computed_cases import with_computed_values
from selfeng.config import load_settings
from selfeng.evaluation import load_humaneval, select_problems
from selfeng.evaluation.matching import matches
from selfeng.evaluation.requests import load_requests
from selfeng.llm import LLMError
from selfeng.llm_client import LLMClient
from selfeng.sandbox import SecureSandbox
from selfeng.case_types import typed_by_examples as _typed_by_examples
from selfeng.drafts import Drafts
from selfeng.synthesis_engine import CapabilitySynthesisEngine

VARIANTS = {"computed": True, "literal": False}


class _NoRegistry:
    def get_tool_by_name(self, name):
        return None


def written(engine, spec: dict, prompt: str, compute: bool, min_tests: int):
    """The model's cases as the engine reads them (computed values applied when asked for), and seconds."""
    typed = _typed_by_examples(spec, stated_cases(spec, prompt))
    t0 = time.perf_counter()
    try:
        reply = engine.llm_client.generate_test_cases(typed, prompt, min_cases=min_tests + 1, compute=compute)
    except LLMError as exc:
        print("   cases failed:", str(exc)[:80], file=sys.stderr)
        return [], time.perf_counter() - t0
    cases = model_cases(typed, reply, prompt) if isinstance(reply, list) else []
    if compute:
        cases = with_computed_values(engine.sandbox, typed, cases)
    return [c for c in cases if c.source == "model"], time.perf_counter() - t0


def judge_humaneval(engine, problem: dict, spec: dict, cases) -> list[bool]:
    canonical = problem["prompt"] + problem["canonical_solution"]
    cand = Drafts(engine.llm_client, engine.sandbox, spec).observe(Candidate("canonical", canonical, True), cases)
    return [bool(cand.observations.get(c.name) and cand.observations[c.name].passed) for c in cases]


def _key(args: dict) -> str:
    """Arguments compared as values: 3 and 3.0 are the same input."""
    return observation_key({k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v
                            for k, v in args.items()})


def judge_request(spec: dict, item: dict, cases) -> list[bool]:
    probe = request_probe(spec, item["request"])
    if probe is None:
        return []
    mine = [c for c in cases if _key(c.args) == _key(probe.args)]
    return [matches(c.expected, item["expect"]) for c in mine[:1]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--humaneval", action="store_true")
    ap.add_argument("--requests")
    ap.add_argument("--split", default="tune")
    ap.add_argument("--every", type=int, default=4)
    ap.add_argument("--offset", type=int, default=1)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    settings = load_settings()
    engine = CapabilitySynthesisEngine(LLMClient(settings=settings), SecureSandbox(settings), _NoRegistry(),
                                       settings=settings)
    min_tests = max(1, settings.synthesis_min_tests)
    if a.humaneval:
        items = [{"id": p["task_id"], "prompt": "Create a function:\n" + p["prompt"], "problem": p}
                 for p in select_problems(load_humaneval(), a.every, a.limit, a.offset)]
    else:
        chosen = [it for it in load_requests(Path(a.requests)) if it.get("split") == a.split]
        items = [{"id": it["request"], "prompt": it["request"], "item": it} for it in chosen[:a.limit]]
    rows = []
    for it in items:
        try:
            spec = engine._spec(it["prompt"])
        except (LLMError, ValueError) as exc:
            print(it["id"][:60], "no spec:", str(exc)[:80], file=sys.stderr)
            continue
        row = {"id": it["id"], "function": spec["function_name"]}
        for variant, compute in VARIANTS.items():
            cases, seconds = written(engine, spec, it["prompt"], compute, min_tests)
            right = (judge_humaneval(engine, it["problem"], spec, cases) if a.humaneval
                     else judge_request(spec, it["item"], cases))
            row[variant] = {"right": sum(right), "judged": len(right), "seconds": round(seconds, 2),
                            "cases": [{"args": c.args, "expected": c.expected, "compute": c.compute}
                                      for c in cases]}
        rows.append(row)
        Path(a.json).write_text(json.dumps({"rows": rows}, indent=1, default=str))
        print(it["id"][:60], {v: f"{row[v]['right']}/{row[v]['judged']}" for v in VARIANTS}, file=sys.stderr,
              flush=True)
    print("| variant | cases right / judged | median s per call |\n|---|---|---|")
    for v in VARIANTS:
        right, judged = sum(r[v]["right"] for r in rows), sum(r[v]["judged"] for r in rows)
        secs = statistics.median(r[v]["seconds"] for r in rows) if rows else 0
        print(f"| {v} | {right}/{judged} ({right / max(judged, 1):.2f}) | {secs:.1f} |")


if __name__ == "__main__":
    main()
