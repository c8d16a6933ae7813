"""`selfeng eval humaneval` on problem 0 with a scripted model: real sandbox runs of HumanEval's hidden tests.

The scripted model gives one implementation to the single-shot baseline (it runs first) and the rest to
the pipeline; several `generate_implementation` entries are queued because the pipeline may draw more
than one. The assertions are about the evaluation's arithmetic on the real hidden-test verdicts.
"""
from __future__ import annotations

import json

from selfeng.cli import main
from selfeng.config import load_settings
from selfeng.evaluation import load_humaneval, preamble, run_hidden, select_problems
from selfeng.sandbox import SecureSandbox
from tests.core.helpers import script

SPEC = {"function_name": "has_close_elements",
        "parameters": [{"name": "numbers", "type": "List[float]", "description": "the numbers"},
                       {"name": "threshold", "type": "float", "description": "the distance"}],
        "return_type": "bool",
        "docstring": "Check if any two numbers in the list are closer to each other than threshold."}
# True facts about has_close_elements that a wrong "adjacent pairs only" version also satisfies.
CASES = {"cases": [
    {"args": {"numbers": [1.0, 2.0, 3.0], "threshold": 0.5}, "expected": False},
    {"args": {"numbers": [1.0, 2.8, 3.0, 4.0, 5.0, 2.0], "threshold": 0.3}, "expected": True},
    {"args": {"numbers": [1.0, 1.05], "threshold": 0.1}, "expected": True},
    {"args": {"numbers": [5.0, 10.0], "threshold": 1.0}, "expected": False},
    {"args": {"numbers": [0.0, 0.5, 2.0], "threshold": 0.6}, "expected": True}]}
CORRECT = """```python
from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    ordered = sorted(numbers)
    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))
```"""
ADJACENT_ONLY = """```python
from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    return any(abs(a - b) < threshold for a, b in zip(numbers, numbers[1:]))
```"""


def _run(tmp_path, monkeypatch, single_shot: str, pipeline: str) -> tuple[dict, str]:
    entries = [("generate_implementation", single_shot)]
    entries += [("generate_spec", SPEC)] + [("generate_tests", CASES)] * 3
    entries += [("generate_implementation", pipeline)] * 6 + [("fix_implementation", pipeline)] * 3
    path = tmp_path / "script.json"
    path.write_text(json.dumps({"responses": script(*entries)}))
    monkeypatch.setenv("SELFENG_SCRIPT", str(path))
    out = tmp_path / "he.json"
    assert main(["eval", "humaneval", "--limit", "1", "--json", str(out)]) == 0
    return json.loads(out.read_text()), str(out)


def test_verified_correct_tool_beats_wrong_single_shot(tmp_path, monkeypatch, capsys):
    report, _ = _run(tmp_path, monkeypatch, single_shot=ADJACENT_ONLY, pipeline=CORRECT)
    row = report["rows"][0]
    assert row["task_id"] == "HumanEval/0"
    assert row["pipeline"]["registered"] and row["pipeline"]["tests_verified"] and row["pipeline"]["hidden_passed"]
    assert row["single_shot"] == {**row["single_shot"], "passed": False, "model_calls": 1}
    s = report["summary"]
    assert s["problems"] == 1
    assert s["pipeline"] | {"passed": 1, "pass_at_1": 1.0, "verified": 1, "coverage": 1.0,
                            "verified_passed": 1, "verified_precision": 1.0, "experimental": 0} == s["pipeline"]
    assert s["single_shot"]["passed"] == 0 and s["single_shot"]["pass_at_1"] == 0.0
    assert row["pipeline"]["model_calls"] >= 2  # at least a test and an implementation call were counted
    printed = capsys.readouterr()
    assert "| pass@1 | 1/1 (1.00) | 0/1 (0.00) |" in printed.out
    assert "| verified precision | 1/1 (1.00) | — |" in printed.out
    assert "HumanEval/0" in printed.err  # per-problem progress


def test_verified_but_wrong_tool_counts_against_precision(tmp_path, monkeypatch, capsys):
    report, _ = _run(tmp_path, monkeypatch, single_shot=CORRECT, pipeline=ADJACENT_ONLY)
    pipe = report["rows"][0]["pipeline"]
    # The model's cases cannot tell the two apart; HumanEval's hidden tests can.
    assert pipe["tests_verified"] and not pipe["hidden_passed"] and pipe["hidden_error"]
    s = report["summary"]
    assert s["pipeline"]["passed"] == 0 and s["pipeline"]["pass_at_1"] == 0.0
    assert s["pipeline"]["coverage"] == 1.0 and s["pipeline"]["verified_precision"] == 0.0
    assert s["single_shot"]["pass_at_1"] == 1.0
    assert "| verified precision | 0/1 (0.00) | — |" in capsys.readouterr().out


def test_hidden_run_adds_the_prompts_helpers_on_name_error(tmp_path):
    # HumanEval/10's prompt defines is_palindrome before make_palindrome; code that relies on it
    # without defining it is run again with the prompt's preamble prepended.
    problem = next(p for p in load_humaneval() if p["task_id"] == "HumanEval/10")
    assert "def is_palindrome" in preamble(problem["prompt"], problem["entry_point"])
    code = ("def make_palindrome(string: str) -> str:\n"
            "    for i in range(len(string) + 1):\n"
            "        if is_palindrome(string[i:]):\n"
            "            return string + string[:i][::-1]\n")
    settings = load_settings(data_dir=tmp_path / "d")
    settings.ensure_dirs()
    sandbox = SecureSandbox(settings)
    ok = run_hidden(sandbox, problem, "make_palindrome", code)
    assert ok == {"passed": True, "preamble_added": True, "error": None}
    wrong = run_hidden(sandbox, problem, "make_palindrome", code.replace("[::-1]", ""))
    assert wrong["passed"] is False and wrong["preamble_added"] is True and wrong["error"]


def test_problem_selection_every_k():
    problems = load_humaneval()
    assert len(problems) == 164
    chosen = select_problems(problems, every=4)
    assert len(chosen) == 41 and chosen[1]["task_id"] == "HumanEval/4"
    assert [p["task_id"] for p in select_problems(problems, every=40, limit=2)] == ["HumanEval/0", "HumanEval/40"]
    tuning = select_problems(problems, every=4, offset=2)  # disjoint from the reported slice
    assert tuning[0]["task_id"] == "HumanEval/2" and not {p["task_id"] for p in tuning} & {
        p["task_id"] for p in chosen}
