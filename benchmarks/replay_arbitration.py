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

from selfeng.arbitration import Candidate, Case, Observation, by_agreement, decide
from selfeng.cases import guessed_copies
from selfeng.synthesis_engine import settled_verdict

MAX_ATTEMPTS = 4
MIN_TESTS = 3


def load(row: dict) -> tuple[dict[str, list[Case]], list[Candidate], dict[str, bool]]:
    sets = {k: [Case(**c) for c in v] for k, v in row["cases"].items() if isinstance(v, list)}
    sets = {k: v if k == "stated" else guessed_copies(v, sets.get("stated", [])) for k, v in sets.items()}
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


def search(cands: list[Candidate], cases: list[Case], k: int = 1) -> tuple[object, int]:
    """Decisions by `decide` alone (at most one case dropped): draw until settled or the attempts are spent."""
    verdict = decide(cands[:k], cases, MIN_TESTS)
    while k < min(MAX_ATTEMPTS, len(cands)) and not settled_verdict(verdict, cands[:k]):
        k += 1
        verdict = decide(cands[:k], cases, MIN_TESTS)
    return verdict, k


def policy_sets(primary: str, at_most: int | None = None) -> Callable:
    """Stated cases plus the `primary` model set (its first `at_most` beyond the stated ones, if given)."""
    def run(sets: dict[str, list[Case]], cands: list[Candidate]):
        model = sets.get(primary, [])
        if at_most is not None:
            model = model[:max(at_most, MIN_TESTS - len(sets["stated"]))]
        verdict, k = search(cands, sets["stated"] + model + sets.get("probe", []))
        return verdict, 1 + k
    return run


def policy_agreement(min_votes: int, anchors: int, primary: str = "greedy") -> Callable:
    """Stated and `primary` cases; draw until decided, or until `min_votes` agreeing implementations
    outvote the model cases (`arbitration.by_agreement`)."""
    def run(sets: dict[str, list[Case]], cands: list[Candidate]):
        cases = sets["stated"] + sets.get(primary, []) + sets.get("probe", [])
        k = 1
        while True:
            verdict = decide(cands[:k], cases, MIN_TESTS)
            if settled_verdict(verdict, cands[:k]):
                break
            agreed = by_agreement(verdict, cands[:k], min_votes, anchors)
            if agreed is not None:
                verdict = agreed
                break
            if k >= min(MAX_ATTEMPTS, len(cands)):
                break
            k += 1
        return verdict, 1 + k
    return run


POLICIES = {
    "greedy cases, one drop": policy_sets("greedy"),
    "fresh cases, one drop": policy_sets("fresh"),
    "work cases, one drop": policy_sets("work"),
    "greedy cases, at most 2, one drop": policy_sets("greedy", at_most=2),
    **{f"greedy cases, agreement of {v}, {a} anchor(s)": policy_agreement(v, a) for v in (2, 3, 4) for a in (0, 1, 2)},
    "fresh cases, agreement of 3, 1 anchor(s)": policy_agreement(3, 1, "fresh"),
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
            if label.startswith(("work", "fresh")) and not sets.get(label.split()[0]):
                continue  # a trace recorded without that case set
            verdict, used = policy(sets, cands)
            calls.append(used)
            if verdict.decided and verdict.chosen is not None:
                decided += 1
                correct += hidden[verdict.chosen.label]
        if not calls:
            continue
        prec = f"{correct / decided:.2f}" if decided else "—"
        print(f"| {label} | {decided} | {correct} | {prec} | {correct / n:.2f} | {statistics.median(calls)} |")
    print("\nFirst k candidates, stated and greedy cases, one decision (no search loop):\n")
    print("\n".join(by_k(rows)))


if __name__ == "__main__":
    main()
