"""The types a spec's test cases are written in, when the spec itself leaves some out.

A stub with no annotations (most of HumanEval's second half, and users' own stubs) leaves the model's
cases unconstrained, and a small model then writes anything: `{"result": [...]}` for a list,
`{"value": 6}` for a number, or a made-up dict where the docstring says "a string s", on which every
implementation fails and the request ends with no tool. The types only shape the cases' JSON schema;
implementations are still written from the spec as the user gave it.
"""
from __future__ import annotations

import logging

from .arbitration import Case
from .cases import type_of_values
from .llm import LLMError
from .case_replies import is_annotated

log = logging.getLogger(__name__)


def typed_for_cases(spec: dict, stated: list[Case], llm_client=None) -> dict:
    """`spec` with a type for every parameter and the return value that lack one: read from the stated
    examples' values first (they are the user's own), then, for a stub, asked of the model once."""
    spec = typed_by_examples(spec, stated)
    if llm_client is None or spec.get("preamble") is None or not _untyped(spec):
        return spec  # a generated spec was already asked for its types
    try:
        inferred = llm_client.infer_types(spec)
    except LLMError as exc:  # the types are a help to the case writer, not a step that can fail synthesis
        log.info("no types for %s: %s", spec["function_name"], exc)
        return spec
    return _with_types(spec, inferred)


def typed_by_examples(spec: dict, stated: list[Case]) -> dict:
    """The stated examples' values as types: of the return value, and of each parameter without one."""
    inferred = {p["name"]: type_of_values([c.args[p["name"]] for c in stated if c.args.get(p["name"]) is not None])
                for p in spec.get("parameters", [])}
    inferred["return"] = type_of_values([c.expected for c in stated if c.expected is not None])
    return _with_types(spec, {k: v for k, v in inferred.items() if v})


def _untyped(spec: dict) -> bool:
    return not _return_annotated(spec) or any(not is_annotated(p.get("type")) for p in spec["parameters"])


def _return_annotated(spec: dict) -> bool:
    # `-> None` on a stub that has a docstring of results is an unfinished annotation, not a promise
    return is_annotated(spec.get("return_type")) and str(spec["return_type"]).strip() != "None"


def _with_types(spec: dict, types: dict[str, str]) -> dict:
    out = dict(spec)
    if not _return_annotated(spec) and types.get("return"):
        out["return_type"] = types["return"]
    out["parameters"] = [{**p, "type": types[p["name"]]} if not is_annotated(p.get("type")) and types.get(p["name"])
                         else p for p in spec.get("parameters", [])]
    return out
