"""The request's own question, answered directly, as a second opinion on the request's own input.

When several independent implementations agree on every input yet every model case they pass is
uninformative (or they fail all of them: a small model's expected values are often wrong together, e.g.
a conversion factor misremembered in every case), nothing outside the code vouches for the agreement and
the synthesis fails, although one careful try at the request would have answered it. That careful try is
the missing opinion: one `solve()` written for the request itself (no spec, no cases), run in the sandbox.
If it returns what the agreeing implementations return on the request's own input, the request's input
becomes a case with that answer (source `direct`): a model opinion like the others, never trusted, but
written from another prompt, so it can anchor the agreement (`arbitration.by_agreement`).

Once the draws are spent, the same answer may complete an agreement one vote short: two independent
implementations that agree on every input, and a solution of the request itself that returns what they
return on its input (`synthesis_engine._votes_for_direct`).

Only values that say something qualify: not None, not empty, not one of the case's own arguments (the
same bar as any anchor). A True/False answer qualifies too, but anchors only together with passed cases
that state both answers (`anchors.polar_anchor`).
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import logging
import math
from typing import Any, Iterable, Sequence

from .anchors import echoes
from .arbitration import Candidate, Case, Observation, Verdict, by_agreement, decide
from .drafts import SAMPLE_TEMPERATURE
from .import_repair import fix_from_error
from .llm import LLMError

log = logging.getLogger(__name__)

ROUNDED_DECIMALS = 2  # a direct answer written with at most this many decimals was rounded, as people ask
# Two authors of one computation write its constants to different precision: 1.60934 km per mile or
# 2.20462 lb per kg against the exact factors differ by about 2e-6 relative, and 1e-6 read those as other
# answers (eight km and kg conversions refused on the routing sets' held-out halves). One part in 10^4
# still tells apart every pair of different computations seen there (the nearest: 13.78 against 14.70).
SAME_NUMBER = 1e-4
SECOND_LOOK_SAMPLES = 2  # further direct solutions drawn when the first contradicts a verified tool


class DirectOpinion:
    """The request's own question, answered once by a `solve()` of its own (asked lazily, then kept: the
    same question asked again gets the same answer), and weighed against the implementations' behaviour
    on the request's own input each time an agreement lacks an anchor."""

    def __init__(self, llm_client, sandbox, request: str, files_note: str = "", named: Iterable[str] = (),
                 known: tuple[bool, Any] | None = None):
        self.llm_client, self.sandbox, self.request, self.files_note = llm_client, sandbox, request, files_note
        self.named = list(named)  # values of the data file the request names (`data_cases.named_values`)
        self._answer: tuple[bool, Any] | None = known  # routing may have asked already (`answer_check`)

    def answer(self) -> tuple[bool, Any]:
        if self._answer is None:
            self._answer = direct_answer(self.llm_client, self.sandbox, self.request, self.files_note, self.named)
        return self._answer

    def anchor(self, verdict: Verdict, cands: list[Candidate], cases: list[Case], min_tests: int,
               min_votes: int, anchors: int, varied: Sequence[Case] = ()) -> tuple[list[Case], Verdict | None, str]:
        """(cases, the agreement's verdict or None, what happened, for the failure message). When the direct
        answer is what some implementation returns on the request's own input, the probe becomes a `direct`
        case with that value, and the agreement is weighed again (`arbitration.by_agreement`). Only an
        agreement that returns the direct answer counts: the direct answer is why it was asked for.
        `varied`: inputs off the cases the candidates were run on too (`anchors.polar_anchor`)."""
        direct = next((c for c in cases if c.source == "direct"), None)
        if direct is None:
            cases, direct, note = self._direct_case(verdict, cands, cases)
            if direct is None:
                return cases, None, note
        agreed = by_agreement(decide(cands, cases, min_tests), cands, min_votes, anchors, varied)
        if agreed is not None and agreed.chosen.fails([direct]):
            agreed = None
        return cases, agreed, "" if agreed else "a direct solution of the request agreed, but not enough"

    def outvotes(self, value: Any, samples: int = SECOND_LOOK_SAMPLES) -> Any | None:
        """The request's answer when direct solutions of it say another than `value`, the tool's answer on
        the request's own input; else None. Every case a tool passes was written from its spec, so a spec
        that answers another question ("a 10% service charge on 85" specified as the charge, not the new
        bill) passes them all. A solution of the request itself never saw that spec: when the greedy one
        differs, `samples` more are drawn (sampled, so each is an opinion of its own), and an answer at least
        two of them give, none giving the tool's, is returned. One that gives the tool's ends the count."""
        ok, first = self.answer()
        if not ok or first in (None, "", [], {}) or answers_alike(value, first):
            return None
        said = [first]
        for _ in range(samples):
            ok, other = direct_answer(self.llm_client, self.sandbox, self.request, self.files_note, self.named,
                                      temperature=SAMPLE_TEMPERATURE)
            if ok and answers_alike(value, other):
                return None
            if ok and other not in (None, "", [], {}):
                said.append(other)
        backed = [a for a in said if sum(answers_alike(b, a) for b in said) >= 2]
        return backed[0] if backed else None

    def contests(self, chosen: Candidate | None, cases: list[Case]) -> Any | None:
        """The direct answer when it contradicts an agreement that model cases contradict too, else None.

        An agreement outvotes model cases because drafts of one spec are wrong together less often than
        the model's expected values are. But drafts of one spec share the spec's misreading ("18% of 350"
        specified with the percentage "as a decimal", so every draft returned 6300 while the cases said
        63.0): the cases and a solution written from the request itself, two opinions that never saw the
        spec's code, then say the same against it. Asked only when the agreement fails a model case and
        returns an informative value on the request's own input (the direct answer is about that input)."""
        if chosen is None or any(c.source == "direct" for c in cases):
            return None
        if not chosen.fails([c for c in cases if not c.probe and not c.trusted]):
            return None
        probe = next((c for c in cases if c.probe), None)
        value = informative(probe, chosen.observations.get(probe.name)) if probe else None
        if value is None:
            return None
        ok, direct = self.answer()
        if not ok or direct is None or direct in ("", [], {}) or answers_alike(value, direct):
            return None
        return direct

    def _direct_case(self, verdict: Verdict, cands: list[Candidate],
                     cases: list[Case]) -> tuple[list[Case], Case | None, str]:
        probe = next((c for c in cases if c.probe), None)
        if probe is None:
            return cases, None, ""
        seen: list[tuple[Any, Observation]] = []  # the probe's informative values, the chosen one's first
        for cand in ([verdict.chosen] if verdict.chosen is not None else []) + cands:
            obs = cand.observations.get(probe.name)
            value = informative(probe, obs)
            if value is not None and all(o.key != obs.key for _, o in seen):
                seen.append((value, obs))
        if not seen:
            return cases, None, ""
        ok, direct = self.answer()
        obs = next((o for v, o in seen if ok and answers_alike(v, direct)), None)
        if obs is None:
            said = f"returned {shown_value(direct)}" if ok else "failed"
            return cases, None, (f"a direct solution of the request {said}; the agreeing implementations "
                                 f"return {seen[0][1].shown()} on the request's own input")
        from .sandbox.tool_server import decode

        case = request_answer(probe, decode(obs.value))
        for cand in cands:  # the same call as the probe's: its observation, judged against the direct value
            mine = cand.observations.get(probe.name)
            if mine is not None:
                cand.observations[case.name] = dataclasses.replace(mine, passed=mine.key == obs.key)
        return [case if c is probe else c for c in cases], case, ""


