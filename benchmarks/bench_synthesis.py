"""First-synthesis and reuse-hit cost on the embedded local model.

For each simple request: a fresh synthesis (wall time, model calls, model seconds, success), then a
reuse request phrased differently (wall time, model calls, wall time without model time).

    .venv/bin/python benchmarks/bench_synthesis.py [--size 1.5b] [--limit N] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

# (first request, reuse request, expected first result, expected reuse result)
CASES = [
    ("Reverse the string 'hello world'", "Reverse 'Python'", "dlrow olleh", "nohtyP"),
    ("Calculate the factorial of 6", "What is the factorial of 5?", 720, 120),
    ("Count the vowels in 'programming'", "How many vowels are in 'banana'?", 3, 3),
    ("Check whether 'racecar' is a palindrome", "Is 'python' a palindrome?", True, False),
    ("Compute the 10th Fibonacci number", "What is the 12th Fibonacci number?", 55, 144),
    ("Sum the digits of 12345", "What is the sum of the digits of 999?", 15, 27),
    ("Check if 29 is a prime number", "Is 91 prime?", True, False),
    ("Count the words in 'the quick brown fox'", "How many words are in 'to be or not to be'?", 4, 6),
    ("Convert the string 'hello world' to uppercase", "Make 'shout' uppercase", "HELLO WORLD", "SHOUT"),
    ("Compute the greatest common divisor of 48 and 18", "What is the gcd of 100 and 75?", 6, 25),
    ("Convert 100 degrees Fahrenheit to Celsius", "Convert 212 Fahrenheit to Celsius", 37.78, 100),
    ("Return the length of the string 'selfeng'", "How long is the string 'abc'?", 7, 3),
]


def close(a, b) -> bool:
    if isinstance(b, float) and isinstance(a, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 0.01 * max(1, abs(b))
    return a == b


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default=os.environ.get("SELFENG_LOCAL_MODEL_SIZE", "1.5b"))
    ap.add_argument("--limit", type=int, default=len(CASES))
    ap.add_argument("--json")
    args = ap.parse_args()
    data_dir = tempfile.mkdtemp(prefix="selfeng-bench-")
    os.environ.update(SELFENG_DATA_DIR=data_dir, SELFENG_LLM_PROVIDER="local", SELFENG_LOCAL_MODEL_SIZE=args.size)
    from selfeng.orchestrator import AgentOrchestrator
    orch = AgentOrchestrator()
    t0 = time.perf_counter()
    orch.llm_client.provider  # load the model outside the timed requests
    print(f"model load: {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    rows = []
    for first, reuse, exp1, exp2 in CASES[:args.limit]:
        t = time.perf_counter()
        r1 = orch.process_request(first)
        w1 = time.perf_counter() - t
        t = time.perf_counter()
        r2 = orch.process_request(reuse)
        w2 = time.perf_counter() - t
        row = {
            "request": first, "synth_ok": bool(r1["success"] and r1.get("synthesized")),
            "synth_correct": r1["success"] and close(r1["tool_result"], exp1),
            # which tool answered, and what: a reuse that should have been a synthesis shows here
            "tool": r1.get("tool_name"), "result": r1.get("tool_result"), "reuse_tool": r2.get("tool_name"),
            "synth_wall_s": round(w1, 2), "synth_calls": r1["usage"]["model_calls"],
            "synth_model_s": r1["usage"]["model_seconds"], "by_purpose": {k: v["calls"] for k, v in r1["usage"]["by_purpose"].items()},
            "attempts": (r1.get("synthesis") or {}).get("attempts"),
            "dropped": (r1.get("synthesis") or {}).get("dropped_tests"),
            "reuse_request": reuse, "reused": bool(r2["success"] and not r2.get("synthesized") and r2["tool_name"] == r1["tool_name"]),
            "reuse_correct": r2["success"] and close(r2["tool_result"], exp2),
            "reuse_wall_s": round(w2, 3), "reuse_calls": r2["usage"]["model_calls"],
            "reuse_wall_minus_model_s": round(w2 - r2["usage"]["model_seconds"], 3),
            "error": r1.get("error") if not r1["success"] else r2.get("error"),
        }
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)

    ok = [r for r in rows if r["synth_ok"]]
    med = lambda xs: round(statistics.median(xs), 3) if xs else None  # noqa: E731
    summary = {
        "model": args.size, "requests": len(rows),
        "synthesis_success": f"{len(ok)}/{len(rows)}",
        "synthesis_correct": f"{sum(r['synth_correct'] for r in rows)}/{len(rows)}",
        "synthesis_wall_s_median": med([r["synth_wall_s"] for r in rows]),
        "synthesis_model_calls_median": med([r["synth_calls"] for r in rows]),
        "reuse_hits": f"{sum(r['reused'] for r in rows)}/{len(rows)}",
        "reuse_correct": f"{sum(r['reuse_correct'] for r in rows)}/{len(rows)}",
        "reuse_wall_s_median": med([r["reuse_wall_s"] for r in rows if r["reused"]]),
        "reuse_model_calls_max": max([r["reuse_calls"] for r in rows if r["reused"]], default=None),
        "reuse_model_calls_median": med([r["reuse_calls"] for r in rows if r["reused"]]),
        "reuse_wall_minus_model_s_median": med([r["reuse_wall_minus_model_s"] for r in rows if r["reused"]]),
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "rows": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
