"""CompositionPlanner: multi-step workflows, each step a tool run in the sandbox.

A step that uses an earlier result gets that result as a structured argument: with one parameter the
value is passed as is; otherwise the value is written into the step's text for argument extraction and
the extracted argument equal to it is replaced by the original value (so 12.0 stays a float, a list a list).
A failed step stops the steps that depend on it; independent steps still run. A retry (`previous=`)
never reruns steps that already succeeded.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Callable, Optional

from . import events as ev
from .arguments import coerce_arguments, fast_path_arguments, numbers, quoted_strings
from .decompose import split_steps, substitute_reference
from .events import emit
from .llm import LLMError

log = logging.getLogger(__name__)

MIN_COMPOSITE_TOOLS = 2
MIN_COMPOSITE_FREQUENCY = 3
MIN_COMPOSITE_SUCCESS = 0.8


def normalize_sub_tasks(sub_tasks: list) -> list[dict]:
    """Accept the seeds' list of strings or [{task, depends_on}] and return the latter."""
    steps = []
    for i, s in enumerate(sub_tasks or []):
        if isinstance(s, str):
            task, deps = s, []
        else:
            task, deps = str(s.get("task") or s.get("description") or ""), list(s.get("depends_on") or [])
        deps = sorted({int(d) for d in deps if isinstance(d, int) and 0 <= d < i})
        steps.append({"task": task.strip(), "depends_on": deps})
    return steps


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str) and "\n" not in value and len(value) < 200:
        return repr(value)  # quoted, so the string fast path and the model both see one literal
    return None


def _is_typed(value: Any, typed: set) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) in {t for t in typed if isinstance(t, float)}
    return value in typed


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
    return a == b