def request_answer(probe: Case, value: Any) -> Case:
    """The request's own input as a `direct` case: the probe, with the value a direct solution returned."""
    return Case(probe.name.replace("_probe", "_request_answer"), probe.args, value, "direct")


def informative(case: Case, obs: Observation | None) -> Any:
    """The probe's observed value as plain JSON when it is worth a second opinion, else None."""
    from .sandbox.tool_server import decode

    if obs is None or obs.error or obs.value is None or obs.key.startswith("digest "):
        return None
    if obs.weak and not isinstance(decode(obs.value), bool):
        return None  # True/False is worth asking about (`anchors.polar_anchor`); None is not
    value = as_json(decode(obs.value))
    echoed = any(echoes(value, as_json(v)) for v in case.args.values())
    return None if echoed or value in ("", [], {}) else value


def direct_answer(llm_client, sandbox, request: str, files_note: str = "",
                  named: Iterable[str] = (), temperature: float = 0.0) -> tuple[bool, Any]:
    """(True, value) from one `solve()` for the request run in the sandbox, or (False, None). `files_note`
    says where the request's data file is (the sandbox mounts the data folder read-only at its path). A
    `solve()` that never writes a value of the file the request names (`named`) answers for every row, so
    it is no answer (`data_cases.unwritten`)."""
    from .data_cases import unwritten

    try:
        code = llm_client.generate_solution(request, files_note, temperature=temperature)
        ignored = unwritten(code, list(named))
        if ignored:
            log.info("the direct answer never compares anything with %s, which the request names", ignored)
            return False, None
        run = sandbox.run_tool("solve", code, {})
        for _ in range(2):  # a forgotten import is fixed as in any draw (`import_repair`), with no model call
            fixed = None if run.get("success") else fix_from_error(code, str(run.get("error") or ""))
            if fixed is None:
                break
            code, run = fixed, sandbox.run_tool("solve", fixed, {})
    except (LLMError, ValueError) as exc:
        log.info("no direct answer: %s", exc)
        return False, None
    if not run.get("success"):
        log.info("the direct answer failed: %s", str(run.get("error"))[:200])
        return False, None
    return True, as_json(run.get("result"))


