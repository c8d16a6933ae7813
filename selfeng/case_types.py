"""The types a spec's test cases are written in, when the spec itself leaves some out.

A stub with no annotations (most of HumanEval's second half, and users' own stubs) leaves the model's
cases unconstrained, and a small model then writes anything: `{"result": [...]}` for a list,
`{"value": 6}` for a number, or a made-up dict where the docstring says "a string s", on which every
implementation fails and the request ends with no tool. The types only shape the cases' JSON schema;
implementations are still written from the spec as the user gave it.
"""
from __future__ import annotations

import dataclasses
import logging
import re

from .arbitration import Case
from .arguments import quoted_strings
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


# A number as text: digits with an optional sign, decimals and percent sign, and no leading zero (a code
# such as "010" or "0042" is text whose digits matter, not a number).
_NUMBER_TEXT = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?%?|-?\.\d+%?")


def numbers_typed_as_text(spec: dict, cases: list[Case], request: str, data_tool: bool = False) -> tuple[dict, list[Case]]:
    """(spec, cases) with a `str` parameter retyped as a number when the model's own cases give it numbers
    written as text only ("15", "15.5"), and the request quotes no text: "Add a 15% tip to a bill of 60"
    was specified with `tip_percentage: str`, its drafts then multiplied a string or parsed it each their
    own way, and the real run read '.07' for "7%". A case that gives such a parameter no number (an empty
    text) is left out. Not for a stub, whose types are the user's, nor when the request quotes text, which
    may be digits that are text ("'1010' in binary"), nor for a data tool, whose values come from a file as
    text (an id "3" read from a CSV is compared with the file's "3")."""
    if data_tool or spec.get("preamble") is not None or quoted_strings(request):
        return spec, cases
    retyped: dict[str, str] = {}
    for p in spec["parameters"]:
        values = [c.args[p["name"]] for c in cases if p["name"] in c.args and c.args[p["name"]] != ""]
        if str(p.get("type")).strip() == "str" and values and \
                all(isinstance(v, str) and _NUMBER_TEXT.fullmatch(v.strip()) for v in values):
            whole = all("." not in v and "%" not in v for v in values)
            retyped[p["name"]] = "int" if whole else "float"
    if not retyped:
        return spec, cases
    log.info("%s: %s typed str but given numbers only; retyped %s", spec["function_name"], sorted(retyped), retyped)
    spec = dict(spec, parameters=[dict(p, type=retyped.get(p["name"], p["type"])) for p in spec["parameters"]])
    out = []
    for case in cases:
        if any(case.args.get(name) == "" for name in retyped):
            continue
        args = {k: _number(v) if k in retyped and isinstance(v, str) else v for k, v in case.args.items()}
        out.append(dataclasses.replace(case, args=args))
    return spec, out


def _number(text: str) -> int | float:
    bare = text.strip().rstrip("%")
    value = float(bare)
    return int(value) if re.fullmatch(r"-?\d+", bare) else value
