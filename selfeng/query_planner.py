"""QueryPlanner: which strategy a request needs, deciding cheaply before paying for a model call.

The seeds' cascade: explicit synthesis > composite tool (≥ 0.7) > learned workflow pattern (≥ 0.7) >
complexity analysis > multi-step (sequential or composition) > single. A plainly simple request (no
sequencing words) is planned with no model call; `analyze_query` runs only when the rules can't split a
request that looks multi-step.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Callable, Optional

from . import events as ev
from .decompose import (asks_about_a_statement, depends_on_previous, has_sequence_cue, has_weak_cue, only_hands_over,
                        split_steps_checked)
from .events import emit
from .llm import LLMError

log = logging.getLogger(__name__)

COMPOSITE_THRESHOLD = 0.7
PATTERN_THRESHOLD = 0.7


_EXPLICIT = re.compile(
    r"\b(create|write|build|make|generate|synthesi[sz]e|implement|define|code)\s+(me\s+)?"
    r"(a|an|the|new|another)?\s*(new\s+)?(python\s+)?(function|tool|capability|helper|utility)\b", re.I)


def is_explicit_synthesis(prompt: str) -> bool:
    """The user asks for a new tool in so many words ("write a function that ...")."""
    return bool(_EXPLICIT.search(prompt))


class QueryPlanner:
    def __init__(self, llm_client, registry, workflow_tracker=None):
        self.llm_client = llm_client
        self.registry = registry
        self.workflow_tracker = workflow_tracker

    def plan_execution(self, user_prompt: str, callback: Optional[Callable[[str, Any], None]] = None) -> dict:
        emit(callback, ev.PLANNING_QUERY, {"query": user_prompt})
        plan = self._plan(user_prompt)
        emit(callback, ev.PLAN_COMPLETE, {"strategy": plan["strategy"], "reasoning": plan["reasoning"],
                                          **({"sub_tasks": plan["sub_tasks"]} if plan.get("sub_tasks") else {})})
        return plan

    # -- the cascade ----------------------------------------------------------------------------------
    def _plan(self, prompt: str) -> dict:
        if is_explicit_synthesis(prompt):
            return {"strategy": "force_synthesis", "reasoning": "the request explicitly asks for a new tool"}
        multi_cue = has_sequence_cue(prompt)
        composite = self._composite_match(prompt, multi_cue)
        if composite is not None:
            return {"strategy": "composite_tool", "tool_name": composite["name"],
                    "reasoning": f"composite tool {composite['name']} matches "
                                 f"(similarity {composite['similarity_score']:.2f})",
                    "similarity": composite["similarity_score"]}
        if multi_cue:
            pattern = self._pattern_match(prompt)
            if pattern is not None:
                return {"strategy": "workflow_pattern", "pattern": pattern,
                        "reasoning": f"learned workflow {' -> '.join(pattern['tool_sequence'])} matches "
                                     f"(similarity {pattern['similarity']:.2f})"}
        if not multi_cue:
            if not has_weak_cue(prompt) or self._strong_single(prompt):
                return {"strategy": "single", "reasoning": "one action and no sequencing words: a single tool"}
            if asks_about_a_statement(prompt):  # its "and" joins the facts a question is about
                return {"strategy": "single", "reasoning": "rules (a question about the facts stated before it) "
                                                           "found a single step"}
            steps, how = self._analyze(prompt), "model analysis"
        else:
            steps, sure = split_steps_checked(prompt)
            how = "rules"
            if len(steps) < 2 and only_hands_over(prompt):
                how = "rules (a later step only hands over the answer)"
            elif len(steps) < 2 and asks_about_a_statement(prompt):
                how = "rules (a question about the facts stated before it)"
            elif len(steps) < 2:
                steps, how = self._analyze(prompt), "model analysis"
            elif not sure:  # a bare "and"/comma split: let the model confirm it (its failure keeps the rules')
                steps, how = self._analyze(prompt, fallback=steps), "rules confirmed by model analysis"
        if len(steps) < 2:
            return {"strategy": "single", "reasoning": f"{how} found a single step"}
        sequential = any(s["depends_on"] for s in steps)
        strategy = "multi_tool_sequential" if sequential else "multi_tool_composition"
        why = ("later steps use earlier results" if sequential else "independent steps whose answers are combined")
        return {"strategy": strategy, "sub_tasks": steps, "reasoning": f"{len(steps)} steps ({how}): {why}"}

    def _strong_single(self, prompt: str) -> bool:
        """One library tool fits clearly (the registry's own decision): no decomposition call needed."""
        try:
            return self.registry.search_tool(prompt) is not None
        except Exception:  # noqa: BLE001
            return False

    def _composite_match(self, prompt: str, multi_cue: bool) -> dict | None:
        """A composite wins when it is the best match, or, for a multi-step request, a close one:
        a one-step request must not be routed to a composite that merely contains its tool."""
        try:
            candidates = self.registry.search_candidates(prompt, k=5)
        except Exception:  # noqa: BLE001 - planning must degrade to the single-tool path
            log.exception("composite search failed")
            return None
        for rank, c in enumerate(candidates):
            if c.get("component_tools") and (c.get("similarity_score") or 0) >= COMPOSITE_THRESHOLD \
                    and (rank == 0 or multi_cue):
                return c
        return None

    def _pattern_match(self, prompt: str) -> dict | None:
        if self.workflow_tracker is None:
            return None
        try:
            return self.workflow_tracker.find_pattern(prompt, threshold=PATTERN_THRESHOLD)
        except Exception:  # noqa: BLE001
            log.exception("pattern search failed")
            return None

    def _analyze(self, prompt: str, fallback: list[dict] | None = None) -> list[dict]:
        fallback = fallback or [{"task": prompt, "depends_on": []}]
        try:
            analysis = self.llm_client.analyze_query(prompt)
        except LLMError as exc:
            log.warning("analyze_query failed; keeping the rules' reading: %s", exc)
            return fallback
        steps = []
        for i, s in enumerate(analysis.get("sub_tasks") or []):
            task = str(s.get("task") or "").strip() if isinstance(s, dict) else str(s).strip()
            if not task:
                continue
            deps = [d for d in (s.get("depends_on") or []) if isinstance(d, int) and 0 <= d < i] \
                if isinstance(s, dict) else []
            if not deps and depends_on_previous(task, i):
                deps = [i - 1]
            steps.append({"task": task, "depends_on": deps})
        return steps or fallback
