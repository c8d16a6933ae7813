"""What k independent implementations cost and buy, on HumanEval with the configured model.

For each problem: the spec (the stub itself) and the cases are made once, then K candidates are drawn
(greedy, then samples at the engine's temperature) and each is observed on every case in the sandbox.
Arbitration is then replayed on the first k candidates for k = 1..K, so one run prices every k:
coverage (share decided), verified precision (decided tools passing the hidden tests), pass@1, and the
model seconds of the k-th draw (later draws reuse llama.cpp's cached prompt prefix).

    .venv/bin/python benchmarks/bench_candidates.py [--every 8] [--limit N] [--k 4] [--json PATH]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from selfeng.arbitration import Candidate, decide
from selfeng.config import load_settings
from selfeng.evaluation import load_humaneval, run_hidden, select_problems
from selfeng.llm_client import LLMClient
from selfeng.sandbox import SecureSandbox
from selfeng.synthesis_engine import CapabilitySynthesisEngine, SynthesisError


class _NoRegistry:
    """The benchmark registers nothing; names are always free."""

    def get_tool_by_name(self, name):
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=8)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--json")
    a = ap.parse_args()
    settings = load_settings()
    client = LLMClient(settings=settings)
    sandbox = SecureSandbox(settings)
    engine = CapabilitySynthesisEngine(client, sandbox, _NoRegistry(), settings=settings)
    min_tests = max(1, settings.synthesis_min_tests)
    rows = []
    for problem in select_problems(load_humaneval(), a.every, a.limit):
        prompt = "Create a function:\n" + problem["prompt"]
        row = {"task_id": problem["task_id"], "draw_s": [], "decided": [], "correct": []}
        try:
            spec = engine._spec(prompt)
            cases = engine._cases(spec, prompt, None)
        except (SynthesisError, ValueError) as exc:
            row["error"] = str(exc)[:200]
            rows.append(row)
            print(problem["task_id"], "no cases:", row["error"][:80], file=sys.stderr, flush=True)
            continue
        cands, hidden = [], {}
        for i in range(a.k):
            t0 = time.perf_counter()
            try:
                code = engine._draw(spec, i)
            except (SynthesisError, ValueError) as exc:
                code = None
                print("   draw failed:", str(exc)[:80], file=sys.stderr)
            row["draw_s"].append(round(time.perf_counter() - t0, 2))
            if code is None:
                continue
            cand = engine._observe(spec, Candidate("greedy" if i == 0 else f"sample {i + 1}", code, True), cases, None)
            cands.append(cand)
            hidden[cand.label] = run_hidden(sandbox, problem, spec["function_name"], cand.code)["passed"]
        for k in range(1, a.k + 1):
            v = decide(cands[:k], cases, min_tests)
            ok = bool(v.decided and v.chosen is not None and hidden.get(v.chosen.label))
            row["decided"].append(bool(v.decided))
            row["correct"].append(ok)
        row["any_correct"] = any(hidden.values())
        row["greedy_correct"] = bool(hidden.get("greedy"))
        rows.append(row)
        print(problem["task_id"], "decided:", row["decided"], "correct:", row["correct"], "draw s:", row["draw_s"],
              file=sys.stderr, flush=True)
    report = summarize(rows, a.k)
    print(table(report))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rows": rows, "summary": report}, f, indent=2)


def summarize(rows: list[dict], k_max: int) -> dict:
    ok_rows = [r for r in rows if "error" not in r]
    out = {"problems": len(rows), "with_cases": len(ok_rows),
           "greedy_single_shot": sum(r["greedy_correct"] for r in ok_rows),
           "oracle_any_candidate": sum(r["any_correct"] for r in ok_rows), "by_k": []}
    for k in range(1, k_max + 1):
        decided = sum(r["decided"][k - 1] for r in ok_rows)
        correct = sum(r["correct"][k - 1] for r in ok_rows)
        draws = [r["draw_s"][k - 1] for r in ok_rows if len(r["draw_s"]) >= k]
        out["by_k"].append({"k": k, "decided": decided, "correct": correct,
                            "precision": round(correct / decided, 3) if decided else None,
                            "pass_at_1": round(correct / len(rows), 3) if rows else None,
                            "median_draw_s": round(statistics.median(draws), 2) if draws else None})
    return out


def table(report: dict) -> str:
    lines = [f"{report['problems']} problems ({report['with_cases']} with cases); greedy single draw correct: "
             f"{report['greedy_single_shot']}; some candidate correct: {report['oracle_any_candidate']}",
             "| k | decided | correct | verified precision | pass@1 | median s for draw k |",
             "|---|---|---|---|---|---|"]
    for r in report["by_k"]:
        lines.append(f"| {r['k']} | {r['decided']} | {r['correct']} | {r['precision']} | {r['pass_at_1']} | "
                     f"{r['median_draw_s']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
