"""`selfeng eval requests`: a JSON list of everyday requests runs in order against one growing library;
each answer is compared with its `expect` (see `matching.matches` for the rule)."""
from __future__ import annotations

import contextlib
import dataclasses
import json
import shutil
import time
from pathlib import Path

from ..config import Settings, load_settings
from .common import Checkpoint, Progress, _first_line, _frac, _median, _preload, _scratch_settings, _share, _stderr
from .matching import matches


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
            # the whole message too: the cases, values and votes that made a synthesis fail
            "error_detail": None if answered else str(result.get("error") or "")[:2000],
            "seconds": round(seconds, 3), "model_calls": int((result.get("usage") or {}).get("model_calls", 0))}


def run_request_single_shot(llm_client, sandbox, item: dict, files_dir: Path) -> dict:
    """The baseline for one request: one greedy call writes `solve()`, which runs once in the sandbox."""
    from ..llm import LLMError
    from ..data_cases import file_note

    # The note the pipeline's direct answer gets (a `solve()` has no parameter): where the file is, its first lines.
    files = "\n".join(file_note(files_dir / Path(n).name) for n in item.get("data_files") or [])
    t0 = time.perf_counter()
    try:
        run = sandbox.run_tool("solve", llm_client.generate_solution(item["request"], files), {})
    except (LLMError, ValueError) as exc:
        run = {"success": False, "result": None, "error": str(exc)}
    got = run.get("result")
    outcome = ("correct" if matches(got, item["expect"]) else "wrong") if run.get("success") else "failed"
    return {"outcome": outcome, "got": got, "seconds": round(time.perf_counter() - t0, 3),
            "error": None if run.get("success") else _first_line(run.get("error"))}


def evaluate_requests(path: str | Path, split: str = "all", *, settings: Settings | None = None,
                      data_dir: str | Path | None = None, single_shot: bool = False,
                      progress: Progress = _stderr, checkpoint: Checkpoint = None,
                      category: str | None = None) -> dict:
    """Run the requests in order against one growing library (fresh unless `data_dir` is given); with
    `single_shot`, each request also gets the one-call baseline first (same provider, same run). `category`
    keeps only the items of that category ("data": the requests that read a file)."""
    path = Path(path)
    items = [it for it in load_requests(path) if (split == "all" or it.get("split", "tune") == split)
             and (category is None or it.get("category") == category)]
    if not items:
        raise ValueError(f"{path}: no request with split {split!r}" + (f" and category {category!r}" if category else ""))
    base = settings or load_settings()
    with contextlib.ExitStack() as stack:
        if data_dir is None:
            run_settings = stack.enter_context(_scratch_settings(base, "selfeng-eval-req-"))
        else:
            run_settings = dataclasses.replace(base, data_dir=Path(data_dir).expanduser().resolve())
            run_settings.ensure_dirs()
        stage_data_files(items, path.parent / "data", run_settings.files_dir)
        from ..orchestrator import AgentOrchestrator
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
    # A new tool's usage views are written in the background; a user types the next request meanwhile.
    # Waiting here, outside the timed request, keeps runs repeatable; the wait is reported on its own.
    t1 = time.perf_counter()
    orchestrator.registry.wait_for_usage_views(timeout=300)
    row["views_wait_s"] = round(time.perf_counter() - t1, 3)
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
