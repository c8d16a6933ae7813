"""The JSON test cases are written in: its schema (built from the spec's types, so a small model cannot
invent parameters or write a dict where a number goes), reading a model's reply (JSON, a reply cut off by
the token limit, or pytest code from a model that writes code), and rendering cases as pytest code."""
from __future__ import annotations

import json
import re

from .codeblocks import extract_code, extract_json
from .llm import LLMError

_PY_TYPES = {
    "str": {"type": "string"}, "string": {"type": "string"},
    "int": {"type": "integer"}, "integer": {"type": "integer"},
    "float": {"type": "number"}, "number": {"type": "number"},
    "bool": {"type": "boolean"}, "boolean": {"type": "boolean"},
    "list": {"type": "array"}, "tuple": {"type": "array"}, "set": {"type": "array"},
    "dict": {"type": "object"},
}


def base_type(type_name: str | None) -> str:
    """The outer type of an annotation written as text, lower-case: "typing.List[int]" gives "list"."""
    return str(type_name or "").replace("typing.", "").split("[", 1)[0].strip().lower()


def type_schema(type_name: str | None) -> dict:
    """JSON schema for a Python type annotation written as text; unknown shapes accept any value."""
    t = (type_name or "").strip().replace("typing.", "")
    base = base_type(t)
    if base in ("list", "tuple", "set", "sequence") and "[" in t:
        inner = t[t.index("[") + 1:t.rindex("]")] if "]" in t else ""
        if "," not in inner:
            return {"type": "array", "items": type_schema(inner)}
        return {"type": "array"}
    return dict(_PY_TYPES.get(base, {}))


def is_annotated(type_name: str | None) -> bool:
    """A real type, not a missing one or `Any`."""
    return bool(type_name) and str(type_name).strip() not in ("Any", "typing.Any")


WORK_NOTE = ("\nIn each case, write work first: the computation that gives the expected value, in a few "
             "short steps (for example \"3 * 3.785 = 11.355\"); expected must be what work gives.")

COMPUTE_NOTE = ("\nIn each case, write compute before expected: a Python expression that calculates the "
                "expected value from the args (the parameter names are variables; math, datetime, re and "
                "collections may be used), for example \"round(math.pi * radius ** 2, 2)\" or "
                "\"len(set(text.lower().split()))\". It is evaluated exactly, so prefer it to "
                "working a value out in your head; write \"\" only for a value that needs no calculation.")

PLAIN_NOTE = ("\nWrite each value in args and expected as the plain value the function takes or returns, "
              "not wrapped in an object.")


# The annotations `infer_types` chooses from: the shapes test values take, each with a JSON schema.
TYPE_CHOICES = ("str", "int", "float", "bool", "list[int]", "list[float]", "list[str]", "list[list[int]]",
                "list", "dict", "tuple", "unknown")


def cases_schema(spec: dict, min_cases: int = 1, show_work: bool = False, compute: bool = False) -> dict:
    from .computed_cases import MAX_EXPRESSION

    props = {p["name"]: type_schema(p.get("type")) for p in spec["parameters"]}
    args = {"type": "object", "properties": props, "required": list(props)}
    fields: dict = {"args": args}
    if show_work:  # properties are generated in this order: the working comes before the value
        fields["work"] = {"type": "string", "maxLength": 160}
    elif compute:  # ... and so does the formula, which the value then follows
        fields["compute"] = {"type": "string", "maxLength": MAX_EXPRESSION}
    fields.update({"expected": type_schema(spec.get("return_type")), "from_request": {"type": "boolean"}})
    case = {"type": "object", "properties": fields, "required": list(fields)}
    return {"type": "object", "properties": {"cases": {"type": "array", "items": case,
                                                       "minItems": max(1, min_cases), "maxItems": 8}},
            "required": ["cases"]}


def cases_from_reply(spec: dict, reply: str) -> list[dict] | str:
    """JSON cases from a reply, or pytest code from a model that wrote code instead (stronger remote models
    do). Code is accepted only when every test function calls the tool and asserts on what it returned."""
    try:
        data = extract_json(reply)
    except ValueError:
        data = None
    cases = data.get("cases") if isinstance(data, dict) else data if isinstance(data, list) else None
    if cases is None:
        cases = complete_cases(reply)
    if cases is not None:
        return cases
    from .test_evidence import vacuous_tests

    code = extract_code(reply)
    name = spec["function_name"]
    if f"from {name} import {name}" not in code:
        code = f"from {name} import {name}\n\n" + code
    bad = vacuous_tests(code, name)
    if bad:
        raise LLMError(f"generate_tests: refusing tests that check nothing about {name}(): {', '.join(bad)}")
    return code


def complete_cases(reply: str) -> list[dict] | None:
    """The whole case objects of a JSON reply cut off by the token limit: long inputs can fill it before
    the array closes, and the cases already written are as good as if it had."""
    start = re.search(r'\{\s*"cases"\s*:\s*\[', reply)
    if start is None:
        return None
    decoder, pos, out = json.JSONDecoder(), start.end(), []
    while True:
        while pos < len(reply) and reply[pos] in " \t\r\n,":
            pos += 1
        try:
            item, pos = decoder.raw_decode(reply, pos)
        except ValueError:
            break
        if isinstance(item, dict):
            out.append(item)
    return out or None


def pytest_code_from_reply(spec: dict, reply: str) -> str:
    """Render JSON cases into pytest code; accept checked pytest code from stronger models."""
    cases = cases_from_reply(spec, reply)
    return cases if isinstance(cases, str) else render_tests(spec, cases)


def render_tests(spec: dict, cases: list) -> str:
    """Pytest code for JSON cases ({args, expected}): one test per distinct input that binds to the signature."""
    from .cases import merge, model_cases, render

    bound = merge(model_cases(spec, cases, ""))
    if not bound:
        raise LLMError("generate_tests: the model gave no test case that matches the spec's parameters")
    return render(spec, bound)
