"""New inputs made from the cases' own, for telling implementations apart without asking anyone.

Two implementations of a small model that pass the same handful of cases often still differ a little way
off them (HumanEval/120: `sorted(arr)[-k:]` passes every stated example and is wrong for k = 0). Such a
difference is a fact about the code that needs no expected value: on some input, two candidates that claim
the same behaviour return different things, so at least one of them is wrong and the agreement was thinner
than it looked. The inputs come from the cases themselves (each parameter's values recombined across cases,
then nudged the way edge cases usually are: one less, empty, shorter, reversed), so they keep the types and
the shapes the spec was written for; no task's vocabulary is involved and no model call is made.
"""
from __future__ import annotations

import json
from itertools import islice
from typing import Any, Iterator

from .observations import Candidate, Case, Observation, observation_key

MAX_VARIED = 8  # inputs per check: one sandbox run for all of them, per candidate


def varied_inputs(cases: list[Case], param_names: list[str], limit: int = MAX_VARIED) -> list[Case]:
    """Up to `limit` probes whose arguments differ from every case's: first the cases' inputs with one
    argument nudged, then arguments recombined across cases. Deterministic (same cases, same probes)."""
    bases = [c.args for c in cases if set(c.args) == set(param_names)]
    seen = {_key(a) for a in bases}
    out: list[Case] = []
    for args in islice(_candidates(bases, param_names), 200):
        key = _key(args)
        if key in seen:
            continue
        seen.add(key)
        out.append(Case(f"test_varied_{len(out) + 1}", args, None, "probe"))
        if len(out) >= limit:
            break
    return out


def _candidates(bases: list[dict], names: list[str]) -> Iterator[dict]:
    # The i-th nudge of every parameter of every case before any (i+1)-th: a long case list or a parameter
    # with many nudges does not crowd out the others' edge cases.
    nudges = [[_nudges(args[name]) for name in names] for args in bases]
    for i in range(max((len(n) for per_case in nudges for n in per_case), default=0)):
        for args, per_case in zip(bases, nudges):
            for name, values in zip(names, per_case):
                if i < len(values):
                    yield {**args, name: values[i]}
    if len(names) > 1:
        for a in bases:
            for b in bases:
                for name in names:
                    if type(a[name]) is type(b[name]):
                        yield {**a, name: b[name]}


def _nudges(value: Any) -> list[Any]:
    """Values of the same type near `value`, edge cases first. Types we cannot vary safely (dicts, nested
    custom objects, bools whose flip may be meaningless) give nothing."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [v for v in (0, value - 1, value + 1, 1) if v != value]
    if isinstance(value, float):
        return [v for v in (0.0, value / 2, value + 1.5) if v != value]
    if isinstance(value, str):
        return [v for v in ("", value[:-1], value[::-1], value[:1]) if v != value]
    if isinstance(value, (list, tuple)):
        seq = list(value)
        shapes = [seq[:-1], seq[::-1], seq[:1], [], seq + seq[-1:]]
        return [type(value)(v) for v in shapes if v != seq and _same_kinds(v, seq)]
    return []


def _same_kinds(new: list, old: list) -> bool:
    return all(type(x) in {type(y) for y in old} for x in new)


def _key(args: dict) -> str:
    return observation_key({k: repr(v) for k, v in sorted(args.items())})


def conflict(a: Observation | None, b: Observation | None) -> bool:
    """Both implementations returned, and not the same value (floats within rounding are the same). An
    exception is no conflict: off the cases, "this input is invalid" is a fair answer the spec may allow."""
    if a is None or b is None or a.error or b.error or a.key == b.key:
        return False
    try:
        return not _close(json.loads(a.key), json.loads(b.key))
    except ValueError:
        return True


def _close(x: Any, y: Any) -> bool:
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_close(p, q) for p, q in zip(x, y))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_close(x[k], y[k]) for k in x)
    if type(x) in (int, float) and type(y) in (int, float):
        return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
    return x == y


def varied_choice(chosen: Candidate, peers: list[Candidate], probes: list[Case]) -> tuple[Candidate | None, str]:
    """Among `peers` (implementations that behave like `chosen` on every case), the one the most independent
    peers back on the varied inputs `probes`: backing means returning no conflicting value anywhere.
    `chosen` itself when nothing conflicts. None, and why, when no implementation is backed by at least two
    independent ones and strictly more than each implementation that contradicts it."""
    names = [p.name for p in probes]

    def backers(c: Candidate) -> int:
        return sum(d.independent for d in peers if not _conflicts(c, d, names))

    if not any(_conflicts(chosen, d, names) for d in peers):
        return chosen, ""
    best = max(peers, key=backers)  # the first drawn on a tie
    rivals = [d for d in peers if _conflicts(best, d, names)]
    if backers(best) >= 2 and all(backers(best) > backers(r) for r in rivals):
        return best, ""
    a, b = (best, rivals[0]) if rivals else (chosen, best)
    probe = next(p for p in probes if conflict(a.observations.get(p.name), b.observations.get(p.name)))
    given = ", ".join(f"{k}={v!r}" for k, v in probe.args.items())
    return None, (f"{a.label} and {b.label} pass the same cases but disagree off them: given {given} they "
                  f"{a.observations[probe.name].as_verb()} and {b.observations[probe.name].as_verb()}; no "
                  "further implementation settled which is right")


def _conflicts(a: Candidate, b: Candidate, names: list[str]) -> bool:
    return any(conflict(a.observations.get(n), b.observations.get(n)) for n in names)
