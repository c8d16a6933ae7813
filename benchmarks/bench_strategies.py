"""Model calls per request for each planner strategy, on the embedded local model.

Seeds the library, then runs: a reuse hit, a first synthesis, an independent two-step workflow, a
sequential workflow (three times, which promotes it to a composite tool), and the composite route.

    .venv/bin/python benchmarks/bench_strategies.py
"""
from __future__ import annotations

import json
import os
import tempfile
import time

os.environ.setdefault("SELFENG_DATA_DIR", tempfile.mkdtemp(prefix="selfeng-strategies-"))
os.environ.setdefault("SELFENG_LLM_PROVIDER", "local")

REQUESTS = [
    "What is 15% of 300?",
    "Calculate the factorial of 5",
    "Count the vowels in 'self engineering'",
    "Calculate 20% of 100 and also find the square root of 64",
    "Calculate the square root of 144, then calculate 25% of that result",
    "Calculate the square root of 64, then calculate 50% of that result",
    "Calculate the square root of 100, then calculate 20% of that result",
    "Calculate the square root of 81, then calculate 10% of that result",
    "Create a function that doubles a number",
]


def main() -> int:
    from selfeng.orchestrator import AgentOrchestrator
    from selfeng.seed_tools import install_seed_tools
    orch = AgentOrchestrator()
    install_seed_tools(orch)
    orch.llm_client.provider  # load the model outside the timings
    rows = []
    for prompt in REQUESTS:
        t0 = time.perf_counter()
        r = orch.process_request(prompt)
        rows.append({"prompt": prompt, "strategy": r.get("strategy"), "success": r["success"],
                     "synthesized": r.get("synthesized"), "composite_created": r.get("composite_created"),
                     "model_calls": r["usage"]["model_calls"],
                     "by_purpose": {k: v["calls"] for k, v in r["usage"]["by_purpose"].items()},
                     "result": r.get("tool_result"), "wall_s": round(time.perf_counter() - t0, 2)})
        print(json.dumps(rows[-1]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
