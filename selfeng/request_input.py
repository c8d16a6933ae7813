"""The request's own input, read by the model when no rule could read it, and what a tool returns on it."""
from __future__ import annotations

import logging
from typing import Any

from .arbitration import Candidate, Case
from .arguments import (coerce_arguments, grounding_problem, numbers, quoted_strings, unwrapped_literals,
                        with_feedback)
from .data_cases import DataCases
from .direct_answer import informative
from .drafts import Drafts
from .llm import LLMError
from .llm_client import signature_of

log = logging.getLogger(__name__)


def read_request_input(llm_client, spec: dict, data: DataCases | None, request: str) -> dict | None:
    """The arguments of the request itself, by the same extraction the real run makes (one call; a second
    when the first read a value the request does not have), or None: kept only when every parameter gets a
    value and every value is in the request (a data tool's file is
    the user's own, as it sits beside the tests). A stub to complete (HumanEval), or a request that writes
    no value, has no input of its own."""
    if spec.get("preamble") is not None or not (data is not None or quoted_strings(request) or numbers(request)):
        return None  # no value written in the request ("Create a function that adds one"): nothing to read
    params, problem = spec["parameters"], None
    for _ in range(2):  # a value the request does not have is refused once, with the reason, as the real run does
        try:
            args = unwrapped_literals(coerce_arguments(llm_client.extract_arguments(
                with_feedback(request, problem) if problem else request, signature_of(spec), params,
                docstring=spec["docstring"]), params), params, request)
        except LLMError as exc:
            log.info("the input of %r was not read for %s: %s", request, spec["function_name"], exc)
            return None
        if data is not None and data.own:
            args[data.param] = next(iter(data.own))
        if set(args) != {p["name"] for p in params}:
            break
        problem = grounding_problem({k: v for k, v in args.items() if data is None or k != data.param}, request)
        if problem is None:
            return args
    log.info("the input of %r read for %s is not all from it: %r", request, spec["function_name"], args)
    return None


def answer_on(drafts: Drafts, code: str, args: dict) -> Any:
    """What `code` returns on `args`, as `direct_answer.informative` judges it (None for an echo, an empty
    or failed answer), run in the sandbox as every observation is."""
    probe = Case(f"test_{drafts.spec['function_name']}_request", args, None, "probe")
    cand = drafts.observe_more(Candidate("chosen", code, False), [probe])
    return informative(probe, cand.observations.get(probe.name))
