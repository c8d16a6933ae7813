"""Weighing model-written tests as evidence, not truth.

Small models write correct small functions but often wrong expected values (measured on HumanEval with
the 1.5B model: tests written first wrongly failed 6 of 15 correct solutions). So when the code fails a
test, we ask for a second implementation derived from the spec alone. A test is *disputed* when both
independent implementations fail it with the same observed value while passing the rest: the
re-derivation agrees with the code, not with the test. Only such cases are dropped, one by one, and
never below the configured minimum number of tests.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass
class CaseOutcome:
    name: str        # test function name
    outcome: str     # passed | failed | error | skipped | ...
    message: str = ""


def outcomes(report: dict) -> dict[str, CaseOutcome]:
    """Per-test outcomes from a sandbox verification report, keyed by test function name."""
    result = {}
    for t in report.get("tests") or []:
        name = str(t.get("nodeid", "")).split("::")[-1]
        result[name] = CaseOutcome(name, str(t.get("outcome", "")), str(t.get("message") or ""))
    return result


def failed_names(report: dict) -> list[str]:
    return [n for n, o in outcomes(report).items() if o.outcome != "passed"]


def _observed(message: str) -> str:
    """The part of an assertion message that shows what the code returned.

    pytest renders `assert f(x) == y` as `assert <actual> == <expected>`; the first line is enough to
    tell whether two implementations returned the same value.
    """
    first = message.strip().splitlines()[0] if message.strip() else ""
    return first.split(" where ")[0].strip()


def disputed_tests(first: dict, second: dict) -> list[str]:
    """Tests that two independent implementations both fail with the same observed value."""
    a, b = outcomes(first), outcomes(second)
    disputed = []
    for name, oa in a.items():
        ob = b.get(name)
        if oa.outcome == "failed" and ob is not None and ob.outcome == "failed":
            if _observed(oa.message) and _observed(oa.message) == _observed(ob.message):
                disputed.append(name)
    return disputed


def drop_tests(test_code: str, names: list[str]) -> str:
    """Remove the named top-level test functions from `test_code`, keeping everything else verbatim."""
    tree = ast.parse(test_code)
    lines = test_code.splitlines(keepends=True)
    spans = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            spans.append((start, node.end_lineno))
    for start, end in sorted(spans, reverse=True):
        del lines[start:end]
    return "".join(lines)


def count_tests(test_code: str) -> int:
    try:
        tree = ast.parse(test_code)
    except SyntaxError:
        return 0
    return sum(1 for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
               and n.name.startswith("test"))


def failure_report(report: dict, limit: int = 6) -> str:
    """A short pytest failure report for the model: one line per failing test."""
    rows = []
    for name, o in outcomes(report).items():
        if o.outcome != "passed":
            msg = " ".join(o.message.split())[:300]
            rows.append(f"- {name}: {o.outcome}: {msg}")
    if not rows:
        rows.append((report.get("error") or report.get("output") or "tests did not pass")[-800:])
    return "\n".join(rows[:limit])
