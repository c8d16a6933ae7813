"""The decision behind `registry.search_tool`: ranked candidates in, a `Verdict` out.

Four stages, cheapest first:

1. candidates that cannot answer are dropped without a model: their arguments cannot take the request's
   unit-labelled values (`arguments.role_conflict`), their return type or result unit answers another
   kind of question (`answer_kind`), or the request says their name's word under another prefix
   (decode for encode: `fit_check.prefixed_opposite`);
2. a clear hit (score at or above the accept bar, the request's words covered, no twin-shaped rival, every
   word of its name said) is returned at no model cost (`fit_check.check_triggers`);
3. an uncertain one is confirmed with one schema-constrained `check_tool_fit` call, whose named need can
   overrule its "fits" (`fit_check.need_contradicts`, `need_names_tool`). Without a model, or when that
   call fails, the calibrated threshold decides;
4. with a sandbox too, that candidate is run on the values the reply mapped and its answer compared with a
   direct solution of the request (`answer_check`): where the run says something, it decides. When it
   refuses the candidate, the next plausible one gets a fit check and a run, and only its run can take it.
   When nothing clears the floor, the request restated as a function is searched (`_restated`), and a
   candidate found so is taken only on its run as well.

The registry supplies the candidates and the bars; nothing here touches the store or the index, so the
decision can be replayed on recorded candidates.
"""
from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, Callable

from .answer_kind import answer_kind_conflict, asked_input_conflict, asked_output_conflict
from .arguments import role_conflict
from .fit_check import (Verdict, check_triggers, need_contradicts, need_names, need_names_tool,
                        prefixed_opposite, signature_without_name, unsaid_name_words)
from .llm import LLMError
from .retrieval import RERANK_WINDOW, Candidate

log = logging.getLogger(__name__)

Ranked = list[tuple[Candidate, dict[str, Any]]]  # (scores, the tool's dict), best first


@dataclass(frozen=True)
class Bars:
    floor: float         # a candidate scoring below it is never considered
    fallback: float      # with no model to ask, the threshold that decides an uncertain candidate
    accept_at: float     # at or above it (with the words covered) a candidate needs no check
    min_coverage: float  # the least share of the request's words a check-free hit covers


def answers_another_question(query: str, tool: dict[str, Any]) -> str | None:
    """Why `tool` cannot answer `query` whatever a model says, or None (no model call)."""
    return role_conflict(query, tool["name"], tool["parameters"], tool["docstring"]) or \
        answer_kind_conflict(query, tool["name"], tool["return_type"]) or \
        asked_input_conflict(query, tool["name"], tool["parameters"]) or \
        asked_output_conflict(query, tool["name"], tool["parameters"]) or \
        prefixed_opposite(tool["name"], f"{tool['name']} {tool['docstring']} {tool['signature']}", query,
                          unsaid_name_words(tool["name"], query, tool["parameters"]))


