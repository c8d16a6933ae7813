"""The cases a new tool is judged by, gathered before any code exists and never edited to fit it.

Highest trust first: examples the user stated (`>>>` lines of the spec, prose such as `f(2) == 4`,
`Input:`/`Output:` pairs) and, for a unit converter, values its units' definitions fix
(`unit_definitions`), then the request's own input as a probe whose answer comes from the agreement
of implementations rather than from the model's guess, then the model's cases, written from the spec alone.
A model case on a stated input is a guess at a known answer and is left out (`cases.guessed_copies`).
"""
from __future__ import annotations

import logging

from .arbitration import Case
from .case_types import typed_for_cases
from .cases import code_cases, guessed_copies, merge, model_cases, request_probe
from .data_cases import DataCases
from .llm import LLMError
from .stated_examples import assignment_examples, doctest_examples, io_examples, written_examples
from .unit_definitions import definition_cases

log = logging.getLogger(__name__)

RETRY_TEMPERATURE = 0.7  # cases are asked for again sampled: asked greedily again, the model says the same


class TooFewCases(ValueError):
    """The model gave fewer distinct usable cases than the configured floor, even when asked twice."""


def gather_cases(llm_client, min_tests: int, spec: dict, user_prompt: str, data: DataCases | None) -> list[Case]:
    """Stated examples first, then the request's own input as a probe, then the model's cases. The
    probe outranks a model case on the same input: the request's own answer comes from the agreement
    of implementations, not from the model's guess."""
    stated = stated_cases(spec, user_prompt)
    probe = data_probe(spec, data) if data else (
        None if spec.get("preamble") is not None else request_probe(spec, user_prompt))
    # a converter's definition decides its answers exactly (`unit_definitions`); next to the user's word
    defined = definition_cases(spec, user_prompt)
    return written_cases(llm_client, min_tests, spec, user_prompt, data, stated,
                         defined + ([probe] if probe else []))


def stated_cases(spec: dict, user_prompt: str) -> list[Case]:
    """`>>>` examples of the spec's docstring, and examples the user wrote as prose (`f(2) == 4`,
    `f('hi') returns 'lm'`, `For n = 5 the output should be 120`) or as `Input:`/`Output:` pairs in the
    request; one per input, the doctest's first."""
    params = [p["name"] for p in spec["parameters"]]
    name = spec["function_name"]
    called = spec.get("source_name", name)
    found = merge(doctest_examples(spec["docstring"], called, params, "docstring"),
                  written_examples(user_prompt, called, params, "request"),
                  io_examples(user_prompt, called, params, "request"),
                  assignment_examples(user_prompt, called, params, "request"))
    return [Case(f"test_{name}_stated_{i + 1}", c.args, c.expected, c.source) for i, c in enumerate(found)]


def written_cases(llm_client, min_tests: int, spec: dict, user_prompt: str, data: DataCases | None,
                  stated: list[Case], probes: list[Case] = ()) -> list[Case]:
    """`stated`, `probes`, then the model's cases, written from the spec alone. Asked again (sampled)
    when fewer distinct usable cases than required come back, or none can be read."""
    name = spec["function_name"]
    min_tests = max(1, min_tests)
    spec = typed_for_cases(spec, stated, llm_client)
    cases: list[Case] = merge(stated, list(probes))
    unreadable: list[str] = []
    for attempt in range(2):
        temperature = RETRY_TEMPERATURE if attempt else 0.0
        try:
            # One more than the floor: with exactly `min_tests` cases, a single wrong expected value
            # (about 40% of the small model's cases are) could never be dropped.
            reply = llm_client.generate_test_cases(
                spec, user_prompt, fixtures=data.prompt if data else "", min_cases=min_tests + 1,
                temperature=temperature)
        except LLMError as exc:  # an unreadable reply is a reason to ask again, not to give up
            log.info("cases for %s unusable: %s", name, exc)
            unreadable.append(str(exc))
            continue
        if isinstance(reply, str):  # a model that writes pytest code: its tests are taken as they are
            written = code_cases(reply, name)
        else:
            written = model_cases(spec, reply, user_prompt, start=1 + 10 * attempt)
            written = guessed_copies(written, stated)
        if data:
            written = data.usable(written)
        cases = merge(cases, written)
        if sum(not c.probe for c in cases) >= min_tests:
            break
    if sum(not c.probe for c in cases) < min_tests:
        raise TooFewCases(f"the model gave {sum(not c.probe for c in cases)} distinct usable test case(s); at "
                          f"least {min_tests} are required" + "".join(f"; {e}" for e in unreadable))
    return cases


def data_probe(spec: dict, data: DataCases) -> Case | None:
    """The user's own file as the request's input, when the file is the tool's only parameter (otherwise
    the other values are read by the model, only if needed: `synthesis_engine._with_late_probe`)."""
    if not data.own or [p["name"] for p in spec["parameters"]] != [data.param]:
        return None
    return Case(f"test_{spec['function_name']}_probe", {data.param: next(iter(data.own))}, None, "probe")


