"""Turning a request into a tool's arguments without a model call, when the mapping is unambiguous.

The fast path only fires when there is exactly one way to read the request: one string parameter and
one quoted string, or one numeric parameter and one number. Anything else goes to the model.
"""
from __future__ import annotations

import re
from typing import Any

_QUOTED = re.compile(r"""(?<![\w])(?:"([^"\n]*)"|'([^'\n]*)'|“([^”\n]*)”|‘([^’\n]*)’)(?![\w])""")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])")

_FILE = re.compile(r"(?<![\w/.-])((?:/|~/)?(?:[\w.-]+/)*[\w.-]+\.(?:csv|json|jsonl|tsv|txt))\b", re.I)
PATH_PARAM = re.compile(r"(path|file|filename|csv|json)$", re.I)
_STR = {"str", "string"}
_INT = {"int", "integer"}
_FLOAT = {"float", "number"}


def quoted_strings(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text)]


def numbers(text: str) -> list[str]:
    return _NUMBER.findall(_QUOTED.sub(" ", text))


def fast_path_arguments(prompt: str, parameters: list[dict]) -> dict[str, Any] | None:
    """Arguments read deterministically from `prompt`, or None when that would be a guess."""
    if len(parameters) != 1:
        return None
    p = parameters[0]
    t = str(p.get("type") or "").strip().lower()
    if t in _STR:
        q = quoted_strings(prompt)
        if len(q) == 1:
            return {p["name"]: q[0]}
        files = _FILE.findall(prompt)
        if not q and len(files) == 1 and PATH_PARAM.search(p["name"]):
            return {p["name"]: files[0]}  # "margins from products.csv" for csv_path
        return None
    if t in _INT | _FLOAT:
        nums = numbers(prompt)
        if len(nums) != 1:
            return None
        raw = nums[0]
        if t in _INT:
            return {p["name"]: int(raw)} if re.fullmatch(r"-?\d+", raw) else None
        return {p["name"]: float(raw)}
    return None


def coerce_arguments(args: dict[str, Any], parameters: list[dict]) -> dict[str, Any]:
    """Convert JSON values to the declared simple types where that is lossless ("5" -> 5, 5 -> 5.0)."""
    out = dict(args)
    for p in parameters:
        name, t = p["name"], str(p.get("type") or "").strip().lower()
        if name not in out:
            continue
        v = out[name]
        try:
            if t in _INT and isinstance(v, str) and re.fullmatch(r"\s*-?\d+\s*", v):
                out[name] = int(v)
            elif t in _INT and isinstance(v, float) and v.is_integer():
                out[name] = int(v)
            elif t in _FLOAT and isinstance(v, (int, str)) and not isinstance(v, bool):
                out[name] = float(v)
            elif t in _STR and isinstance(v, (int, float)) and not isinstance(v, bool):
                out[name] = str(v)
        except ValueError:
            pass
    return out