def decide(query: str, ranked: Ranked, bars: Bars, llm_client=None, rerank: bool = True,
           answer_check=None, restate: Callable[[str], Ranked] | None = None) -> Verdict:
    """`restate`: the library searched with the request restated as a function (`_restated`)."""
    plausible = [(c, t) for c, t in ranked if c.similarity >= bars.floor and answers_another_question(query, t) is None]
    if not plausible:
        none = Verdict(None, "no candidate clears the floor with matching argument roles")
        if restate is None or answer_check is None or llm_client is None:
            return none
        return _restated(query, restate, bars, llm_client, answer_check) or none
    best, tool = plausible[0]
    if rerank:  # usage statistics reorder only candidates about as relevant as the best
        close = [(c, t) for c, t in plausible if c.similarity >= best.similarity - RERANK_WINDOW]
        best, tool = max(close, key=lambda ct: (ct[0].score, ct[0].similarity))
    unsaid = unsaid_name_words(tool["name"], query, tool["parameters"])
    triggers = check_triggers(best, [c for c, _ in plausible], bars.accept_at, bars.min_coverage, unsaid)
    if not triggers:
        return Verdict(best.name, "clear retrieval hit")
    if llm_client is None or not hasattr(llm_client, "check_tool_fit"):
        return _by_threshold(best, bars, "no model to check: " + "; ".join(triggers))
    try:
        reply = _fit_reply(llm_client, query, tool)
    except LLMError as exc:
        log.warning("check_tool_fit failed, the threshold decides: %s", exc)
        return _by_threshold(best, bars, f"model check failed ({exc}); threshold")
    verdict = _weigh_reply(query, reply, best, tool, [c for c, _ in plausible], triggers, unsaid)
    if answer_check is None:
        return verdict
    if verdict.name not in (None, best.name):
        return _named(query, verdict, next(t for c, t in plausible if c.name == verdict.name), best, tool, reply,
                      llm_client, answer_check)
    check = answer_check(query, tool, reply.get("arguments") or {}, confirmed=verdict.name == best.name)
    verdict = _weigh_answer(check, verdict, best, triggers)
    if check.fits is False:
        return _runner_up(query, [(c, t) for c, t in plausible if c.name != best.name], llm_client, answer_check,
                          verdict)
    return verdict


def _restated(query: str, restate: Callable[[str], Ranked], bars: Bars, llm_client,
              answer_check) -> Verdict | None:
    """Nothing clears the floor for the request's own words, which may be nobody's words for the tool
    ("the smallest number that 18 and 24 both go into" for `lcm`). The model restates the need as a
    function, the spec a synthesis starts from anyway (so a miss costs nothing more), and the library is
    searched with that. A tool found so is taken only on its run: the request's values, mapped by a fit
    check, must give what a direct solution of the request gives (as for a runner-up). The model's word
    alone never takes it, and a data tool, which the check cannot run, is never taken this way."""
    try:
        found = [(c, t) for c, t in restate(query)
                 if c.similarity >= bars.floor and answers_another_question(query, t) is None]
    except LLMError as exc:
        log.info("no restated need: %s", exc)
        return None
    if not found:  # (a model's choice among the nearest few below the floor: measured, see design.md)
        return None
    cand, tool = found[0]
    checked = _on_its_run(query, tool, llm_client, answer_check, "a restated candidate")
    if checked is None:
        return None
    check, reply = checked
    if not check.fits:
        return Verdict(None, f"found by the request restated as a function, then refused: {check.reason}", True,
                       {}, str(reply.get("needed") or ""))
    return Verdict(cand.name, f"found by the request restated as a function; {check.reason}", True,
                   check.arguments, str(reply.get("needed") or ""))


def _on_its_run(query: str, tool: dict[str, Any], llm_client, answer_check, role: str):
    """(answer check, fit reply) for a candidate that only its own run can take: the fit check gives the
    arguments, the run decides. None when the fit check fails. When the fit check says the tool does what
    is asked, a run that contradicts the direct solution meets a second, sampled one before it refuses, as
    on the main path: on requests told as stories the greedy direct solution was often the wrong one
    (1207e: "carved MCMXXVII" solved as 2027; the middle of five house prices as the highest)."""
    try:
        reply = _fit_reply(llm_client, query, tool)
    except LLMError as exc:
        log.warning("check_tool_fit failed on %s: %s", role, exc)
        return None
    return answer_check(query, tool, reply.get("arguments") or {}, confirmed=bool(reply.get("fits"))), reply


def _fit_reply(llm_client, query: str, tool: dict[str, Any]) -> dict:
    """The schema-constrained `check_tool_fit` reply for one candidate, its name hidden."""
    return llm_client.check_tool_fit(query, signature_without_name(tool["signature"]), tool["docstring"],
                                     tool["parameters"])


