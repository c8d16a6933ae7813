"""When a returned value is the expected answer (the rule of `selfeng eval requests`)."""
from __future__ import annotations

import math
from typing import Any


def matches(got: Any, expect: Any) -> bool:
    """Does a tool's returned value answer `expect`?

    - `{"any_of": [...]}`: any of the alternatives (for requests with several fair answers).
    - numbers: a float `expect` written with at most 2 decimals was given rounded, so `got` matches when
      it rounds to it (|got - expect| <= 0.005); otherwise a relative tolerance of 1e-6. A string that is
      exactly a number counts as that number; bools are never numbers.
    - bool/None: the same value. Strings: equal after stripping whitespace.
    - lists (tuples too) and dicts: element-wise, with the same rules; dict keys compared as text.
    - a dict with a single value answers a non-dict `expect` when that value does ("{'total': 8.05}").
    """
    if isinstance(expect, dict) and set(expect) == {"any_of"}:
        return any(matches(got, e) for e in expect["any_of"])
    if not isinstance(expect, dict) and isinstance(got, dict) and len(got) == 1:
        return matches(next(iter(got.values())), expect)
    if isinstance(expect, bool) or expect is None:
        return got is expect or (isinstance(got, bool) and got == expect)
    if isinstance(expect, (int, float)):
        return _number_matches(got, expect)
    if isinstance(expect, str):
        return isinstance(got, str) and got.strip() == expect.strip()
    if isinstance(expect, list):
        return (isinstance(got, (list, tuple)) and len(got) == len(expect)
                and all(matches(g, e) for g, e in zip(got, expect)))
    if isinstance(expect, dict):
        if not isinstance(got, dict):
            return False
        by_text = {str(k): v for k, v in got.items()}
        return set(by_text) == set(expect) and all(matches(by_text[k], v) for k, v in expect.items())
    return got == expect


def _number_matches(got: Any, expect: int | float) -> bool:
    if isinstance(got, str):
        try:
            got = float(got.strip())
        except ValueError:
            return False
    if isinstance(got, bool) or not isinstance(got, (int, float)) or not math.isfinite(got):
        return False
    if isinstance(expect, float) and _decimals(expect) <= 2:
        return abs(got - expect) <= 0.005 + 1e-9
    return math.isclose(got, expect, rel_tol=1e-6, abs_tol=1e-9)


def _decimals(x: float) -> int:
    text = repr(x)
    if "e" in text or "inf" in text or "nan" in text:
        return 99
    return len(text.split(".", 1)[1]) if "." in text else 0