def answers_alike(tool: Any, direct: Any) -> bool:
    """The same answer: numbers within `SAME_NUMBER` relative, or within rounding when the direct answer
    has at most two decimals (a careful try rounds as the request asks; the tool may not); strings equal
    after stripping; lists and dicts element by element. No looser than that: a number is not its string."""
    if isinstance(direct, bool) or isinstance(tool, bool) or direct is None or tool is None:
        return tool is direct
    if isinstance(direct, (int, float)) and isinstance(tool, (int, float)):
        if not (math.isfinite(direct) and math.isfinite(tool)):
            return False
        if isinstance(direct, float) and _decimals(direct) <= ROUNDED_DECIMALS:
            return abs(tool - direct) <= 0.5 * 10 ** -ROUNDED_DECIMALS + 1e-9
        return math.isclose(tool, direct, rel_tol=SAME_NUMBER, abs_tol=1e-9)
    if isinstance(direct, str) and isinstance(tool, str):
        return tool.strip() == direct.strip() or _same_day(tool.strip(), direct.strip())
    if isinstance(direct, list) and isinstance(tool, list):
        return len(tool) == len(direct) and all(answers_alike(t, d) for t, d in zip(tool, direct))
    if isinstance(direct, dict) and isinstance(tool, dict):
        return set(tool) == set(direct) and all(answers_alike(tool[k], direct[k]) for k in direct)
    return False


def _same_day(a: str, b: str) -> bool:
    """A date and the same date's midnight: a `datetime` returned where a `date` was meant reaches JSON as
    "2027-01-13T00:00:00" (postfreeze-1207e: a direct solution against a tool's "2027-01-13")."""
    day, moment = sorted((a, b), key=len)
    if len(day) != 10 or moment not in (f"{day}T00:00:00", f"{day} 00:00:00"):
        return False
    try:
        datetime.date.fromisoformat(day)
    except ValueError:
        return False
    return True


def shown_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def as_json(value: Any) -> Any:
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