def _named(query: str, verdict: Verdict, named: dict[str, Any], best: Candidate, tool: dict[str, Any],
           reply: dict, llm_client, answer_check) -> Verdict:
    """The fit check of the best candidate named another plausible one: that one is taken on its own run,
    where the run says something (postfreeze-1207s: "which word in '…' has the most letters" took
    count_words on the model's word). Refused by its run, the best candidate's run may still take it."""
    checked = _on_its_run(query, named, llm_client, answer_check, "the named candidate")
    if checked is None or checked[0].fits is None:
        return verdict
    check, named_reply = checked
    if check.fits:
        return Verdict(named["name"], f"{verdict.reason}; {check.reason}", True, check.arguments,
                       str(named_reply.get("needed") or verdict.needed))
    own = answer_check(query, tool, reply.get("arguments") or {})
    if own.fits:
        return Verdict(best.name, f"{own.reason}; the candidate the model named did not: {check.reason}", True,
                       own.arguments, verdict.needed)
    return Verdict(None, f"{verdict.reason}, but {check.reason}", True, {}, verdict.needed)


def _runner_up(query: str, others: Ranked, llm_client, answer_check, refused: Verdict) -> Verdict:
    """Once a run has refused the best candidate, the next plausible one, taken only if its own run gives
    the request's answer: the model's word alone never takes it. The direct answer is kept, so this costs
    one more fit check (for its arguments). Seen on the tune half: "write 'quiet please' in capital
    letters" ranked capitalize_words first ("Quiet Please") and to_uppercase second."""
    if not others:
        return refused
    cand, tool = others[0]
    checked = _on_its_run(query, tool, llm_client, answer_check, "the runner-up")
    if checked is None or not checked[0].fits:
        return refused
    check, reply = checked
    return Verdict(cand.name, f"{check.reason} (the model said: {reply.get('relation')}); the first candidate "
                              f"did not: {refused.reason}", True,
                   check.arguments, str(reply.get("needed") or ""))


def _weigh_answer(check, verdict: Verdict, best: Candidate, triggers: list[str]) -> Verdict:
    """The tool's answer on the request's values against a direct solution's (`answer_check`): better
    evidence than the model's reply either way, which stands only when the run says nothing."""
    if check.fits is None:
        return dataclasses.replace(verdict, reason=f"{verdict.reason}; run: {check.reason}")
    checked = "; ".join(triggers)
    if check.fits:
        return Verdict(best.name, f"{check.reason} (checked: {checked})", True, check.arguments, verdict.needed)
    return Verdict(None, f"{check.reason} (checked: {checked})", True, {}, verdict.needed)


def _by_threshold(best: Candidate, bars: Bars, reason: str) -> Verdict:
    ok = best.similarity >= bars.fallback and best.direction >= 0
    return Verdict(best.name if ok else None, reason)


def _weigh_reply(query: str, reply: dict, best: Candidate, tool: dict, plausible: list[Candidate],
                 triggers: list[str], unsaid: list[str]) -> Verdict:
    """The model's reply, weighed: its named need is better evidence than its "fits"."""
    needed = str(reply.get("needed") or "")
    checked = "; ".join(triggers)
    # The need names another plausible candidate word for word ("count_words" while word_frequencies
    # was shown): the model has told which tool is asked for, and it is not this one.
    named = next((c for c in plausible if c.name != best.name and need_names(needed, c.name)
                  and c.direction >= 0), None)
    if named is not None and not need_names(needed, best.name):
        return Verdict(named.name, f"the model named {named.name}: {checked}", True, {}, needed)
    contradiction = need_contradicts(needed, tool["name"], f"{tool['name']} {tool['docstring']} "
                                     f"{tool['signature']}", query)
    names_it = need_names_tool(needed, tool["name"], unsaid) and best.direction >= 0 and not any(
        t.startswith("twin-shaped") for t in triggers)
    if (reply["fits"] or names_it) and contradiction is None:
        return Verdict(best.name, f"model confirmed: {checked}", True, reply.get("arguments") or {}, needed)
    why = contradiction or "the model says it does not fit"
    return Verdict(None, f"{why} (checked: {checked})", True, {}, needed)
