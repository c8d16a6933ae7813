"""Does a candidate tool give the request's answer? A routing check by behaviour, not by words.

The embedded model's "does this tool do what is asked" is the weak link of routing: it refuses
paraphrases it does not recognise ("how much is twelve percent of 250" for `percent_of`) and confirms
tools that share the request's words ("Is 28 a perfect number?" for `is_perfect_square`). Its argument
mapping is better than its judgement. So an uncertain candidate is also *run*: on the values the fit
check mapped to its parameters, in the sandbox, and its result is compared with a `solve()` written for
the request itself (`direct_answer`, which the synthesis asks for anyway when no tool fits). Twins
answer differently there (212 °F through celsius_to_fahrenheit is 413.6; the request's answer is 100);
a paraphrase gives the same 30.

Agreement on True/False, 0 or 1, or one of the tool's own arguments or an element of one says little
(`says_little`: two unrelated yes/no functions agree half the time; "how many consonants in 'strength'"
was answered 1 by a wrong direct solution and by `count_words`), so it is no evidence either way; a
disagreement still is.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .anchors import echoes
from .arguments import PATH_PARAM, argument_problem, coerce_arguments, unwrapped_literals, with_feedback
from .direct_answer import answers_alike, as_json, direct_answer, shown_value
from .drafts import SAMPLE_TEMPERATURE
from .llm import LLMError
from .percentages import other_percent_scale

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerCheck:
    """True: the tool returns the request's answer; False: another; None: no evidence either way."""
    fits: bool | None
    reason: str
    arguments: dict[str, Any]


