"""AgentOrchestrator: one request from prompt to answer.

search the library -> (found) run the tool in the sandbox -> answer
                   -> (none fits) synthesise a tool test-first -> run it -> answer
Every stage is reported through the callback as it happens.
"""
from __future__ import annotations

import logging
import re
import time
from typing import Any, Callable, Optional

from . import events as ev
from .arguments import numbers, quoted_strings, unused_literals
from .config import Settings, load_settings
from .decompose import is_explicit_repeat, split_steps
from .events import emit
from .llm_client import LLMClient
from .query_planner import QueryPlanner, is_explicit_synthesis
from .response_synthesizer import ResponseSynthesizer, built_note
from .session_memory import SessionMemoryManager, looks_like_follow_up
from .store import ToolExistsError

log = logging.getLogger(__name__)



_SESSION_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_SAME = re.compile(r"\b(the same|same thing|again)\b", re.I)
_FIRST_LITERAL = re.compile(r"""'[^'\n]*'|"[^"\n]*"|(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])""")


class AgentOrchestrator:
    def __init__(self, registry=None, synthesis_engine=None, executor=None, synthesizer=None,
                 workflow_tracker=None, query_planner=None, composition_planner=None, memory_manager=None,
                 *, settings: Settings | None = None, llm_client: LLMClient | None = None, sandbox=None,
                 store=None):
        self.settings = settings or load_settings()
        self.settings.ensure_dirs()
        self.llm_client = llm_client or LLMClient(settings=self.settings)
        if store is None and (registry is None or memory_manager is None):
            from .store import create_store
            store = create_store(self.settings)
        self.store = store
        if sandbox is None:
            from .sandbox import SecureSandbox
            sandbox = getattr(executor, "sandbox", None) or getattr(synthesis_engine, "sandbox", None) \
                or SecureSandbox(self.settings)
        self.sandbox = sandbox
        if registry is None:
            from .capability_registry import CapabilityRegistry
            registry = CapabilityRegistry(self.llm_client, settings=self.settings, store=store, sandbox=sandbox)
        self.registry = registry
        from .synthesis_engine import CapabilitySynthesisEngine
        self.synthesis_engine = synthesis_engine or CapabilitySynthesisEngine(
            self.llm_client, self.sandbox, self.registry, settings=self.settings)
        from .executor import ToolExecutor
        self.executor = executor or ToolExecutor(self.llm_client, self.sandbox, settings=self.settings,
                                                 registry=self.registry)
        self.response_synthesizer = synthesizer or ResponseSynthesizer(self.llm_client, style=self.settings.response_style)
        self.synthesizer = self.response_synthesizer  # the seeds' constructor name
        self.memory_manager = memory_manager or SessionMemoryManager(store, settings=self.settings)
        from .composition_planner import CompositionPlanner
        from .workflow_tracker import WorkflowTracker
        self.workflow_tracker = workflow_tracker or WorkflowTracker(
            getattr(self.registry, "store", store), settings=self.settings, registry=self.registry)
        self.query_planner = query_planner or QueryPlanner(self.llm_client, self.registry, self.workflow_tracker)
        self.composition_planner = composition_planner or CompositionPlanner(
            self.registry, self.executor, self.llm_client, self.synthesis_engine, self.workflow_tracker)
        self._last_tool: dict[str, str] = {}
        try:
            self.registry.cleanup_orphaned_tools()
        except Exception:  # noqa: BLE001 - reconciliation is housekeeping, never a reason not to start
            log.exception("tool mirror reconciliation failed")

    # -- seeds' API -----------------------------------------------------------------------------------
    def get_all_tools(self) -> list[dict[str, Any]]:
        return self.registry.get_all_tools()

    def get_tool_count(self) -> int:
        return self.registry.count_tools()

    def process_request(self, user_prompt: str, session_id: Optional[str] = None,
                        callback: Optional[Callable[[str, Any], None]] = None) -> dict[str, Any]:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        prompt = (user_prompt or "").strip() if isinstance(user_prompt, str) else ""
        problem = None
        if not prompt:
            problem = "The request is empty: please say what you need."
        elif len(prompt) > self.settings.max_prompt_chars:
            problem = (f"The request is {len(prompt)} characters long; the limit is "
                       f"{self.settings.max_prompt_chars}. Please shorten it.")
        elif session_id is not None and not _SESSION_ID.fullmatch(str(session_id)):
            problem = "The session id must be 1-128 letters, digits, '_', '-', '.' or ':'."
        if problem:
            emit(callback, ev.ERROR, {"error": problem})
            return {"success": False, "response": problem, "error": problem, "error_type": "invalid_request",
                    "tool_name": None, "tool_result": None, "synthesized": False, "session_id": session_id,
                    "usage": {"model_calls": 0, "by_purpose": {}}, "timings": {}}

        with self.llm_client.usage_scope() as usage:
            try:
                if session_id:
                    session_id = self.memory_manager.start_session(session_id)
                result = self._handle(prompt, session_id, callback, timings)
            except Exception as exc:  # noqa: BLE001 - the caller always gets a result and an error event
                log.exception("request failed")
                message = f"Internal error: {exc}"
                emit(callback, ev.ERROR, {"error": message})
                result = {"success": False, "response": message, "error": message, "error_type": "internal",
                          "tool_name": None, "tool_result": None, "synthesized": False}
        result["session_id"] = session_id
        result["usage"] = usage.as_dict()
        timings["total_s"] = round(time.perf_counter() - started, 3)
        result["timings"] = timings
        if session_id:
            self.memory_manager.append_message(session_id, "user", prompt)
            self.memory_manager.append_message(session_id, "assistant", result["response"])
            if result.get("success") and result.get("tool_name") and not result.get("workflow"):
                self._last_tool[session_id] = result["tool_name"]
        emit(callback, ev.COMPLETE, {k: result.get(k) for k in (
            "success", "response", "tool_name", "tool_result", "synthesized", "session_id", "error")})
        return result

    # -- routing ------------------------------------------------------------------------------------------
    def _handle(self, prompt: str, session_id: str | None, callback, timings: dict) -> dict[str, Any]:
        t0 = time.perf_counter()
        plan = self._follow_up_workflow(prompt, session_id, callback) or self.query_planner.plan_execution(
            prompt, callback)
        timings["planning_s"] = round(time.perf_counter() - t0, 4)
        strategy = plan["strategy"]
        if strategy == "composite_tool":
            tool = self.registry.get_tool_by_name(plan["tool_name"])
            if tool is not None:
                emit(callback, ev.TOOL_FOUND, {"tool_name": tool["name"], "similarity": plan.get("similarity"),
                                               "composite": True})
                execution = self._execute(tool, prompt, callback, timings, self._context(session_id, prompt))
                if execution["success"] or execution["error_type"] != "argument_mismatch":
                    result = self._answer(prompt, tool, execution, callback, timings, synthesized=False,
                                          similarity=plan.get("similarity"))
                    return {**result, "strategy": strategy, "plan": plan}
            strategy = "single"
        if strategy == "workflow_pattern":
            t0 = time.perf_counter()
            wf = self.composition_planner.execute_pattern(plan["pattern"], prompt, callback, session_id=session_id)
            timings["workflow_s"] = round(time.perf_counter() - t0, 3)
            if wf["results"]:
                return self._workflow_result(prompt, wf, plan, callback)
            strategy = "single"
        if strategy in ("multi_tool_sequential", "multi_tool_composition"):
            t0 = time.perf_counter()
            wf = self.composition_planner.execute_workflow(plan["sub_tasks"], prompt, callback, session_id=session_id)
            timings["workflow_s"] = round(time.perf_counter() - t0, 3)
            return self._workflow_result(prompt, wf, plan, callback)
        result = self._handle_single(prompt, session_id, callback, timings, force=strategy == "force_synthesis")
        return {**result, "strategy": strategy, "plan": plan}

    def _follow_up_workflow(self, prompt: str, session_id: str | None, callback) -> dict | None:
        """"Now do the same for 500" after a multi-step request: the same steps, the new input.

        The previous request comes from session memory (so this survives a restart); the new literal
        replaces the first input of the first step. No model call.
        """
        if not session_id or not _SAME.search(prompt):
            return None
        literals = quoted_strings(prompt) or numbers(prompt)
        if len(literals) != 1:
            return None
        previous = [m["content"] for m in self.memory_manager.get_recent_messages(session_id) if m["role"] == "user"]
        for earlier in reversed(previous):
            steps = split_steps(earlier)
            if len(steps) < 2:
                continue
            new_value = repr(literals[0]) if quoted_strings(prompt) else literals[0]
            first, n = _FIRST_LITERAL.subn(new_value, steps[0]["task"], count=1)
            if not n:
                return None
            steps[0] = {**steps[0], "task": first}
            strategy = "multi_tool_sequential" if any(s["depends_on"] for s in steps) else "multi_tool_composition"
            plan = {"strategy": strategy, "sub_tasks": steps,
                    "reasoning": f"follow-up: the steps of \"{earlier}\" with {literals[0]}"}
            emit(callback, ev.PLANNING_QUERY, {"query": prompt})
            emit(callback, ev.PLAN_COMPLETE, {"strategy": strategy, "reasoning": plan["reasoning"], "sub_tasks": steps})
            return plan
        return None

    def _workflow_result(self, prompt: str, wf: dict, plan: dict, callback) -> dict[str, Any]:
        promoted = self._maybe_promote(wf, callback) if wf["success"] else None
        response = wf["response"]
        if not wf["success"]:
            response = f"{wf['error']}\n{response}"
        planned = [r.get("tool_name") or "?" for r in wf["results"]]
        return {"success": wf["success"], "response": response, "tool_name": " > ".join(planned) or None,
                "tool_result": wf["final_result"], "synthesized": bool(wf["synthesized_tools"]),
                "strategy": plan["strategy"], "plan": plan, "workflow": {k: wf[k] for k in (
                    "results", "tool_sequence", "failed_step", "skipped_steps", "synthesized_tools")},
                "composite_created": promoted, "error": wf["error"],
                "error_type": None if wf["success"] else "workflow_step_failed"}

    def _maybe_promote(self, wf: dict, callback) -> str | None:
        """Promote the workflow's full tool sequence to a verified composite tool once it qualifies."""
        sequence = wf["tool_sequence"]
        if len(sequence) != len(wf["results"]):
            return None
        pattern = self.workflow_tracker.get_pattern(sequence)
        if not pattern or pattern.get("composite_tool") or not self.composition_planner.should_create_composite(
                sequence, pattern["avg_success_rate"], pattern["frequency"]):
            return None
        from .composites import build_composite
        built = build_composite(sequence, self.workflow_tracker.successful_runs(sequence), self.registry)
        if built is None or self.registry.get_tool_by_name(built["name"]) is not None:
            return None
        components = {t: self.registry.get_tool_by_name(t)["code"] for t in built["component_tools"]}
        verdict = self.sandbox.verify_tool(built["name"], built["code"], built["tests"], extra_modules=components)
        if not verdict.get("success"):
            log.warning("composite %s failed verification: %s", built["name"], verdict.get("error"))
            return None
        try:
            self.registry.add_tool(built["name"], built["code"], built["tests"], built["docstring"],
                                   tests_verified=True, spec=built["spec"], component_tools=built["component_tools"])
        except ToolExistsError:
            # Another process promoted the same workflow since our check (the name is the sequence's):
            # the composite exists, so link the pattern to it when it is that composite; never an error.
            rival = self.registry.get_tool_by_name(built["name"]) or {}
            if rival.get("component_tools") == built["component_tools"]:
                self.workflow_tracker.store.set_pattern_composite(sequence, built["name"])
            log.info("composite %s already exists (registered by another process)", built["name"])
            return None
        self.workflow_tracker.store.set_pattern_composite(sequence, built["name"])
        emit(callback, ev.COMPOSITE_CREATED, {"tool_name": built["name"], "component_tools": built["component_tools"],
                                              "frequency": pattern["frequency"],
                                              "success_rate": pattern["avg_success_rate"],
                                              "tests_passed": verdict.get("tests_passed")})
        return built["name"]

    # -- the single-request flow ------------------------------------------------------------------------
    def _handle_single(self, prompt: str, session_id: str | None, callback, timings: dict,
                       force: bool = False) -> dict[str, Any]:
        context = self._context(session_id, prompt)
        tool, similarity = None, None
        if not force:
            t0 = time.perf_counter()
            emit(callback, ev.SEARCHING, {"query": prompt})
            tool = self.registry.search_tool(prompt)
            if tool is None and session_id in self._last_tool and is_explicit_repeat(prompt):
                # An explicit repeat ("the same for 500", "again with 'abc'") names no tool: reuse the
                # last one. Any other follow-up that no tool fits is a new request, never the last tool.
                tool = self.registry.get_tool_by_name(self._last_tool[session_id])
                if tool is not None:
                    tool["similarity_score"] = tool.get("similarity_score")
            timings["search_s"] = round(time.perf_counter() - t0, 4)
            if tool is not None:
                similarity = tool.get("similarity_score")
                emit(callback, ev.TOOL_FOUND, {"tool_name": tool["name"], "similarity": similarity})
                execution = self._execute(tool, prompt, callback, timings, context)
                unused = unused_literals(prompt, execution.get("arguments") or {}) if execution["success"] else []
                if unused:
                    # The tool ran, but on part of the request: its answer would be to another question.
                    log.info("%s leaves %s of the request unused; synthesising a better fit once", tool["name"],
                             ", ".join(unused))
                elif execution["success"] or execution["error_type"] != "argument_mismatch":
                    return self._answer(prompt, tool, execution, callback, timings, synthesized=False,
                                        similarity=similarity)
                else:
                    log.info("argument mismatch on %s; synthesising a better fit once", tool["name"])
            else:
                emit(callback, ev.NO_TOOL_FOUND, {"query": prompt})
        return self._synthesise_and_run(prompt, callback, timings, context)

    def _synthesise_and_run(self, prompt: str, callback, timings: dict, context: str | None) -> dict[str, Any]:
        emit(callback, ev.ENTERING_SYNTHESIS_MODE, {"query": prompt})
        t0 = time.perf_counter()
        synthesis = self.synthesis_engine.synthesize_capability(prompt, callback)
        timings["synthesis_s"] = round(time.perf_counter() - t0, 3)
        if not synthesis["success"]:
            message = self.response_synthesizer.synthesize_error(
                prompt, f"I could not build a tool for this ({synthesis['step']} failed): {synthesis['error']}")
            emit(callback, ev.ERROR, {"error": synthesis["error"], "step": synthesis["step"]})
            return {"success": False, "response": message, "error": synthesis["error"], "error_type": "synthesis_failed",
                    "tool_name": synthesis.get("tool_name"), "tool_result": None, "synthesized": False,
                    "synthesis": _synthesis_summary(synthesis)}
        tool = self.registry.get_tool_by_name(synthesis["tool_name"])
        if is_explicit_synthesis(prompt) and not (quoted_strings(prompt) or numbers(prompt)):
            # "Create a function that…" with no inputs: the tool is the answer.
            response = (f"I created {tool['name']}: {tool.get('signature') or tool['name']}. "
                        f"{tool.get('docstring') or ''} {built_note(tool['name'], synthesis)}")
            return {"success": True, "response": response.strip(), "tool_name": tool["name"], "tool_result": None,
                    "synthesized": True, "synthesis": _synthesis_summary(synthesis)}
        if synthesis.get("request_arguments") and context is None:
            tool = dict(tool, fit_arguments=synthesis["request_arguments"])  # read once, by the synthesis
        execution = self._execute(tool, prompt, callback, timings, context)
        return self._answer(prompt, tool, execution, callback, timings, synthesized=True, synthesis=synthesis)

    def _execute(self, tool: dict, prompt: str, callback, timings: dict, context: str | None) -> dict:
        emit(callback, ev.EXECUTING, {"tool_name": tool["name"]})
        t0 = time.perf_counter()
        execution = self.executor.execute_with_retry(tool, prompt, context=context)
        timings["execution_s"] = round(time.perf_counter() - t0, 4)
        emit(callback, ev.EXECUTION_COMPLETE, {
            "tool_name": tool["name"], "success": execution["success"], "result": execution["result"],
            "error": execution["error"], "error_type": execution["error_type"],
            "arguments": execution["arguments"]})
        try:
            self.registry.record_usage(tool["name"], execution["success"], query=prompt)
        except Exception:  # noqa: BLE001 - statistics must not fail the user's request
            log.exception("could not record tool usage")
        try:
            self.store.log_execution(tool["name"], None, execution["arguments"], execution["result"],
                                     execution["success"], int(execution.get("duration_ms") or 0), prompt)
        except Exception:  # noqa: BLE001
            log.exception("could not log the execution")
        return execution

    def _answer(self, prompt: str, tool: dict, execution: dict, callback, timings: dict, *, synthesized: bool,
                similarity=None, synthesis: dict | None = None) -> dict[str, Any]:
        emit(callback, ev.SYNTHESIZING_RESPONSE, {"tool_name": tool["name"]})
        t0 = time.perf_counter()
        if execution["success"]:
            if synthesized:
                response = self.response_synthesizer.synthesize_synthesis_result(
                    prompt, tool["name"], execution["result"], _synthesis_summary(synthesis),
                    arguments=execution["arguments"])
            else:
                response = self.response_synthesizer.synthesize(prompt, execution["result"], tool["name"],
                                                                arguments=execution["arguments"])
        else:
            response = self.response_synthesizer.synthesize_error(prompt, execution["error"], execution["error_type"])
        if tool.get("experimental") and not synthesized:
            response += f"\n\n(Note: {tool['name']} is EXPERIMENTAL: its tests did not all pass.)"
        timings["response_s"] = round(time.perf_counter() - t0, 4)
        result = {"success": execution["success"], "response": response, "tool_name": tool["name"],
                  "tool_result": execution["result"], "synthesized": synthesized,
                  "arguments": execution["arguments"], "fast_path": execution.get("fast_path", False),
                  "similarity": similarity, "error": execution["error"], "error_type": execution["error_type"],
                  "experimental": bool(tool.get("experimental"))}
        if synthesis:
            result["synthesis"] = _synthesis_summary(synthesis)
        return result

    def _context(self, session_id: str | None, prompt: str) -> str | None:
        """Recent history, but only for follow-ups: a fresh request is read on its own."""
        if not session_id or not looks_like_follow_up(prompt):
            return None
        return self.memory_manager.context_text(session_id) or None


def _synthesis_summary(s: dict | None) -> dict:
    if not s:
        return {}
    return {k: s.get(k) for k in ("success", "tool_name", "existing_tool", "written_tool_name", "tests_verified",
                                  "experimental", "attempts", "dropped_tests", "verification", "evidence",
                                  "duration_s", "step", "error")}
