"""Record everything synthesis could weigh, once, so arbitration policies can be compared offline.

For each HumanEval problem: the spec (the stub itself), the stated `>>>` cases, three model case sets
(greedy; a fresh draw at the sampling temperature; greedy with the working written before each value),
and K candidates (greedy, then samples), each observed in the sandbox on every case of every set and run
on the hidden tests. `benchmarks/replay_arbitration.py` replays policies on the trace with no model.

Use a tuning slice that the reported figures do not contain, e.g. `--every 4 --offset 2`.

    .venv/bin/python benchmarks/trace_synthesis.py --every 4 --offset 2 [--limit N] [--k 4] --json PATH
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from selfeng.arbitration import Candidate, Case
from selfeng.case_writing import stated_cases
from selfeng.cases import model_cases, request_probe
from selfeng.computed_cases import with_computed_values
from selfeng.config import load_settings
from selfeng.evaluation import load_humaneval, run_hidden, select_problems
from selfeng.llm import LLMError
from selfeng.llm_client import LLMClient
from selfeng.sandbox import SecureSandbox
from selfeng.case_types import typed_by_examples as _typed_by_examples
from selfeng.drafts import SAMPLE_TEMPERATURE, Drafts, SynthesisError
from selfeng.synthesis_engine import CapabilitySynthesisEngine

# (temperature, working written first, compute expression asked for); "literal" is the case set as asked
# before expressions were (the model's own values only), kept to measure what they buy
VARIANTS = {"greedy": (0.0, False, True), "fresh": (SAMPLE_TEMPERATURE, False, True), "work": (0.0, True, False),
            "literal": (0.0, False, False)}


class _NoRegistry:
    def get_tool_by_name(self, name):
        return None


def case_sets(engine: CapabilitySynthesisEngine, spec: dict, prompt: str, min_tests: int,
              variants: list[str]) -> dict[str, list[Case]]:
    name = spec["function_name"]
    out = {"stated": stated_cases(spec, prompt)}
    typed = _typed_by_examples(spec, out["stated"])  # as the engine asks: types read from the examples
    for variant in variants:
        temperature, work, compute = VARIANTS[variant]
        t0 = time.perf_counter()
        try:
            reply = engine.llm_client.generate_test_cases(typed, prompt, min_cases=min_tests,
                                                          temperature=temperature, show_work=work,
                                                          compute=compute)
            got = model_cases(typed, reply, prompt) if isinstance(reply, list) else []
            got = with_computed_values(engine.sandbox, typed, got)
        except LLMError as exc:
            print("   cases failed:", str(exc)[:80], file=sys.stderr)
            got = []
        out[variant] = [dataclasses.replace(c, name=f"test_{name}_{variant}_{i + 1}") for i, c in enumerate(got)]
        out[f"{variant}_s"] = round(time.perf_counter() - t0, 2)
    probe = request_probe(spec, prompt)
    out["probe"] = [probe] if probe else []
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--every", type=int, default=4)
    ap.add_argument("--offset", type=int, default=2)
    ap.add_argument("--limit", type=int)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--variants", default=",".join(VARIANTS), help="model case sets to record, of " + ", ".join(VARIANTS))
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    settings = load_settings()
    client = LLMClient(settings=settings)
    sandbox = SecureSandbox(settings)
    engine = CapabilitySynthesisEngine(client, sandbox, _NoRegistry(), settings=settings)
    min_tests = max(1, settings.synthesis_min_tests)
    path = Path(a.json)
    rows = json.loads(path.read_text())["rows"] if path.exists() else []
    done = {r["task_id"] for r in rows}
    for problem in select_problems(load_humaneval(), a.every, a.limit, a.offset):
        if problem["task_id"] in done:
            continue
        prompt = "Create a function:\n" + problem["prompt"]
        spec = engine._spec(prompt)
        sets = case_sets(engine, spec, prompt, min_tests, a.variants.split(","))
        every_case = [c for key, v in sets.items() if isinstance(v, list) for c in v]
        row = {"task_id": problem["task_id"], "function": spec["function_name"],
               "cases": {k: ([dataclasses.asdict(c) for c in v] if isinstance(v, list) else v)
                         for k, v in sets.items()}, "candidates": []}
        for i in range(a.k):
            label = "greedy" if i == 0 else f"sample {i + 1}"
            t0 = time.perf_counter()
            try:
                code = Drafts(engine.llm_client, engine.sandbox, spec).draw(i)
            except (SynthesisError, LLMError, ValueError) as exc:
                row["candidates"].append({"label": label, "error": str(exc)[:200]})
                continue
            draw_s = round(time.perf_counter() - t0, 2)
            cand = Drafts(engine.llm_client, engine.sandbox, spec).observe(Candidate(label, code, True), every_case)
            hidden = run_hidden(sandbox, problem, spec["function_name"], cand.code)
            row["candidates"].append({
                "label": label, "code": cand.code, "draw_s": draw_s, "hidden": hidden["passed"],
                "observations": {k: dataclasses.asdict(o) for k, o in cand.observations.items()}})
        rows.append(row)
        path.write_text(json.dumps({"every": a.every, "offset": a.offset, "rows": rows}, indent=1, default=str))
        print(problem["task_id"], "hidden:", [c.get("hidden") for c in row["candidates"]],
              "cases:", {k: len(v) for k, v in sets.items() if isinstance(v, list)}, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
