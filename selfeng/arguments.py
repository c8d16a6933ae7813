"""Turning a request into a tool's arguments without a model call, when the mapping is unambiguous.

The fast path only fires when there is exactly one way to read the request: one string parameter and
one quoted string, or one numeric parameter and one number. Anything else goes to the model.
"""
from __future__ import annotations

import calendar
import re
from typing import Any

from .case_replies import base_type

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
_WRITTEN_NUMBER = re.compile(r"-?(?:\d+(?:[.,]\d+)*|\.\d+)")  # a value as text: "0.07", "1,200" or ".07"


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
    return vals + word_numbers(text) + month_numbers(text)


_MONTHS = {n.lower(): i for names in (calendar.month_name, calendar.month_abbr) for i, n in enumerate(names) if n}


def month_numbers(text: str) -> list[float]:
    """Month names as the numbers tools take for them: "February 2023" gives month=2 a source."""
    return [float(_MONTHS[w]) for w in re.findall(r"[a-z]+", text.lower()) if w in _MONTHS]


def _grounded(value: Any, text: str, nums: list[float]) -> bool:
    if value is None or isinstance(value, bool):
        return True  # flags and omitted optionals carry no literal of their own
    if isinstance(value, (int, float)):
        return any(_near(n, [value]) for n in nums)
    if isinstance(value, str):
        v = " ".join(value.split()).lower()
        # A number written as text is the request's own only as that number: the tool reads the text as
        # the request writes it, so ".05" for "a 5% fee" is another value, though 0.05 is the 5% passed
        # to a numeric parameter.
        return not v or v in text or (_WRITTEN_NUMBER.fullmatch(v) is not None
                                      and _near(float(v.replace(",", "")), nums, percent=False))
    if isinstance(value, (list, tuple)):
        return all(_grounded(v, text, nums) for v in value)
    return True  # dicts and other structures: no literal to look for


def ungrounded_arguments(arguments: dict[str, Any], *sources: str | None) -> list[str]:
    """Parameter names whose value appears in none of `sources` (the request, context, earlier results)."""
    text = " ".join(" ".join(s.split()).lower() for s in sources if s)
    nums = _numbers_in(text)
    return [k for k, v in arguments.items() if not _grounded(v, text, nums)]


def grounding_problem(arguments: dict[str, Any], *sources: str | None) -> str | None:
    """What to tell the model when some argument comes from none of `sources`, or None."""
    missing = ungrounded_arguments(arguments, *sources)
    if not missing:
        return None
    shown = ", ".join(f"{k}={arguments[k]!r}" for k in missing)
    return f"{shown} appears nowhere in the request; use only values the request gives"


def argument_problem(tool_name: str, parameters: list[dict], arguments: dict[str, Any], request: str,
                     context: str | None = None) -> str | None:
    """Why these arguments may not run, or None: every value must come from the request or the session
    context, and a unit-labelled value must suit its parameter ("role: …", which no other reading of the
    request can fix)."""
    conflict = role_conflict(request, tool_name, parameters, arguments=arguments)
    if conflict is not None:
        return f"role: {conflict}"
    return grounding_problem(arguments, request, context)


def with_feedback(request: str, problem: str) -> str:
    """The request as a second extraction reads it, after the first was refused for `problem`."""
    return f"{request}\n(Previous attempt failed: {problem})"


_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’"}


def unquoted(arguments: dict[str, Any], request: str) -> dict[str, Any]:
    """`arguments`, where a text passed with the request's quotation marks around it is the text inside
    them: the length of 'abcdef' is 6, and `'abcdef'` with its quotes is 8 characters."""
    inside = set(quoted_strings(request))
    out = dict(arguments)
    for name, value in arguments.items():
        if isinstance(value, str) and len(value) >= 2 and _PAIRS.get(value[0]) == value[-1] \
                and value[1:-1] in inside:
            out[name] = value[1:-1]
    return out


