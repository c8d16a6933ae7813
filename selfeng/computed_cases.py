"""Expected values that the test writer computes instead of working out in its head.

A small model's expected values are wrong about 40% of the time, and mostly not because it misreads the
task: it does arithmetic, counting and calendar sums badly (3 US gallons as 11.35 l, 2000-01-01 as a Friday).
It writes the formula well. So each model case may carry `compute`, a Python expression that gives the
expected value, with the case's arguments bound to the parameter names. The expressions are model code:
they run in the sandbox, all of a case set in one run, and one that fails or returns a value of the wrong
type leaves the model's literal value as it was.

The computed value replaces the literal: it is the same opinion (the model's formula) without the
arithmetic slips. It stays a *model* case, weighed and droppable like any other; it is never trusted.

Measured, and not adopted by the engine (`benchmarks/bench_case_accuracy.py`, results in
`benchmarks/results/case-accuracy-compute-partial.json`): the 1.5B model mostly wrote the implementation
again (`len(text.split())`, `sorted(xs, reverse=True)`), copied literals, or used its own rounded factors
(`3 * 3.78541`), so the values were no more often right, while each case set took twice as long to write.
It stays as the instrument for stronger models, where it may pay.
"""
from __future__ import annotations

import dataclasses
import logging
from typing import Any

from . import pyparse
from .arbitration import Case
from .case_replies import base_type

log = logging.getLogger(__name__)

MAX_EXPRESSION = 300  # characters; the case schema allows no more
COMPUTE_SECONDS = 10  # for all of a case set's expressions; a runaway one costs the set its computed values
_FUNCTION = "computed_values"

# Runs inside the sandbox. `datetime` is a subclass of the class that also carries the module's names,
# because models write both `datetime.date(2000, 1, 1)` and `datetime(2000, 1, 1)`.
_SANDBOXED = '''
import calendar, collections, datetime as _dt, decimal, fractions, functools, itertools, json, math, operator
import re, statistics, string


class datetime(_dt.datetime):
    date, time, timedelta, timezone, datetime = _dt.date, _dt.time, _dt.timedelta, _dt.timezone, _dt.datetime


_NAMES = {"math": math, "statistics": statistics, "string": string, "re": re, "itertools": itertools,
          "functools": functools, "collections": collections, "calendar": calendar, "operator": operator,
          "json": json, "decimal": decimal, "fractions": fractions, "datetime": datetime,
          "date": _dt.date, "timedelta": _dt.timedelta, "Counter": collections.Counter,
          "Decimal": decimal.Decimal, "Fraction": fractions.Fraction}


def _plain(value):
    """A value the host can read back with ast.literal_eval."""
    if isinstance(value, (_dt.date, _dt.time, _dt.timedelta)):
        return str(value)
    if isinstance(value, (decimal.Decimal, fractions.Fraction)):
        return float(value)
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, (list, range, map, filter, zip, reversed)) or type(value).__name__ == "generator":
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a {type(value).__name__} is not a plain value")


def computed_values(jobs):
    out = []
    for expression, args in jobs:
        try:
            value = eval(compile(expression, "<expected>", "eval"), {**_NAMES, **args})
            out.append(["ok", repr(_plain(value))])
        except BaseException as exc:  # a wrong expression is no opinion, not a reason to stop
            out.append(["error", f"{type(exc).__name__}: {exc}"[:200]])
    return out
'''


def with_computed_values(sandbox, spec: dict, cases: list[Case]) -> list[Case]:
    """`cases` with each model case's expected value replaced by the value of its `compute` expression,
    where that runs and gives a value of the declared return type."""
    todo = [c for c in cases if c.source == "model" and _worth_running(c.compute)]
    if not todo:
        return cases
    try:
        run = sandbox.run_tool(_FUNCTION, _SANDBOXED, {"jobs": [[c.compute, c.args] for c in todo]},
                               timeout=COMPUTE_SECONDS)
    except ValueError as exc:
        log.info("computed values not run: %s", exc)
        return cases
    results = run.get("result") if run.get("success") else None
    if not isinstance(results, list) or len(results) != len(todo):
        log.info("computed values not run: %s", run.get("error"))
        return cases
    replaced: dict[str, Any] = {}
    for case, (status, shown) in zip(todo, results):
        value = _read(shown) if status == "ok" else _NOTHING
        value = _as_declared(value, spec.get("return_type"))
        if value is not _NOTHING:
            replaced[case.name] = value
        else:
            log.info("%s: compute %r gave no usable value (%s)", case.name, case.compute, shown)
    return [dataclasses.replace(c, expected=replaced[c.name]) if c.name in replaced else c for c in cases]


_NOTHING = object()


def _worth_running(expression: Any) -> bool:
    """An expression that is more than a literal (a literal computes nothing the model did not write)."""
    if not isinstance(expression, str) or not expression.strip() or len(expression) > MAX_EXPRESSION:
        return False
    try:
        pyparse.literal_eval(expression.strip())
        return False
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return True


def _read(shown: Any) -> Any:
    try:
        return pyparse.literal_eval(shown) if isinstance(shown, str) else _NOTHING
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _NOTHING


def _as_declared(value: Any, declared: Any) -> Any:
    """`value` as the declared return type, or `_NOTHING` when it is another kind of value: a count
    computed as 4.0 is the int 4, but a string where a number is declared means the expression computed
    something else than the function returns."""
    if value is _NOTHING:
        return value
    base = base_type(declared)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if base == "int":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value if number and isinstance(value, int) else _NOTHING
    if base == "float":
        return float(value) if number else _NOTHING
    if base in ("str", "bool", "dict"):
        return value if type(value).__name__ == base else _NOTHING
    if base in ("list", "tuple"):
        return (list if base == "list" else tuple)(value) if isinstance(value, (list, tuple)) else _NOTHING
    return value  # Any, Optional[...], unions, no annotation: whatever it computed
