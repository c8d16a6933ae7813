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


QUOTED = _QUOTED  # quotes need a non-word character outside them, so "what's" or "it's" never opens one


def quoted_strings(text: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _QUOTED.finditer(text)]


def mask_quoted(text: str) -> tuple[str, list[str]]:
    """`text` with each quoted literal replaced by a placeholder \x00i\x00, and the literals."""
    saved: list[str] = []

    def keep(m: re.Match) -> str:
        saved.append(m.group(0))
        return f"\x00{len(saved) - 1}\x00"
    return _QUOTED.sub(keep, text), saved


def unmask_quoted(text: str, saved: list[str]) -> str:
    return re.sub(r"\x00(\d+)\x00", lambda m: saved[int(m.group(1))], text)


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


# -- argument roles and grounding ---------------------------------------------------------------------

_CARDINALS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 10 ** 6}
_LOOSE_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*")


def word_numbers(text: str) -> list[float]:
    """English cardinal numbers written in words ("twelve", "two hundred fifty") as values."""
    out, current, seen = [], 0, False
    for w in re.findall(r"[a-z]+", text.lower()) + [""]:
        if w in _CARDINALS or w in _TENS:
            current += _CARDINALS.get(w, 0) + _TENS.get(w, 0)
            seen = True
        elif w in _SCALES and seen:
            current = max(current, 1) * _SCALES[w]
        elif w == "and" and seen:
            continue
        elif seen:
            out.append(float(current))
            current, seen = 0, False
    return out


def _numbers_in(text: str) -> list[float]:
    vals = []
    for raw in _LOOSE_NUMBER.findall(text):
        try:
            vals.append(float(raw.replace(",", "")))
        except ValueError:
            continue
    return vals + word_numbers(text)


def _grounded(value: Any, text: str, nums: list[float]) -> bool:
    if value is None or isinstance(value, bool):
        return True  # flags and omitted optionals carry no literal of their own
    if isinstance(value, (int, float)):
        return any(_near(n, [value]) for n in nums)
    if isinstance(value, str):
        v = " ".join(value.split()).lower()
        return not v or v in text or (_LOOSE_NUMBER.fullmatch(v) is not None and _grounded(float(v.replace(",", "")), text, nums))
    if isinstance(value, (list, tuple)):
        return all(_grounded(v, text, nums) for v in value)
    return True  # dicts and other structures: no literal to look for


def ungrounded_arguments(arguments: dict[str, Any], *sources: str | None) -> list[str]:
    """Parameter names whose value appears in none of `sources` (the request, context, earlier results)."""
    text = " ".join(" ".join(s.split()).lower() for s in sources if s)
    nums = _numbers_in(text)
    return [k for k, v in arguments.items() if not _grounded(v, text, nums)]


def invented_parameters(parameters: list[dict], request: str) -> list[str]:
    """Names of a model spec's parameters that nothing in the request gives a value to, when another
    parameter's value is there: "What day of the week was 1999-12-31?" designed as (date_str, locale,
    is_utc), whose cases then expect 'Vendredi' and 'Freitag' from a locale nobody asked about.

    Each parameter carries `value_in_request`, the value the model says the request gives it. It counts
    when its words and numbers are all in the request. A parameter also counts when a word of its name is
    there: a flag has no literal to copy ("ignore_case" for "…if case is ignored"), and a small model often
    leaves the value empty for a setting the request does name ("decimals" in "rounded to 2 decimals");
    dropping those would lose what the user asked for. Only a value found in the request makes the others
    suspect: with none, the request describes a function rather than asking about values ("a function that
    adds one"), and all parameters stay; so does a parameter whose reply lacks the field."""
    text = " ".join(request.split()).lower()
    words, nums = set(re.findall(r"[\w.-]+", text)), _numbers_in(text)

    def by_value(p: dict) -> bool:
        value = " ".join(str(p.get("value_in_request") or "").split()).lower()
        tokens = re.findall(r"[\w.-]+", value)
        return bool(tokens) and (value in text or all(t in words or _number_in(t, nums) for t in tokens))

    def kept(p: dict) -> bool:
        named = any(len(w) > 2 and w in words for w in str(p.get("name") or "").lower().split("_"))
        return "value_in_request" not in p or named or by_value(p)  # no field (another provider): no evidence

    if not any(by_value(p) for p in parameters):
        return []
    return [p["name"] for p in parameters if not kept(p)]