def unwrapped_literals(arguments: dict[str, Any], parameters: list[dict], request: str) -> dict[str, Any]:
    """`arguments`, where a text value that the model wrapped in code or brackets around one of the
    request's own values is that value: "strconv(18)" or "{18%}" for "an 18% tip", and
    "math.floor(20/100*80)" for the discount of "an 80 dollar lamp after a 20% discount" (its 80 is the
    price, passed already). Only a value that is in the request nowhere as written, and only when exactly
    one of the request's values inside it is carried by no other argument: anything else stays as it was
    and is refused by the grounding check. A text in the request's own quotation marks loses them (`unquoted`)."""
    types = {p["name"]: str(p.get("type") or "").strip().lower() for p in parameters}
    out = unquoted(arguments, request)
    for name in ungrounded_arguments(out, request):
        value = out[name]
        if not isinstance(value, str) or types.get(name) not in _STR | _INT | _FLOAT:
            continue
        others = {k: v for k, v in out.items() if k != name}
        inside = [lit for lit in unused_literals(request, others) if _inside(lit, value)]
        if len(inside) == 1:
            out[name] = _as_written(inside[0], request) if types[name] in _STR else inside[0].strip("'")
    return coerce_arguments(out, parameters)


def _inside(literal: str, value: str) -> bool:
    if literal.startswith("'"):
        return literal[1:-1].lower() in value.lower()
    return _near(float(literal), [float(x.replace(",", "")) for x in _WRITTEN_NUMBER.findall(value)]) \
        if not _DATE.fullmatch(literal) else literal in value


def _as_written(literal: str, request: str) -> str:
    """A literal of `unused_literals` as the request writes it: the text inside quotes, a number with its
    percent sign ("18%")."""
    if literal.startswith("'"):
        return literal[1:-1]
    m = re.search(rf"(?<![\d.]){re.escape(literal)}\s*%", request)
    return f"{literal}%" if m else literal


def invented_parameters(parameters: list[dict], request: str) -> list[str]:
    """Names of a model spec's parameters the request has no value for: "What day of the week was
    1999-12-31?" designed as (date_str, locale, is_utc), whose cases then expect 'Vendredi' and 'Freitag'
    from a locale nobody asked about; "Convert 3 feet to inches" as (feet, inches).

    No model judgement: the request's values are counted (quoted text, dates, times, lists, file names,
    numbers in digits or words, month and day names), and a spec with more parameters than that has
    invented the rest. The ones dropped are the last parameters (a model lists the task's inputs first and
    its options after), flags first, never one the request labels a value with: "the letter 's'", "2
    decimals". A name the request only mentions ("to inches", "how many seconds") is the answer's unit,
    not an input. Nothing is dropped when the request has no value at all (it describes a function: "a
    function that adds one") or names a data file, whose filters and columns are plain words."""
    values = request_values(request, enumerations=any(_takes_sequence(p) for p in parameters))
    if not values or _FILE.search(request) or len(parameters) <= len(values):
        return []
    names = [[w for w in str(p.get("name") or "").lower().split("_") if len(w) > 2] for p in parameters]
    labelled = set()
    for label in value_labels(request):  # one value's label names one parameter: "hours", not "seconds_per_hour"
        named = [i for i, ws in enumerate(names) if any(label in (w, w + "s", w[:-1] + "ies") or w == label + "s"
                                                         for w in ws)]
        if named:
            labelled.add(min(named, key=lambda i: (len(names[i]), i)))

    def flag(p: dict) -> bool:
        return str(p.get("type") or "").strip().lower() in ("bool", "boolean")

    order = sorted((i for i in range(len(parameters)) if i not in labelled),
                   key=lambda i: (not flag(parameters[i]), -i))
    drop = set(order[:len(parameters) - len(values)])
    return [p["name"] for i, p in enumerate(parameters) if i in drop]


def value_labels(request: str) -> set[str]:
    """The words right beside a stated value ("5 miles", "the letter 's'"): the names the request gives
    its values."""
    text = request
    for pattern in (_QUOTED, _LIST, _DATE, _TIME, _FILE, _ORDINAL, _VALUE_NUMBER):
        text = pattern.sub(" \x00 ", text)
    tokens = re.findall(r"\x00|[a-z]+", text.lower())
    return {tokens[j] for i, t in enumerate(tokens) if t == "\x00"
            for j in (i - 1, i + 1) if 0 <= j < len(tokens) and tokens[j] != "\x00"}


_LIST = re.compile(r"\[[^\[\]]*\]|\([^()]*,[^()]*\)")
_TIME = re.compile(r"(?<![\w:])\d{1,2}:\d{2}(?::\d{2})?(?![\w:])")
_VALUE_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)*%?")
_ORDINAL = re.compile(r"(?<![\w.])\d+(?:st|nd|rd|th)\b", re.I)
_ORDINAL_WORDS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
                  "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth").split()
_CALENDAR_NAMES = set(_MONTHS) | {d.lower() for d in calendar.day_name}  # month names, abbreviations, weekdays