class CompositionPlanner:
    def __init__(self, registry, executor, llm_client, synthesis_engine=None, workflow_tracker=None):
        self.registry = registry
        self.executor = executor
        self.llm_client = llm_client
        self.synthesis_engine = synthesis_engine
        self.workflow_tracker = workflow_tracker

    @staticmethod
    def should_create_composite(sequence: list[str], success_rate: float, frequency: int) -> bool:
        """Seeds' promotion criteria: ≥ 2 tools, ≥ 3 occurrences, success rate ≥ 0.8."""
        return (len(sequence) >= MIN_COMPOSITE_TOOLS and frequency >= MIN_COMPOSITE_FREQUENCY
                and success_rate >= MIN_COMPOSITE_SUCCESS)

    # -- workflows ------------------------------------------------------------------------------------
    def execute_workflow(self, sub_tasks: list, user_prompt: str, callback: Optional[Callable] = None, *,
                         session_id: str | None = None, previous: dict | None = None,
                         forced_tools: list[str] | None = None) -> dict[str, Any]:
        steps = normalize_sub_tasks(sub_tasks)
        started = time.perf_counter()
        done = {s["index"]: s for s in (previous or {}).get("results", []) if s.get("status") == "complete"}
        emit(callback, ev.WORKFLOW_START, {"sub_tasks": steps, "total": len(steps),
                                           "resumed_steps": sorted(done)})
        tracker_session = None
        if self.workflow_tracker is not None:
            tracker_session = self.workflow_tracker.start_session(session_id)
        results: list[dict] = []
        synthesized: dict[str, str] = {}
        for i, step in enumerate(steps):
            if i in done:
                results.append(done[i])  # succeeded before: never rerun
                continue
            state = {"index": i, "task": step["task"], "depends_on": step["depends_on"], "status": "pending",
                     "tool_name": None, "arguments": None, "result": None, "error": None, "error_type": None,
                     "synthesized": False}
            results.append(state)
            blocked = [d for d in step["depends_on"] if results[d]["status"] != "complete"]
            if blocked:
                state.update(status="skipped", error=f"step {blocked[0] + 1} did not succeed",
                             error_type="dependency_failed")
                emit(callback, ev.WORKFLOW_STEP_FAILED, {"index": i, "task": step["task"], "skipped": True,
                                                         "error": state["error"]})
                continue
            emit(callback, ev.WORKFLOW_STEP, {"index": i, "task": step["task"], "total": len(steps)})
            self._run_step(state, results, synthesized, callback, user_prompt,
                           forced_tools[i] if forced_tools else None, tracker_session)

        ok = all(r["status"] == "complete" for r in results)
        sequence = [r["tool_name"] for r in results if r["status"] == "complete"]
        failed = next((r for r in results if r["status"] == "failed"), None)
        skipped = [r["index"] for r in results if r["status"] == "skipped"]
        sequential = any(s["depends_on"] for s in steps)
        final = results[-1]["result"] if sequential else [r["result"] for r in results]
        response = self.describe(results)
        if tracker_session is not None:
            self.workflow_tracker.end_session(tracker_session, user_prompt=user_prompt, steps=results)
        out = {
            "success": ok, "results": results, "tool_sequence": sequence, "final_result": final,
            "response": response, "synthesized_tools": sorted(set(synthesized.values())),
            "failed_step": None if failed is None else failed["index"],
            "error": None if failed is None else f"step {failed['index'] + 1} ({failed['task']}) failed: {failed['error']}",
            "skipped_steps": skipped, "duration_s": round(time.perf_counter() - started, 3),
        }
        emit(callback, ev.WORKFLOW_COMPLETE, {"success": ok, "tool_sequence": sequence,
                                              "failed_step": out["failed_step"],
                                              "results": [{k: r[k] for k in ("index", "status", "tool_name", "result")}
                                                          for r in results]})
        return out

    def execute_pattern(self, pattern: dict, user_prompt: str, callback: Optional[Callable] = None, *,
                        session_id: str | None = None) -> dict[str, Any]:
        """Run a learned tool sequence on a new request: the request's steps, the pattern's tools."""
        sequence = list(pattern["tool_sequence"])
        steps = split_steps(user_prompt)
        if len(steps) != len(sequence):
            try:
                analysis = self.llm_client.analyze_query(user_prompt)
                steps = normalize_sub_tasks(analysis.get("sub_tasks") or [])
            except LLMError as exc:
                log.warning("analyze_query failed for a pattern run: %s", exc)
        if len(steps) != len(sequence):
            return {"success": False, "results": [], "tool_sequence": [], "final_result": None,
                    "response": "", "error": f"the request does not split into the pattern's {len(sequence)} steps",
                    "failed_step": None, "skipped_steps": [], "synthesized_tools": []}
        return self.execute_workflow(steps, user_prompt, callback, session_id=session_id, forced_tools=sequence)

    # -- one step -------------------------------------------------------------------------------------
    def _run_step(self, state: dict, results: list[dict], synthesized: dict, callback, user_prompt: str,
                  forced_tool: str | None, tracker_session) -> None:
        i = state["index"]
        text, dep_value = state["task"], None
        if state["depends_on"]:
            dep_value = results[state["depends_on"][-1]]["result"]
            shown = _scalar_text(dep_value)
            text, _ = substitute_reference(text, shown if shown is not None else "the previous result")
        tool = self._find_tool(text, forced_tool)
        if tool is None:
            emit(callback, ev.WORKFLOW_STEP_NEEDS_SYNTHESIS, {"index": i, "task": text})
            tool = self._synthesise(state["task"], text, synthesized, callback)
            if tool is None:
                state.update(status="failed", error="no tool fits this step and synthesis failed",
                             error_type="synthesis_failed")
                emit(callback, ev.WORKFLOW_STEP_FAILED, {"index": i, "task": state["task"], "error": state["error"]})
                return
            state["synthesized"] = True
        state["tool_name"] = tool["name"]
        emit(callback, ev.WORKFLOW_STEP_TOOL_FOUND, {"index": i, "tool_name": tool["name"],
                                                     "similarity": tool.get("similarity_score"),
                                                     "synthesized": state["synthesized"]})
        try:
            args, bound = self._arguments(tool, state["task"], text, state["depends_on"], dep_value)
        except LLMError as exc:
            state.update(status="failed", error=f"could not extract arguments: {exc}", error_type="argument_mismatch")
            emit(callback, ev.WORKFLOW_STEP_FAILED, {"index": i, "task": state["task"], "error": state["error"]})
            return
        emit(callback, ev.WORKFLOW_STEP_EXECUTING, {"index": i, "tool_name": tool["name"], "arguments": args})
        t0 = time.perf_counter()
        run = self.executor.execute_with_retry(tool, text, arguments=args)
        ms = int((time.perf_counter() - t0) * 1000)
        state.update(arguments=run["arguments"], result=run["result"], error=run["error"],
                     error_type=run["error_type"], status="complete" if run["success"] else "failed")
        if state["depends_on"]:
            state["bindings"] = {k: f"step{state['depends_on'][-1]}" for k in bound}
        try:
            self.registry.record_usage(tool["name"], run["success"], query=text)
        except Exception:  # noqa: BLE001 - statistics never fail a workflow
            log.exception("could not record usage")
        if tracker_session is not None:
            self.workflow_tracker.log_execution(tool["name"], run["arguments"] or {}, run["result"], run["success"],
                                                ms, user_prompt, session_id=tracker_session)
        if run["success"]:
            emit(callback, ev.WORKFLOW_STEP_COMPLETE, {"index": i, "tool_name": tool["name"], "result": run["result"],
                                                       "arguments": run["arguments"]})
        else:
            emit(callback, ev.WORKFLOW_STEP_FAILED, {"index": i, "tool_name": tool["name"], "task": state["task"],
                                                     "error": run["error"], "error_type": run["error_type"]})

    def _find_tool(self, text: str, forced: str | None) -> dict | None:
        if forced:
            return self.registry.get_tool_by_name(forced)
        return self.registry.search_tool(text)

    def _synthesise(self, task: str, text: str, synthesized: dict, callback) -> dict | None:
        """Synthesise a tool for a step once per workflow; a repeat of the same step reuses it."""
        if self.synthesis_engine is None:
            return None
        key = " ".join(task.lower().split())
        if key in synthesized:
            return self.registry.get_tool_by_name(synthesized[key])
        result = self.synthesis_engine.synthesize_capability(text, callback)
        if not result.get("success"):
            return None
        synthesized[key] = result["tool_name"]
        return self.registry.get_tool_by_name(result["tool_name"])

    def _arguments(self, tool: dict, task: str, text: str, depends_on: list[int],
                   dep_value: Any) -> tuple[dict, list[str]]:
        """Arguments for a step, and which of them carry the earlier step's result."""
        params = tool.get("parameters") or []
        if depends_on and len(params) == 1:
            return {params[0]["name"]: dep_value}, [params[0]["name"]]  # the result itself, whatever its type
        args = fast_path_arguments(text, params)
        if args is None:
            args = self.llm_client.extract_arguments(text, tool.get("signature") or tool["name"], params,
                                                     docstring=tool.get("docstring") or "")
        args = coerce_arguments(args, params)
        bound: list[str] = []
        if depends_on:
            matching = [n for n, v in args.items() if _same_value(v, dep_value)]
            # "10% of that result" when the result is 10.0: the 10 the user typed is not the result.
            typed = {float(x) for x in numbers(task)} | set(quoted_strings(task))
            from_result = [n for n in matching if not _is_typed(args[n], typed)] or matching[:1]
            for name in from_result[:1]:
                args[name] = dep_value  # structured: the original value, not its text
                bound.append(name)
        return args, bound

    @staticmethod
    def describe(results: list[dict]) -> str:
        """A deterministic answer that covers every step."""
        lines = []
        for r in results:
            label = f"Step {r['index'] + 1} ({r['task']})"
            if r["status"] == "complete":
                value = r["result"] if isinstance(r["result"], str) else json.dumps(r["result"], default=str)
                lines.append(f"{label}: {value}" + (f"  [{r['tool_name']}]" if r.get("tool_name") else ""))
            elif r["status"] == "skipped":
                lines.append(f"{label}: not run, because {r['error']}")
            else:
                lines.append(f"{label}: failed: {r['error']}")
        return "\n".join(lines)
