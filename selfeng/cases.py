"""Test cases: where they come from, how much they are trusted, and how they become frozen pytest code.

Highest trust: examples the user wrote (`>>> f(2)` lines and the other forms `stated_examples.py` reads,
or a case the model copied from the request whose every value appears in the request's text). They are never dropped. Model-written cases are
evidence to be weighed. Probes are inputs with no known answer (the request's own input); their expected
value comes from the implementations' consensus, never from a guess.
"""
from __future__ import annotations

import ast
import dataclasses
import math
import re
from collections import Counter
from typing import Any

from .case_replies import base_type
from .observations import Case, observation_key
from .stated_examples import DOCTEST
from . import pyparse

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# 12,500 is one number; [5,3] is two
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NOTHING = object()  # "no single value here" (None is a value)


def stated_in(request: str, args: dict, expected: Any) -> bool:
    """Every value of the case, its answer included, is written in the request itself, each in a place of
    its own.

    This is what makes a model-copied "e.g. 25 °C is 77 °F" case trustworthy: the model only transcribed it.
    Each value uses up the place it was found in, inputs first: in "What is 0 degrees Fahrenheit in Celsius?"
    the 0 is the input, so a case answering 0.0 for it was guessed, not copied (and the 15 inside an input
    '2024-01-15' is not a stated answer either). Booleans and None can never be checked that way, nor can an
    empty answer (`{}`, `[]`): it has no value to find in the text, so a model that copied the input and
    guessed `{}` would pass for a transcriber.
    """
    answer = _scalars([expected])
    inputs = _scalars(list(args.values()))
    if not answer or any(v is None or isinstance(v, bool) for v in inputs + answer):
        return False
    text = _THOUSANDS.sub("", request)
    for group in (inputs, answer):
        strings = sorted((v for v in group if isinstance(v, str)), key=len, reverse=True)
        for s in strings:  # longest first, so a short value is not taken from inside a longer one
            if not s.strip() or s not in text:
                return False
            text = text.replace(s, " \x00 ", 1)
        numbers = Counter(float(n) for n in _NUMBER.findall(text))
        for v in group:
            if isinstance(v, str):
                continue
            if not isinstance(v, (int, float)) or not math.isfinite(v) or numbers[float(v)] < 1:
                return False
            numbers[float(v)] -= 1
        # the numbers this group used are spent: take them out of the text the next group reads
        text = _spend_numbers(text, [float(v) for v in group if not isinstance(v, str)])
    return True


def _spend_numbers(text: str, values: list[float]) -> str:
    left = Counter(values)

    def spend(m: re.Match) -> str:
        v = float(m.group())
        if left[v] > 0:
            left[v] -= 1
            return " \x00 "
        return m.group()
    return _NUMBER.sub(spend, text)


def _scalars(values: list) -> list:
    out: list = []
    for v in values:
        if isinstance(v, (list, tuple)):
            out += _scalars(list(v))
        elif isinstance(v, dict):
            out += _scalars(list(v.keys())) + _scalars(list(v.values()))
        else:
            out.append(v)
    return out


def model_cases(spec: dict, raw: list, request: str, start: int = 1) -> list[Case]:
    """The model's JSON cases that bind to the signature; a case copied from the request is trusted."""
    name = spec["function_name"]
    params = [p["name"] for p in spec["parameters"]]
    returns_tuple = str(spec.get("return_type") or "").replace("typing.", "").strip().lower().startswith("tuple")
    items = [dict(item, args=dict(item["args"])) for item in raw or []
             if isinstance(item, dict) and "expected" in item and isinstance(item.get("args"), dict)
             and set(item["args"]) == set(params)]  # a case that doesn't bind tests nothing the spec promises
    _unwrap_field(items, lambda item: item, "expected", spec.get("return_type"))
    for p in spec["parameters"]:
        _unwrap_field(items, lambda item: item["args"], p["name"], p.get("type"), same_key=True)
    out: list[Case] = []
    for item in items:
        args = item["args"]
        source = "request" if item.get("from_request") and stated_in(request, args, item["expected"]) else "model"
        expected = item["expected"]
        if returns_tuple and isinstance(expected, list):
            expected = tuple(expected)  # JSON has no tuples; the spec says the function returns one
        compute = item.get("compute") if isinstance(item.get("compute"), str) else ""
        out.append(Case(f"test_{name}_case_{start + len(out)}", args, expected, source,
                        compute=compute.strip() if source == "model" else ""))
    return out


# The case schema's own fields, which a small model sometimes echoes inside a value it writes.
_CASE_FIELDS = ("from_request", "work", "compute")


def _unwrapped(value: Any) -> Any:
    """The value inside a one-entry wrapper object (`{"result": 3}`, `{"type": "string", "value": "1"}`,
    `{"[2]": [2]}`), or `_NOTHING`."""
    entries = _entries(value) if isinstance(value, dict) else {}
    return next(iter(entries.values())) if len(entries) == 1 else _NOTHING


def _entries(value: dict) -> dict:
    entries = {k: v for k, v in value.items() if k not in _CASE_FIELDS}
    if len(entries) == 2 and isinstance(entries.get("type"), str):
        del entries["type"]  # a typed description of the value, JSON-schema style
    return entries


