"""Replay arbitration policies on a trace from `trace_synthesis.py`, with no model and no sandbox.

Prints, per case set, how often the model's expected values are right (judged by the candidates that pass
HumanEval's hidden tests), and, per policy, coverage (decided), verified precision, pass@1 and the model
calls it would have made. The policies are the engine's own search loop over different evidence. A last
table prices k: what deciding on the first k candidates buys, and what the k-th draw costs.

    .venv/bin/python benchmarks/replay_arbitration.py TRACE.json [TRACE2.json ...]
"""
from __future__ import annotations

import argparse
import json
import statistics
from typing import Callable

from selfeng.arbitration import Candidate, Case, Observation, decide
from selfeng.synthesis_engine import _outvoted, settled_verdict

MAX_ATTEMPTS = 4
MIN_TESTS = 3


def load(row: dict) -> tuple[dict[str, list[Case]], list[Candidate], dict[str, bool]]:
    sets = {k: [Case(**c) for c in v] for k, v in row["cases"].items() if isinstance(v, list)}
    cands, hidden = [], {}
    for c in row["candidates"]:
        if "code" not in c:
            continue
        obs = {k: Observation(**o) for k, o in c["observations"].items()}
        cands.append(Candidate(c["label"], c["code"], True, obs))
        hidden[c["label"]] = bool(c["hidden"])
    return sets, cands, hidden


def case_accuracy(rows: list[dict]) -> dict[str, dict]:
    """Share of each set's cases that a hidden-test-passing candidate passes (problems with one only)."""
    out: dict[str, dict] = {}
    for row in rows:
        sets, cands, hidden = load(row)
        right = [c for c in cands if hidden[c.label]]
        if not right:
            continue
        ref = right[0]
        for name, cases in sets.items():
            if name == "probe":
                continue
            acc = out.setdefault(name, {"cases": 0, "right": 0, "sets": 0, "sets_all_right": 0})
            ok = [c for c in cases if c.name in ref.observations and ref.observations[c.name].passed]
            acc["cases"] += len(cases)
            acc["right"] += len(ok)
            acc["sets"] += bool(cases)
            acc["sets_all_right"] += bool(cases) and len(ok) == len(cases)
    return out


def search(cands: list[Candidate], cases: list[Case], k: int = 1, early: bool = False) -> tuple[object, int]:
    """The engine's loop from k drawn candidates: draw until the verdict is settled or the attempts are spent
    (with `early`, also until agreeing candidates outvote the cases)."""
    verdict = decide(cands[:k], cases, MIN_TESTS)
    while k < min(MAX_ATTEMPTS, len(cands)) and not settled_verdict(verdict, cands[:k]):
        if early and _outvoted(verdict, cands[:k]):
            break
        k += 1
        verdict = decide(cands[:k], cases, MIN_TESTS)
    return verdict, k


def policy_sets(primary: str, fallback: str | None = None, at_most: int | None = None,
                early: bool = False) -> Callable:
    """Stated cases plus the `primary` model set (its first `at_most` beyond the stated ones, if given)."""
    def pick(name: str, sets: dict[str, list[Case]]) -> list[Case]:
        model = sets[name]
        if at_most is not None:
            model = model[:max(at_most, MIN_TESTS - len(sets["stated"]))]
        return sets["stated"] + model + sets.get("probe", [])

    def run(sets: dict[str, list[Case]], cands: list[Candidate]):
        cases = pick(primary, sets)
        verdict, k = search(cands, cases, early=early and fallback is not None)
        calls = 1 + k
        if fallback and _outvoted(verdict, cands[:k]) and sets.get(fallback):
            # a fresh, code-blind case set replaces the contradicted one; the drawn candidates are reused
            verdict, k2 = search(cands, pick(fallback, sets), k)
            calls += 1 + (k2 - k)
        return verdict, calls
    return run


POLICIES = {
    "greedy cases": policy_sets("greedy"),
    "work cases": policy_sets("work"),
    "fresh cases": policy_sets("fresh"),
    "greedy, then fresh": policy_sets("greedy", "fresh"),
    "greedy, then fresh (early)": policy_sets("greedy", "fresh", early=True),
    "greedy, then work (early)": policy_sets("greedy", "work", early=True),
    "work, then fresh": policy_sets("work", "fresh"),
    "greedy, then work": policy_sets("greedy", "work"),
    "greedy cases, at most 2": policy_sets("greedy", at_most=2),
    "greedy cases, at most 1": policy_sets("greedy", at_most=1),
    "work cases, at most 2": policy_sets("work", at_most=2),
    "greedy then fresh, at most 2": policy_sets("greedy", "fresh", at_most=2),
}


def by_k(rows: list[dict], k_max: int = MAX_ATTEMPTS) -> list[str]:
    """What the k-th candidate costs (its draw's seconds; later draws reuse the cached prompt) and buys."""
    lines = ["| k | decided | correct | precision | median s for draw k |", "|---|---|---|---|---|"]
    for k in range(1, k_max + 1):
        decided = correct = 0
        for row in rows:
            sets, cands, hidden = load(row)
            if len(cands) < k:
                continue
            v = decide(cands[:k], sets["stated"] + sets["greedy"] + sets.get("probe", []), MIN_TESTS)
            decided += bool(v.decided)
            correct += bool(v.decided and hidden[v.chosen.label])
        draws = [r["candidates"][k - 1]["draw_s"] for r in rows
                 if len(r["candidates"]) >= k and "draw_s" in r["candidates"][k - 1]]
        prec = f"{correct / decided:.2f}" if decided else "—"
        lines.append(f"| {k} | {decided} | {correct} | {prec} | {round(statistics.median(draws), 1) if draws else '—'} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("traces", nargs="+")
    a = ap.parse_args()
    rows = [r for t in a.traces for r in json.load(open(t))["rows"]]
    n = len(rows)
    greedy_ok = sum(1 for r in rows if any(c.get("label") == "greedy" and c.get("hidden") for c in r["candidates"]))
    any_ok = sum(1 for r in rows if any(c.get("hidden") for c in r["candidates"]))
    print(f"{n} problems; greedy (single-shot) correct {greedy_ok}; some candidate correct {any_ok}\n")
    print("| case set | cases right | sets with every case right |\n|---|---|---|")
    for name, acc in case_accuracy(rows).items():
        print(f"| {name} | {acc['right']}/{acc['cases']} | {acc['sets_all_right']}/{acc['sets']} |")
    print("\n| policy | decided | correct | precision | pass@1 | median calls |\n|---|---|---|---|---|---|")
    for label, policy in POLICIES.items():
        decided = correct = 0
        calls = []
        for row in rows:
            sets, cands, hidden = load(row)
            if not cands:
                continue
            verdict, used = policy(sets, cands)
            calls.append(used)
            if verdict.decided and verdict.chosen is not None:
                decided += 1
                correct += hidden[verdict.chosen.label]
        prec = f"{correct / decided:.2f}" if decided else "—"
        print(f"| {label} | {decided} | {correct} | {prec} | {correct / n:.2f} | {statistics.median(calls)} |")
    print("\nFirst k candidates, stated and greedy cases, one decision (no search loop):\n")
    print("\n".join(by_k(rows)))


if __name__ == "__main__":
    main()