def _number_in(token: str, nums: list[float]) -> bool:
    try:
        return _near(float(token.strip(".")), nums)
    except ValueError:
        return False


_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")


def _flat(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set)):
        return [x for v in value for x in _flat(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _flat(v)]
    return [value]


def unused_literals(request: str, arguments: dict[str, Any]) -> list[str]:
    """The request's own inputs (quoted strings, ISO dates, numbers) that no argument carries.

    A tool that leaves an input of the request unused answers another question: count_words('mississippi')
    for "how many times does 's' appear in 'mississippi'", day_of_year('2024-01-01') for "days between
    2024-01-01 and 2024-12-25". Containment is not use: 's' is inside 'mississippi' but was not passed."""
    values = _flat(list(arguments.values()))
    texts = [" ".join(v.split()).lower() for v in values if isinstance(v, str)]
    nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    nums += [float(t) for t in texts if _LOOSE_NUMBER.fullmatch(t) and "," not in t]
    out = []
    for q in quoted_strings(request):
        norm = " ".join(q.split()).lower()
        if norm and norm not in texts and not (_LOOSE_NUMBER.fullmatch(norm) and _near(float(norm), nums)):
            out.append(repr(q))
    rest = _DATE.sub(" ", _QUOTED.sub(" ", request))
    for d in _DATE.findall(_QUOTED.sub(" ", request)):
        if not any(d in t for t in texts):
            out.append(d)
    for n in numbers(rest):
        if not _near(float(n), nums) and not any(re.search(rf"(?<![\d.]){re.escape(n)}(?![\d])", t) for t in texts):
            out.append(n)
    return out


def _near(n: float, nums: list[float]) -> bool:
    """`n` passed as itself, or a percentage passed as a fraction ("20%" as 0.2)."""
    return any(abs(v - n) <= 1e-9 * max(1.0, abs(n)) or abs(v * 100 - n) <= 1e-6 * max(1.0, abs(n)) for v in nums)


def role_conflict(request: str, tool_name: str, parameters: list[dict], docstring: str = "",
                  arguments: dict[str, Any] | None = None) -> str | None:
    """Why the request's unit-labelled values cannot go to this tool, or None.

    A value labelled "212 °F" cannot go to a parameter named for another unit of the same kind
    (`celsius`); a converter `a_to_b` between two units takes a value in a and converts to b, so a
    request naming a third unit of that kind (kelvin), or giving its value in b, asks for another tool.
    With the `arguments` about to run, only the values passed are weighed: in "30 °C in °F? For example
    25 °C is 77 °F" the 77 °F is the user's example, not an input.
    """
    from . import units
    qs = units.quantities(request)
    if arguments is not None:
        passed = [float(v) for v in _flat(list(arguments.values()))
                  if isinstance(v, (int, float)) and not isinstance(v, bool)]
        qs = [q for q in qs if _near(q.value, passed)]
    param_units = {p["name"]: (units.identifier_units(p["name"]) or [None])[0] for p in parameters}
    for q in qs:
        same_kind = [u for u in param_units.values() if u is not None and u.kind == q.unit.kind]
        if same_kind and q.unit not in same_kind:
            names = ", ".join(n for n, u in param_units.items() if u in same_kind)
            return f"{q.value:g} is in {q.unit.name}, but {names} takes {same_kind[0].name}"
    pair = converter_units(tool_name)
    if pair is None:
        return None
    a, b = pair
    for q in qs:
        if q.unit == b:
            return f"{q.value:g} is already in {b.name}; {tool_name} converts {a.name} to {b.name}"
    for u, _ in units.mentioned_units(request):
        if u.kind == a.kind and u not in (a, b):
            return f"the request is about {u.name}; {tool_name} converts {a.name} to {b.name}"
    return None


def converter_units(tool_name: str):
    """(from, to) units of a converter named like `km_to_miles`, or None."""
    from . import units
    parts = tool_name.split("_to_")
    if len(parts) != 2:
        return None
    a, b = units.identifier_units(parts[0]), units.identifier_units(parts[1])
    if len(a) == 1 and len(b) == 1 and a[0].kind == b[0].kind and a[0] != b[0]:
        return a[0], b[0]
    return None