def _unwrap_field(items: list[dict], holder, key: str, declared: str | None, same_key: bool = False) -> None:
    """Wrapper objects around one field of every case, removed in place.

    With no type to hold it to (a stub without annotations), a small model given a free-form `expected`
    often answers `{"result": [...]}` for a list. A dict for a declared non-mapping type can only be a
    wrapper. With no declared type, a real mapping result is told apart by consistency: the model wraps
    every case the same way, while a function that returns dicts gives different ones (`{}`, two keys...),
    so only a field that is a one-entry object in every case is unwrapped. Inputs are small dicts more
    often than answers are, so for them (`same_key`) the wrapper's key must also be the same throughout."""
    base = base_type(declared)
    if base in ("dict", "mapping", "counter", "defaultdict", "ordereddict"):
        return
    values = [holder(item)[key] for item in items]
    inner = [_unwrapped(v) for v in values]
    if base and base != "any":
        for item, v in zip(items, inner):
            if v is not _NOTHING:
                holder(item)[key] = v
    elif values and all(v is not _NOTHING for v in inner) and (
            not same_key or len({next(iter(_entries(v))) for v in values}) == 1):
        for item, v in zip(items, inner):
            holder(item)[key] = v


def guessed_copies(written: list[Case], stated: list[Case]) -> list[Case]:
    """When the request's examples were read exactly (`>>>` lines), a case the model says it copied from the
    request but that is not one of them is a guess whose values merely occur in the text: it is weighed as
    a model case. (Duplicates of the stated ones are merged away, the stated answer first.)"""
    if not stated:
        return written
    return [dataclasses.replace(c, source="model") if c.source == "request" else c for c in written]


_TYPE_NAMES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", tuple: "tuple", dict: "dict"}


def type_of_values(values: list) -> str | None:
    """A type annotation that fits every value ("int", "list[str]", "float"), or None when they disagree.
    For stubs without a return annotation: the stated examples say what the function returns."""
    names = {_TYPE_NAMES.get(type(v)) for v in values}
    if not values or None in names:
        return None
    if names == {"int", "float"}:
        names = {"float"}
    if len(names) != 1:
        return None
    name = names.pop()
    if name == "list":
        inner = type_of_values([x for v in values for x in v])
        return f"list[{inner}]" if inner else "list"
    return name


def merge(*groups: list[Case]) -> list[Case]:
    """Cases in order of trust, one per input: the first (most trusted) answer for an input wins."""
    seen: set[str] = set()
    out: list[Case] = []
    for case in [c for g in groups for c in g]:
        key = case.name if case.source == "code" else observation_key(_same_numbers(case.args))
        if key not in seen:
            seen.add(key)
            out.append(case)
    return out


def _same_numbers(value: Any) -> Any:
    """Whole floats as ints, so one input is one input: the model's case says `f(75, 12)`, a probe read for
    `float` parameters says `f(75.0, 12.0)`, and the probe must outrank the guess on it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_same_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _same_numbers(v) for k, v in value.items()}
    return value


def _is_float(v: Any) -> bool:
    return isinstance(v, float) or (isinstance(v, (list, tuple)) and any(_is_float(x) for x in v)) or (
        isinstance(v, dict) and any(_is_float(x) for x in v.values()))


def render(spec: dict, cases: list[Case], observe: bool = False) -> str:
    """Frozen pytest code, one test function per case. With `observe`, probes are plain calls (their value is
    recorded by the harness); in a final test file probes must already carry their consensus value."""
    name = spec["function_name"]
    params = [p["name"] for p in spec["parameters"]]
    lines = ["import pytest", "", f"from {name} import {name}", ""]
    for prelude in dict.fromkeys(c.prelude for c in cases if c.prelude):
        lines += [prelude, "", ""]
    for case in cases:
        if case.source == "code":
            lines += [case.code, "", ""]
            continue
        call = f"{name}(" + ", ".join(f"{k}={case.args[k]!r}" for k in params) + ")"
        if case.probe and observe:
            body = f"    {call}"
        else:
            rhs = f"pytest.approx({case.expected!r})" if _is_float(case.expected) else repr(case.expected)
            if case.tolerance:
                rhs = f"pytest.approx({case.expected!r}, abs={case.tolerance!r})"
            body = f"    assert {call} == {rhs}"
        lines += [f"def {case.name}():", body, "", ""]
    return "\n".join(lines).rstrip() + "\n"


def doctest_block(text: str) -> str:
    """The request's `>>>` lines with their output lines, verbatim (dedented), or ''."""
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        if DOCTEST.match(lines[i]):
            out.append(lines[i].strip())
            i += 1
            while i < len(lines) and lines[i].strip() and not DOCTEST.match(lines[i]):
                out.append(lines[i].strip())
                i += 1
        else:
            i += 1
    return "\n".join(out)


def request_probe(spec: dict, request: str) -> Case | None:
    """The request's own input, read without a model call when unambiguous, as a case with no answer yet."""
    from .arguments import fast_path_arguments

    args = fast_path_arguments(request, spec["parameters"])
    return probe_case(spec, args) if args else None


def probe_case(spec: dict, args: dict) -> Case:
    """The request's own input as a case with no answer yet, however it was read."""
    return Case(f"test_{spec['function_name']}_probe", args, None, "probe")


def code_cases(test_code: str, function_name: str) -> list[Case]:
    """Raw pytest code (from models that write code, already checked for vacuous tests) as cases: each test
    function is one case that can be run and observed, though its expectation is the code's own."""
    tree = pyparse.parse(test_code)
    own = f"from {function_name} import {function_name}"
    tests = [n for n in tree.body
             if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test")]
    prelude = "\n".join(ast.get_source_segment(test_code, n) or "" for n in tree.body
                        if n not in tests and (ast.get_source_segment(test_code, n) or "").strip() != own)
    return [Case(n.name, {}, None, "code", ast.get_source_segment(test_code, n) or "", prelude) for n in tests]
