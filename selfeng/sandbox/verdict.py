"""Judging a pytest run from the harness's structured report, never from the exit code alone.

Verified means: at least one test collected, no collection errors, every collected test ran its call
phase and passed, nothing skipped/xfailed/xpassed/errored, every test function written in the frozen
file was collected, the session finished (report present), the tool process survived every call and
pytest and the process both exited 0.
"""
from __future__ import annotations

import ast
import json

from .base import Outcome
from .. import pyparse

OUTPUT_HEAD = 1500
OUTPUT_TAIL = 6000


def truncate(text: str, head: int = OUTPUT_HEAD, tail: int = OUTPUT_TAIL) -> str:
    """Keep the start and the end (pytest's summary) of long output."""
    if len(text) <= head + tail:
        return text
    return f"{text[:head]}\n... [{len(text) - head - tail} characters omitted] ...\n{text[-tail:]}"


def big_int(text: str) -> int:
    """int() for JSON integers of any length (the harness lifts Python's 4300-digit limit too).

    Divide and conquer keeps this subquadratic, and only the trusted parent's own code runs it."""
    if len(text) <= 4000:
        return int(text)
    sign = -1 if text[0] == "-" else 1
    digits = text.lstrip("-")
    half = len(digits) // 2
    return sign * (big_int(digits[:-half]) * 10 ** half + big_int(digits[-half:]))


def parse_report(raw: bytes, event: str, nonce: str | None = None) -> tuple[bool, dict | None, int]:
    """(harness started, the one `event` line carrying our nonce, how many such lines there were)."""
    started, found = False, []
    for line in raw.splitlines():
        try:
            msg = json.loads(line, parse_int=big_int)  # observed values may be huge integers
        except ValueError:
            continue
        if not isinstance(msg, dict):
            continue
        if msg.get("event") == "started":
            started = True
        elif msg.get("event") == event and (nonce is None or msg.get("nonce") == nonce):
            found.append(msg)
    return started, (found[0] if len(found) == 1 else None), len(found)


def expected_tests(test_code: str) -> set[str] | None:
    """Test ids pytest must collect from the frozen file (`test_x`, `TestC::test_y`); None if unparsable."""
    try:
        tree = pyparse.parse(test_code)
    except SyntaxError:
        return None

    def is_test_function(node: ast.AST) -> bool:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.name.startswith("test"):
            return False
        return not any("fixture" in ast.unparse(d) for d in node.decorator_list)

    names = {n.name for n in tree.body if is_test_function(n)}
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef) and cls.name.startswith("Test") and not any(
                isinstance(n, ast.FunctionDef) and n.name == "__init__" for n in cls.body):
            names |= {f"{cls.name}::{n.name}" for n in cls.body if is_test_function(n)}
    return names


def _test_id(nodeid: str) -> str:
    return nodeid.split("::", 1)[-1].split("[", 1)[0]


def judge(outcome: Outcome, report: dict | None, n_reports: int, test_code: str, timeout: float) -> dict:
    """Build verify_tool's result dict from one finished (or killed) pytest run."""
    output = outcome.stdout.decode("utf-8", "replace")
    stderr = outcome.stderr.decode("utf-8", "replace").strip()
    if stderr:
        output += "\n[stderr]\n" + stderr
    result = {"success": False, "output": truncate(output), "error": None, "tests_collected": 0,
              "tests_passed": 0, "tests_failed": 0, "tests_skipped": 0, "tests_errors": 0,
              "tests_xfailed": 0, "tests_xpassed": 0, "collection_errors": 0, "tests": [],
              "duration_s": round(outcome.duration_s, 3)}
    if outcome.timed_out:
        result["error"] = f"verification timed out after {timeout:g}s (killed)"
        return result
    if report is None:
        result["error"] = (
            "pytest wrote more than one final report: refusing a forged verdict" if n_reports > 1
            else f"pytest did not finish its session (the process exited with code {outcome.returncode} "
                 "before reporting; sys.exit/os._exit in code or tests?)")
        return result

    items = report.get("items", [])
    tests = {t["nodeid"]: t for t in report.get("tests", [])}
    result["tests_collected"] = len(items)
    result["collection_errors"] = len(report.get("collection_errors", []))
    listed = []
    for nodeid in items:
        t = tests.get(nodeid) or {"nodeid": nodeid, "outcome": "not run", "message": "", "called": False}
        if t["outcome"] == "passed" and not t.get("called"):
            t = {**t, "outcome": "not run"}
        listed.append({"nodeid": nodeid, "outcome": t["outcome"], "message": t.get("message", ""),
                       "calls": t.get("calls") or []})
    for nodeid, t in tests.items():  # reports for nodes pytest never listed as collected
        if nodeid not in set(items):
            listed.append({"nodeid": nodeid, "outcome": t["outcome"], "message": t.get("message", "")})
    for ce in report.get("collection_errors", []):
        listed.append({"nodeid": ce["nodeid"], "outcome": "collection_error", "message": ce["message"]})
    result["tests"] = listed

    counts = {o: sum(1 for t in listed if t["outcome"] == o) for o in
              ("passed", "failed", "skipped", "error", "xfailed", "xpassed")}
    result.update(tests_passed=counts["passed"], tests_failed=counts["failed"],
                  tests_skipped=counts["skipped"], tests_errors=counts["error"],
                  tests_xfailed=counts["xfailed"], tests_xpassed=counts["xpassed"])

    result["error"] = _first_problem(result, listed, items, report, outcome, test_code)
    result["success"] = result["error"] is None
    return result


def _first_problem(result: dict, listed: list[dict], items: list[str], report: dict, outcome: Outcome,
                   test_code: str) -> str | None:
    ended = report.get("tool_ended")
    if ended:  # the tool process died mid-call (os._exit, a signal): what the failed tests only echo
        return (f"the tool process did not finish: it ended ({ended.get('how')}) during "
                f"`{ended.get('during')}`; sys.exit/os._exit or a signal in the tool?")
    if result["collection_errors"]:
        first = next(t for t in listed if t["outcome"] == "collection_error")
        return f"collection error in {first['nodeid'] or 'the test session'}: {first['message']}"
    if not items:
        return "no tests were collected"
    bad = [t for t in listed if t["outcome"] != "passed"]
    if bad:
        summary = ", ".join(f"{k} {v}" for k, v in (
            ("failed", result["tests_failed"]), ("errors", result["tests_errors"]),
            ("skipped", result["tests_skipped"]), ("xfailed", result["tests_xfailed"]),
            ("xpassed", result["tests_xpassed"]),
            ("not run", sum(t["outcome"] == "not run" for t in listed))) if v)
        first = bad[0]["message"].splitlines()[-1].removeprefix("E").strip() if bad[0]["message"] else ""
        return (f"{len(bad)} of {len(listed)} tests did not pass ({summary}); first: {bad[0]['nodeid']}: "
                f"{bad[0]['outcome']}" + (f": {first}" if first else ""))
    expected = expected_tests(test_code) or set()
    missing = expected - {_test_id(n) for n in items}
    if missing:
        return f"tests in the frozen file were not collected or run: {sorted(missing)}"
    if report.get("exitstatus") != 0 or outcome.returncode != 0:
        return (f"pytest exit status {report.get('exitstatus')}, process exit code {outcome.returncode} "
                "although every test passed")
    return None
