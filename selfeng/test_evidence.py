"""Reading a sandbox verification report as evidence: per-case observed values, repair notes, test hygiene.

The verify harness records every call the tests make into the tool process, with the value it returned
(tagged JSON) or the exception it raised. These are the observations arbitration compares; the text of
pytest's failure messages never decides anything (two implementations that fail the same test share its
message's location line whatever they return).
"""
from __future__ import annotations

import ast
import json
import math
from typing import Any

from .arbitration import Case, Observation
from .observations import empty_arguments, error_key
from . import pyparse

FLOAT_DIGITS = 6  # behaviour keys compare floats to ~pytest.approx's precision, so 8.0467 and 8.04670001 agree


def _canonical(value: Any) -> Any:
    """A value as behaviour is compared: floats to FLOAT_DIGITS, and a whole float as the int it equals.
    `75.0 == 75` in Python and so in every test, so `(d2 - d1).days` and `/ 86400` return the same
    answer: left apart, three drafts that agree split into two groups and no group has the votes."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        rounded = float(f"{value:.{FLOAT_DIGITS}g}")
        return int(rounded) if rounded.is_integer() and abs(rounded) < 2 ** 53 else rounded
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    return value


def _observation(test: dict) -> Observation | None:
    """What a test's call into the tool did (rendered cases make exactly one call; a raw test may make more,
    and then its behaviour is all of them together)."""
    calls = test.get("calls") or []
    passed = test.get("outcome") == "passed"
    if not calls:
        return None
    if len(calls) > 1:
        parts = [_observation({"calls": [c], "outcome": test.get("outcome")}) for c in calls]
        first_error = next((p for p in parts if p.error), None)
        key = " | ".join(p.key for p in parts)
        if first_error:
            return Observation(key, passed, None, first_error.error, first_error.message, first_error.family)
        return Observation(key, passed, [p.value for p in parts])
    call = calls[0]
    if "error" in call:
        err = call["error"]
        key = error_key(str(err.get("type")), err.get("family"), _empty_call(call))
        return Observation(f"raises {key}", passed, None,
                           str(err.get("type")),
                           f"{err.get('message', '')}\n{err.get('traceback', '')}".strip(), err.get("family"))
    if "digest" in call:
        return Observation(f"digest {call['digest']}", passed, None, None)
    value = call.get("value")
    return Observation(json.dumps(_canonical(value), sort_keys=True, ensure_ascii=False), passed, value)


def _empty_call(call: dict) -> bool:
    """Every argument of the call is empty (`observations.empty_arguments`)."""
    from .sandbox.tool_server import decode

    try:
        args = decode(call.get("args") or [])
        kwargs = decode(call.get("kwargs") or {})
    except (TypeError, ValueError, KeyError):
        return False
    return isinstance(args, list) and isinstance(kwargs, dict) and empty_arguments(args + list(kwargs.values()))


def observations(report: dict, cases: list[Case]) -> dict[str, Observation]:
    """Case name -> what the implementation did, from a verify_tool report."""
    by_name = {str(t.get("nodeid", "")).split("::")[-1]: t for t in report.get("tests") or []}
    out = {}
    for case in cases:
        test = by_name.get(case.name)
        obs = _observation(test) if test else None
        if obs is not None:
            out[case.name] = obs
    return out


_UNDEFINED = r"name '([A-Za-z_]\w*)' is not defined"


def name_errors(obs: dict[str, Observation], report: dict | None = None) -> set[str]:
    """Names a NameError reported as undefined ("name 'combinations' is not defined"): in a call's error,
    or, with `report`, in a module that failed to import (`-> Any` with no import fails at collection)."""
    import re

    found = set()
    for o in obs.values():
        if o.error == "NameError":
            m = re.search(_UNDEFINED, o.message)
            if m:
                found.add(m.group(1))
    for test in (report or {}).get("tests") or []:
        if test.get("outcome") == "collection_error":
            found.update(re.findall("NameError: " + _UNDEFINED, str(test.get("message") or "")))
    return found


def attribute_errors(obs: dict[str, Observation]) -> list[str]:
    """The messages of the AttributeErrors the calls raised, each once (for `fix_module_class_mixup`)."""
    return list(dict.fromkeys(o.message for o in obs.values() if o.error == "AttributeError" and o.message))


def repair_notes(cases: list[Case], obs: dict[str, Observation], limit: int = 4) -> str:
    """For the repair prompt: each failing case with its input, the expected and the observed value, and the
    last frames of a traceback."""
    rows = []
    for case in cases:
        o = obs.get(case.name)
        if case.probe or (o is not None and o.passed):
            continue
        call = ", ".join(f"{k}={v!r}" for k, v in case.args.items())
        want = json.dumps(case.expected, ensure_ascii=False)
        if o is None:
            rows.append(f"- f({call}) should return {want}; it returned nothing (the test did not reach the call)")
        elif o.error:
            frames = "\n".join(o.message.strip().splitlines()[-4:])
            rows.append(f"- f({call}) should return {want}; it raised {o.error}:\n{frames}")
        else:
            rows.append(f"- f({call}) should return {want}; it returned {o.shown()}")
        if len(rows) >= limit:
            break
    return "\n".join(rows)


def count_tests(test_code: str) -> int:
    try:
        tree = pyparse.parse(test_code)
    except SyntaxError:
        return 0
    return sum(1 for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
               and n.name.startswith("test"))


def vacuous_tests(test_code: str, function_name: str) -> list[str]:
    """Test functions in raw pytest code that do not both call the tool and assert on what it returned.

    `assert True`, a test that only calls the tool, or one that asserts on a constant would verify anything.
    """
    try:
        tree = pyparse.parse(test_code)
    except SyntaxError:
        return ["<unparsable>"]
    bad = []
    tests = [n for n in tree.body
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test")]
    for fn in tests:
        results = _names_bound_to_calls(fn, function_name)
        if not any(_asserts_on(node, function_name, results) for node in ast.walk(fn) if isinstance(node, ast.Assert)):
            bad.append(fn.name)
    return bad if tests else ["<no test functions>"]


def _calls_tool(node: ast.AST, function_name: str) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == function_name
               for n in ast.walk(node))


def _names_bound_to_calls(fn: ast.AST, function_name: str) -> set[str]:
    names = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and _calls_tool(node.value, function_name):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _asserts_on(node: ast.Assert, function_name: str, results: set[str]) -> bool:
    test = node.test
    uses = _calls_tool(test, function_name) or any(isinstance(n, ast.Name) and n.id in results for n in ast.walk(test))
    if not uses:
        return False
    if isinstance(test, ast.Compare) and len(test.ops) == 1:  # `f(x) == f(x)` or `r == r` checks nothing
        return ast.dump(test.left) != ast.dump(test.comparators[0])
    return True
