"""Rule-based reading of multi-step requests: cheap, deterministic, and tried before any model call.

"Calculate 20% of 100 and also find the square root of 64" splits at "and also"; "…, then calculate
25% of that result" splits at "then" and the second step depends on the first because it refers back
("that result", "it"). Quoted text is masked first, so "'salt and pepper'" never splits.
"""
from __future__ import annotations

import re

_QUOTED = re.compile(r"""'[^'\n]*'|"[^"\n]*"|“[^”\n]*”""")
# Strong connectors always separate steps; a bare "and" only when a new action verb follows it.
_STRONG = r"(?:,?\s*and\s+then|,?\s*then|;\s*and|;|,?\s*after\s+that,?|,?\s*afterwards,?|,?\s*and\s+also|,?\s*as\s+well\s+as|,?\s*and\s+finally|,?\s*finally,?|,?\s*next,?)"
ACTION_VERBS = (
    "calculate", "compute", "find", "get", "convert", "reverse", "count", "check", "determine", "sort",
    "add", "subtract", "multiply", "divide", "sum", "square", "round", "format", "split", "join", "make",
    "turn", "return", "give", "tell", "what", "how", "is", "list", "extract", "capitalize", "uppercase",
    "lowercase", "take", "double", "halve", "raise", "apply", "filter", "generate", "show", "work",
)
_VERB = r"(?:" + "|".join(ACTION_VERBS) + r")\b"
_SPLIT = re.compile(rf"\s*(?:{_STRONG}\s+(?={_VERB})|{_STRONG}\s+|,?\s+and\s+(?={_VERB})|,\s+(?={_VERB}))", re.I)
_REFERS_BACK = re.compile(
    r"\b(that|the|this|previous|last|above)\s+(result|answer|value|number|output|outcome|sum|total|one)\b"
    r"|\b(of|on|in|into|at|to|from|with|by|for|use|take|reverse|double|halve|square|negate|sort|round|whether|if)\s+(it|that|this|them)\b"
    r"|\bthe\s+result\b|\bthat\b(?=\s*[.?!]?\s*$)", re.I)
SEQUENCE_CUES = re.compile(rf"(?:{_STRONG}\s)|\band\s+{_VERB}", re.I)
_LITERAL = re.compile(r"\x00\d+\x00|(?<![\w.])-?\d+(?:\.\d+)?%?")


def _mask(text: str) -> tuple[str, list[str]]:
    saved: list[str] = []

    def keep(m: re.Match) -> str:
        saved.append(m.group(0))
        return f"\x00{len(saved) - 1}\x00"
    return _QUOTED.sub(keep, text), saved


def _unmask(text: str, saved: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: saved[int(m.group(1))], text)


def has_sequence_cue(prompt: str) -> bool:
    masked, _ = _mask(prompt)
    return bool(SEQUENCE_CUES.search(masked))


def has_weak_cue(prompt: str) -> bool:
    """An "and" with literals on both sides ("20% of 100 and the square root of 64"): maybe two steps,
    maybe one call with two arguments ("the gcd of 48 and 18"). Worth a look, not a split."""
    masked, _ = _mask(prompt)
    for m in re.finditer(r"\band\b", masked, re.I):
        before, after = masked[:m.start()], masked[m.end():]
        if _LITERAL.search(before) and _LITERAL.search(after) and re.search(r"[a-z]{3,}", after, re.I):
            words_after = re.findall(r"[a-z]{3,}", after, re.I)
            if len(words_after) >= 1:
                return True
    return False


def refers_back(task: str) -> bool:
    masked, _ = _mask(task)
    return bool(_REFERS_BACK.search(masked))


def split_steps(prompt: str) -> list[dict]:
    """[{task, depends_on}] for a request with explicit step connectors; one item when there are none."""
    masked, saved = _mask(prompt.strip())
    parts = [p.strip(" ,.;") for p in _SPLIT.split(masked) if p and p.strip(" ,.;")]
    steps = []
    for i, part in enumerate(parts):
        task = _unmask(part, saved)
        depends = [i - 1] if i > 0 and _REFERS_BACK.search(part) else []
        steps.append({"task": task[:1].upper() + task[1:], "depends_on": depends})
    return steps


REFERENCE_PHRASE = re.compile(
    r"\b(?:that|the|this|previous|last|above)\s+(?:result|answer|value|number|output|outcome|sum|total)\b"
    r"|\b(?<=\s)(?:it|that|this)\b(?=\s*(?:[.,?!]|$|\s+(?:and|then|by|to|with|plus|minus|times)\b))", re.I)


def substitute_reference(task: str, replacement: str) -> tuple[str, bool]:
    """Replace the first back-reference ("that result", "it") in `task` with `replacement`."""
    masked, saved = _mask(task)
    new, n = REFERENCE_PHRASE.subn(replacement.replace("\\", "\\\\"), masked, count=1)
    return _unmask(new, saved), bool(n)
