"""What varied inputs (`selfeng.varied_inputs`) tell apart, on recorded HumanEval traces.

For every traced problem, the candidates' code runs in the real sandbox on inputs varied from the stated and
greedy cases. Reported, over pairs of candidates that pass every stated case and agree on every case input:
- pairs of two hidden-test-passing candidates that return different values on some varied input (false
  alarms: a check would send a right agreement back for another draw);
- pairs of one passing and one failing candidate that differ there (catches: the thin agreement a check
  would have questioned);
- pairs of two failing candidates that differ there (a wrong agreement split).

    .venv/bin/python benchmarks/bench_varied_inputs.py benchmarks/results/trace-humaneval-offset{1,3}.json
"""
from __future__ import annotations

import argparse
import itertools
import json

from selfeng.arbitration import Case, Observation
from selfeng.cases import guessed_copies, render
from selfeng.sandbox import SecureSandbox
from selfeng.test_evidence import observations
from selfeng.varied_inputs import varied_inputs


def values_differ(a: Observation | None, b: Observation | None) -> bool:
    """Both returned (no exception), and not the same value."""
    return a is not None and b is not None and not a.error and not b.error and a.key != b.key


def _k(obs: Observation | None) -> str:
    return "missing" if obs is None else ("raises" if obs.error else obs.key)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("traces", nargs="+")
    a = ap.parse_args()
    sandbox = SecureSandbox()
    totals = {"pairs right/right": 0, "false alarms": 0, "pairs right/wrong": 0, "catches": 0,
              "pairs wrong/wrong": 0, "wrong pairs split": 0, "problems with a catch": 0, "false alarms counting exceptions": 0,
              "catches counting exceptions": 0, "problems with a false alarm": 0}
    for row in (r for t in a.traces for r in json.load(open(t))["rows"]):
        stated = [Case(**c) for c in row["cases"]["stated"]]
        greedy = guessed_copies([Case(**c) for c in row["cases"]["greedy"]], stated)
        cases = stated + greedy
        cands = [c for c in row["candidates"] if "code" in c]
        if not cases or len(cands) < 2:
            continue
        params = list(cases[0].args)
        spec = {"function_name": row["function"], "parameters": [{"name": p} for p in params]}
        probes = varied_inputs(cases, params)
        seen = {}
        for cand in cands:
            report = sandbox.verify_tool(row["function"], cand["code"], render(spec, probes, observe=True))
            seen[cand["label"]] = observations(report, probes)
        names = [c.name for c in cases]
        caught = alarmed = False
        for x, y in itertools.combinations(cands, 2):
            ox, oy = x["observations"], y["observations"]
            if any(n not in ox or n not in oy or ox[n]["key"] != oy[n]["key"] for n in names):
                continue  # not an agreement on the cases
            if any(not ox[c.name]["passed"] for c in stated):
                continue
            differ = any(values_differ(seen[x["label"]].get(p.name), seen[y["label"]].get(p.name)) for p in probes)
            keyed = any(_k(seen[x["label"]].get(p.name)) != _k(seen[y["label"]].get(p.name)) for p in probes)
            if x["hidden"] and y["hidden"]:
                totals["false alarms counting exceptions"] += keyed
            elif x["hidden"] != y["hidden"]:
                totals["catches counting exceptions"] += keyed
            if x["hidden"] and y["hidden"]:
                totals["pairs right/right"] += 1
                totals["false alarms"] += differ
                alarmed |= differ
            elif x["hidden"] != y["hidden"]:
                totals["pairs right/wrong"] += 1
                totals["catches"] += differ
                caught |= differ
            else:
                totals["pairs wrong/wrong"] += 1
                totals["wrong pairs split"] += differ
        totals["problems with a catch"] += caught
        totals["problems with a false alarm"] += alarmed
        print(f"{row['task_id']}: {len(probes)} varied inputs; catch={caught} false_alarm={alarmed}", flush=True)
    print(json.dumps(totals, indent=1))


if __name__ == "__main__":
    main()