def request_values(request: str, enumerations: bool = False) -> list[str]:
    """The values a request states, each once: quoted text, lists, dates, times, file names, numbers
    (digits, percentages, ordinals, English number words) and month or weekday names. A list's numbers
    or a date's digits are one value, not several.

    `enumerations`: numbers listed in prose ("of 4, 19, 11 and 2") are one value too. Only for a spec
    with a sequence parameter, which takes them all; a spec of (a, b, c, d) takes them one by one."""
    text, found = request, []
    for pattern in (_QUOTED, _LIST, _DATE, _TIME, _FILE, _ORDINAL) + ((_ENUMERATION,) if enumerations else ()):
        found += [m.group(0) for m in pattern.finditer(text)]
        text = pattern.sub(" ", text)
    found += _VALUE_NUMBER.findall(text)
    lowered = re.findall(r"[a-z]+", text.lower())
    found += [str(n) for n in word_numbers(text)]
    found += [w for w in lowered if w in _ORDINAL_WORDS or w in _CALENDAR_NAMES and len(w) > 3]
    return found


_DATE = re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")
_ITEM = r"-?\d+(?:\.\d+)?"
# three or more numbers in a row, split by commas, the last maybe by "and"/"or": "4, 19, 11 and 2"
_ENUMERATION = re.compile(rf"(?<![\w.]){_ITEM}(?:\s*,\s*{_ITEM})+\s*,?\s*(?:(?:and|or)\s+)?{_ITEM}(?![\w.])", re.I)


def _takes_sequence(param: dict) -> bool:
    return base_type(param.get("type")) in ("list", "tuple", "set", "sequence", "iterable")


def _flat(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set)):
        return [x for v in value for x in _flat(v)]
    if isinstance(value, dict):
        return [x for v in value.values() for x in _flat(v)]
    return [value]


def _numbers(value: Any) -> list[float]:
    """The numbers inside a value, however nested (True and False are not numbers here)."""
    return [float(v) for v in _flat(value) if isinstance(v, (int, float)) and not isinstance(v, bool)]


def unused_literals(request: str, arguments: dict[str, Any]) -> list[str]:
    """The request's own inputs (quoted strings, ISO dates, numbers) that no argument carries.

    A tool that leaves an input of the request unused answers another question: count_words('mississippi')
    for "how many times does 's' appear in 'mississippi'", day_of_year('2024-01-01') for "days between
    2024-01-01 and 2024-12-25". Containment is not use: 's' is inside 'mississippi' but was not passed."""
    values = _flat(list(arguments.values()))
    texts = [" ".join(v.split()).lower() for v in values if isinstance(v, str)]
    nums = _numbers(values)
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


def _near(n: float, nums: list[float], percent: bool = True) -> bool:
    """`n` passed as itself, or (`percent`) a percentage passed as a fraction ("20%" as 0.2)."""
    return any(abs(v - n) <= 1e-9 * max(1.0, abs(n)) or percent and abs(v * 100 - n) <= 1e-6 * max(1.0, abs(n))
               for v in nums)


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
        qs = [q for q in qs if _near(q.value, _numbers(list(arguments.values())))]
    param_units = {p["name"]: (units.identifier_units(p["name"]) or [None])[0] for p in parameters}
    for q in qs:
        same_kind = [u for u in param_units.values() if u is not None and u.kind == q.unit.kind]
        if same_kind and q.unit not in same_kind:
            names = ", ".join(n for n, u in param_units.items() if u in same_kind)
            return f"{q.value:g} is in {q.unit.name}, but {names} takes {same_kind[0].name}"
    if arguments is not None:
        conflict = _kind_conflict(qs, parameters, arguments)
        if conflict:
            return conflict
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


def _kind_conflict(qs: list, parameters: list[dict], arguments: dict[str, Any]) -> str | None:
    """A value labelled with a unit of one quantity passed to a parameter named for another: "3 hours" (a
    time) to `kilometers_per_hour` (a speed). Only a value that exactly one parameter receives is weighed."""
    from . import units
    for q in qs:
        takers = [p["name"] for p in parameters
                  if p["name"] in arguments and _near(q.value, _numbers(arguments[p["name"]]))]
        if len(takers) != 1:
            continue
        named = [u for u, _ in units.mentioned_units(" ".join(units.identifier_words(takers[0])))] \
            or units.identifier_units(takers[0])
        if named and q.unit.kind not in {u.kind for u in named}:
            return f"{q.value:g} {q.unit.name} is a {q.unit.kind}, but {takers[0]} takes a {named[0].kind}"
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