class AnswerChecker:
    """Runs a candidate on the request's values and compares it with a direct solution of the request.
    The direct answer is asked once per request (greedy: the same question gets the same answer)."""

    def __init__(self, llm_client, sandbox):
        self.llm_client, self.sandbox = llm_client, sandbox
        self._direct: dict[str, tuple[bool, Any]] = {}

    def direct(self, request: str, sampled: bool = False) -> tuple[bool, Any]:
        """The greedy direct answer, or (`sampled`) a second one drawn at the drafts' temperature; each is
        kept, so asking again costs nothing and says the same."""
        key = ("sampled " if sampled else "") + request
        if key not in self._direct:
            if len(self._direct) > 64:
                self._direct.clear()
            self._direct[key] = direct_answer(self.llm_client, self.sandbox, request,
                                              temperature=SAMPLE_TEMPERATURE if sampled else 0.0)
        return self._direct[key]

    def known(self, request: str) -> tuple[bool, Any] | None:
        """The direct answer already asked for `request`, or None: the synthesis that follows a refusal
        needs the same one (`DirectOpinion`)."""
        return self._direct.get(request)

    def __call__(self, request: str, tool: dict[str, Any], arguments: dict[str, Any],
                 confirmed: bool = False) -> AnswerCheck:
        """`confirmed`: the model's reply alone would take the tool. A run that contradicts it then meets a
        second, sampled direct solution before it refuses: a direct solution is a model opinion too, and
        wrong often enough ("Reverse 'Python'" solved as "nhoP") that one against two is not enough."""
        params = tool.get("parameters") or []
        args = self._arguments(request, tool, params, arguments)
        if isinstance(args, AnswerCheck) and args.fits is False:
            args = self._read_again(request, tool, params, args)
        if isinstance(args, AnswerCheck):
            return args
        try:
            run = self.sandbox.run_tool(tool["name"], tool["code"], args)
        except ValueError as exc:  # a name the sandbox refuses: no evidence, the model's reply decides
            return AnswerCheck(None, f"not run: {exc}", {})
        ok, direct = self.direct(request)
        if not ok or direct in (None, "", [], {}):
            return AnswerCheck(None, "no direct solution of the request to compare with", args)
        value = as_json(run.get("result")) if run.get("success") else None
        if not run.get("success") or not answers_alike(value, direct):
            return self._other_scale(request, tool, args, direct) or \
                self._disagreement(request, run, value, direct, args, confirmed)
        if says_little(value, args):
            return AnswerCheck(None, f"it returns {shown_value(value)}, as a direct solution does, which says "
                                     f"little", args)
        return AnswerCheck(True, f"it returns {shown_value(value)} on the request's values, as a direct solution "
                                 f"of the request does", args)

    def _disagreement(self, request: str, run: dict, value: Any, direct: Any, args: dict,
                      confirmed: bool) -> AnswerCheck:
        """A refusal: the run failed or answered otherwise than the direct solution. Unless the model said
        the tool fits and a second, sampled direct solution returns what the tool does."""
        if not run.get("success"):
            return AnswerCheck(False, f"it fails on the request's values ({run.get('error_type')}) where a "
                                      f"direct solution returns {shown_value(direct)}", args)
        if confirmed and not says_little(value, args):
            ok, second = self.direct(request, sampled=True)
            if ok and answers_alike(value, second):
                return AnswerCheck(True, f"it returns {shown_value(value)} on the request's values, as a second "
                                         f"direct solution does (the first returned {shown_value(direct)}), "
                                         f"and the model said it fits", args)
        return AnswerCheck(False, f"it returns {shown_value(value)} on the request's values where a direct "
                                  f"solution returns {shown_value(direct)}", args)

    def _other_scale(self, request: str, tool: dict, args: dict, direct: Any) -> AnswerCheck | None:
        """A fit when the request's percentage, read on its other scale (12 for 0.12), gives the direct
        answer: the fit check's mapping read "twelve percent" as 0.12 for a tool that takes 12. Its
        arguments then go to the executor as they were run here."""
        other = other_percent_scale(args, request)
        if other is None:
            return None
        run = self.sandbox.run_tool(tool["name"], tool["code"], other)
        value = as_json(run.get("result")) if run.get("success") else None
        if value is None or not answers_alike(value, direct) or says_little(value, other):
            return None
        return AnswerCheck(True, f"it returns {shown_value(value)} on the request's values (its percentage "
                                 f"read as {shown_value(next(v for k, v in other.items() if v != args[k]))}), as "
                                 f"a direct solution of the request does", other)

    def _read_again(self, request: str, tool: dict, params: list[dict], refusal: AnswerCheck) -> dict | AnswerCheck:
        """The arguments read once more by the executor's own extraction, told what was wrong, as the
        executor would before a run: a fit check's mapping can be sloppy for the right tool (15 and 80 for
        "twelve percent of 250"). Still invented, the refusal stands."""
        try:
            again = self.llm_client.extract_arguments(with_feedback(request, refusal.reason.removeprefix("not run: ")),
                                                      tool.get("signature") or tool["name"], params,
                                                      docstring=tool.get("docstring") or "")
        except LLMError as exc:
            log.info("arguments not read again: %s", exc)
            return refusal
        return self._arguments(request, tool, params, again)

    @staticmethod
    def _arguments(request: str, tool: dict, params: list[dict], arguments: dict) -> dict | AnswerCheck:
        """The arguments to run, or the check's outcome without a run. Data tools are not run here (their
        inputs are the user's files, which the executor resolves), nor composites: no evidence, the
        model's reply decides. But a mapping the executor's own check refuses (a value that appears
        nowhere in the request, or a unit-labelled value for a parameter of another unit) refuses the
        tool: the model could fill the tool's parameters only by inventing, so the request does not give
        what it needs. Recorded: `simple_interest` for "the monthly interest on 10000 at 5% a year" with
        `years=1.0`, `count_letter` for "contains only letters" with `letter='a'`, `seconds_to_minutes`
        for "seven and a half minutes" in seconds with `seconds=45.0`, each taken on the model's word."""
        def untested(why: str) -> AnswerCheck:
            return AnswerCheck(None, f"not run: {why}", {})

        if not tool.get("code") or tool.get("component_tools"):
            return untested("a composite or code-less tool")
        if any(PATH_PARAM.search(p["name"]) for p in params):
            return untested("a data tool")
        try:
            args = unwrapped_literals(coerce_arguments(dict(arguments or {}), params), params, request)
        except (TypeError, ValueError) as exc:
            return untested(str(exc))
        if set(args) != {p["name"] for p in params}:
            return untested("the arguments do not match the parameters")
        problem = argument_problem(tool["name"], params, args, request)  # the executor's own check
        if problem:
            return AnswerCheck(False, f"not run: its parameters take values the request does not give "
                                      f"({problem})", {})
        return args


def says_little(value: Any, args: dict[str, Any]) -> bool:
    """A value that many unrelated functions return: True/False, 0 or 1 (an empty or a single count, the
    identity of a product), or one of the call's own arguments, or an element of one, handed back: every
    function that picks from its input (smallest, largest, first, middle) returns one ("the smallest
    number both 8 and 12 divide into" was answered 8 by a wrong direct solution and by `find_min`)."""
    if isinstance(value, bool) or (isinstance(value, (int, float)) and value in (0, 1)):
        return True
    given = [as_json(v) for v in args.values()]
    given += [e for v in given if isinstance(v, list) for e in v]
    return any(echoes(value, v) for v in given)
