"""The request's own question, answered directly, as a second opinion on the request's own input.

When several independent implementations agree on every input yet every model case they pass is
uninformative (or they fail all of them: a small model's expected values are often wrong together, e.g.
a conversion factor misremembered in every case), nothing outside the code vouches for the agreement and
the synthesis fails, although one careful try at the request would have answered it. That careful try is
the missing opinion: one `solve()` written for the request itself (no spec, no cases), run in the sandbox.
If it returns what the agreeing implementations return on the request's own input, the request's input
becomes a case with that answer (source `direct`): a model opinion like the others, never trusted, but
written from another prompt, so it can anchor the agreement (`arbitration.by_agreement`).

Only values that say something qualify: not a bool/None, not empty, not one of the case's own arguments
(the same bar as any anchor).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import math
from typing import Any

from .arbitration import Candidate, Case, Observation, Verdict, by_agreement, decide, observation_key
from .llm import LLMError

log = logging.getLogger(__name__)

ROUNDED_DECIMALS = 2  # a direct answer written with at most this many decimals was rounded, as people ask


def anchor_by_direct_answer(llm_client, sandbox, request: str, verdict: Verdict, cands: list[Candidate],
                            cases: list[Case], min_tests: int, min_votes: int,
                            anchors: int, files_note: str = "") -> tuple[list[Case], Verdict | None, str]:
    """(cases, the agreement's verdict or None, what happened, for the failure message). With a direct
    answer like the agreeing implementations' on the request's own input, the probe is replaced by a
    `direct` case carrying that value, and the agreement is weighed again (`arbitration.by_agreement`)."""
    probe = next((c for c in cases if c.probe), None)
    rep = verdict.chosen
    obs = rep.observations.get(probe.name) if probe is not None and rep is not None else None
    value = informative(probe, obs) if obs is not None else None
    if value is None:
        return cases, None, ""
    ok, direct = direct_answer(llm_client, sandbox, request, files_note)
    if not ok or not answers_alike(value, direct):
        said = f"returned {_shown(direct)}" if ok else "failed"
        return cases, None, (f"a direct solution of the request {said}; the agreeing implementations "
                             f"return {obs.shown()} on the request's own input")
    from .sandbox.tool_server import decode

    case = Case(probe.name.replace("_probe", "_request_answer"), probe.args, decode(obs.value), "direct")
    for cand in cands:  # the same call as the probe's: its observation, judged against the agreed value
        seen = cand.observations.get(probe.name)
        if seen is not None:
            cand.observations[case.name] = dataclasses.replace(seen, passed=seen.key == obs.key)
    cases = [case if c is probe else c for c in cases]
    agreed = by_agreement(decide(cands, cases, min_tests), cands, min_votes, anchors)
    return cases, agreed, "" if agreed else "a direct solution of the request agreed, but not enough"


def informative(case: Case, obs: Observation | None) -> Any:
    """The probe's observed value as plain JSON when it is worth a second opinion, else None."""
    from .sandbox.tool_server import decode

    if obs is None or obs.error or obs.weak or obs.value is None or obs.key.startswith("digest "):
        return None
    value = _plain(decode(obs.value))
    echoed = any(observation_key(value) == observation_key(_plain(v)) for v in case.args.values())
    return None if echoed or value in ("", [], {}) else value


def direct_answer(llm_client, sandbox, request: str, files_note: str = "") -> tuple[bool, Any]:
    """(True, value) from one `solve()` for the request run in the sandbox, or (False, None). `files_note`
    says where the request's data file is (the sandbox mounts the data folder read-only at its path)."""
    try:
        code = llm_client.generate_solution(request, files_note)
        run = sandbox.run_tool("solve", code, {})
    except (LLMError, ValueError) as exc:
        log.info("no direct answer: %s", exc)
        return False, None
    if not run.get("success"):
        log.info("the direct answer failed: %s", str(run.get("error"))[:200])
        return False, None
    return True, _plain(run.get("result"))


def answers_alike(tool: Any, direct: Any) -> bool:
    """The same answer: numbers within 1e-6 relative, or within rounding when the direct answer has at most
    two decimals (a careful try rounds as the request asks; the tool may not); strings equal after
    stripping; lists and dicts element by element. No looser than that: a number is not its string."""
    if isinstance(direct, bool) or isinstance(tool, bool) or direct is None or tool is None:
        return tool is direct
    if isinstance(direct, (int, float)) and isinstance(tool, (int, float)):
        if not (math.isfinite(direct) and math.isfinite(tool)):
            return False
        if isinstance(direct, float) and _decimals(direct) <= ROUNDED_DECIMALS:
            return abs(tool - direct) <= 0.5 * 10 ** -ROUNDED_DECIMALS + 1e-9
        return math.isclose(tool, direct, rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(direct, str) and isinstance(tool, str):
        return tool.strip() == direct.strip()
    if isinstance(direct, list) and isinstance(tool, list):
        return len(tool) == len(direct) and all(answers_alike(t, d) for t, d in zip(tool, direct))
    if isinstance(direct, dict) and isinstance(tool, dict):
        return set(tool) == set(direct) and all(answers_alike(tool[k], direct[k]) for k in direct)
    return False


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def _plain(value: Any) -> Any:
    """As JSON carries it (tuples are lists, keys are text), so both answers are compared alike."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return value


def _decimals(x: float) -> int:
    text = repr(x)
    if "e" in text or "inf" in text or "nan" in text:
        return 99
    return len(text.split(".", 1)[1]) if "." in text else 0
