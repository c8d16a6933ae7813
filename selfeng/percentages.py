"""The percentages a request states, and the other scale a model may read one on (12 for "12%" or 0.12)."""
from __future__ import annotations

import re
from typing import Any

from .arguments import word_numbers

_PERCENT_OF = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)|((?:[a-z]+[\s-]){1,4})(?:percent|per cent)\b",
                         re.I)


def percentages(request: str) -> list[float]:
    """The percentages a request states, as the numbers before their sign or word: 12 for "12%", "12
    percent" and "twelve percent"."""
    out = []
    for m in _PERCENT_OF.finditer(request):
        if m.group(1):
            out.append(float(m.group(1)))
        elif word_numbers(m.group(2)):
            out.append(word_numbers(m.group(2))[-1])
    return out


def other_percent_scale(arguments: dict[str, Any], request: str) -> dict[str, Any] | None:
    """`arguments` with a stated percentage read on its other scale (12 for 0.12, or 0.12 for 12), or None
    when no numeric argument carries one. "20%" is 20 or 0.2 as the tool's contract says, and a model
    reading the request often picks the other; when two arguments carry one, the first is rescaled."""
    stated = percentages(request)
    for name, v in arguments.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            continue
        for p in stated:
            if p and abs(v - p / 100) <= 1e-9 * max(1.0, p):
                return {**arguments, name: int(p) if float(p).is_integer() else p}
            if p and abs(v - p) <= 1e-9 * max(1.0, p):
                return {**arguments, name: p / 100}
    return None
