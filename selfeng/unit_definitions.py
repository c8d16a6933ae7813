"""Conversions fixed by definition: the exact factor between two units, and the cases it grounds.

A small model writes a converter's constant from memory and often short: 1.0936 yards per metre or
2.20462 pounds per kilogram. Drafts and a direct solution that share the short constant agree with each
other, so agreement cannot catch it (recorded: "Convert 40 meters to yards" answered 43.744, verified by
two drafts and a direct answer; the exact answer is 43.7445). The factor is not an opinion: the yard is
0.9144 m by definition. So a spec named like `a_to_b` between two units of this table gets

* a note in its docstring with the definition, which every draft and repair then reads, and
* two cases computed from the definition, trusted like the user's own examples (`observations.TRUSTED_SOURCES`).

Factors are exact or conventional values from NIST SP 811 (2008), Appendix B, and NIST Handbook 44,
Appendix C; the temperature scales from their definitions (ITS-90 conventions: 0 °C = 273.15 K,
a degree Fahrenheit is 5/9 of a kelvin). Units whose name means different sizes in common use (the US
and imperial gallon, pint, cup and fluid ounce; the calorie; horsepower; the kilobyte; the year) are left
out: no single definition would be the user's.
"""
from __future__ import annotations

import re
from fractions import Fraction

from .arguments import converter_units
from .observations import Case
from .units import mentioned_units, plural, quantities

F = Fraction
# canonical unit name (units._TABLE) -> its size in the kind's SI unit (m, kg, s, m³, m², m/s, J, Pa)
SCALE: dict[str, Fraction] = {
    "metre": F(1), "kilometre": F(1000), "centimetre": F(1, 100), "millimetre": F(1, 1000),
    "micrometre": F(1, 10**6), "nanometre": F(1, 10**9), "inch": F("0.0254"), "foot": F("0.3048"),
    "yard": F("0.9144"), "mile": F("1609.344"), "nautical mile": F(1852),
    "gram": F(1, 1000), "kilogram": F(1), "milligram": F(1, 10**6), "tonne": F(1000),
    "pound": F("0.45359237"), "ounce": F("0.45359237") / 16, "stone": F("0.45359237") * 14,
    "second": F(1), "millisecond": F(1, 1000), "minute": F(60), "hour": F(3600), "day": F(86400),
    "week": F(604800),
    "litre": F(1, 1000), "millilitre": F(1, 10**6), "cubic metre": F(1),
    "square metre": F(1), "hectare": F(10**4), "acre": F("4046.8564224"),
    "metre per second": F(1), "kilometre per hour": F(1000, 3600), "mile per hour": F("0.44704"),
    "knot": F(1852, 3600),
    "joule": F(1), "kilojoule": F(1000), "kilowatt hour": F(3600000),
    "pascal": F(1), "bar": F(10**5), "atmosphere": F(101325),
    "pound per square inch": F("0.45359237") * F("9.80665") / F("0.0254") ** 2,
}
# temperature scale -> (kelvin per degree, kelvin at the scale's zero)
TEMPERATURE: dict[str, tuple[Fraction, Fraction]] = {
    "kelvin": (F(1), F(0)), "degree celsius": (F(1), F("273.15")),
    "degree fahrenheit": (F(5, 9), F("273.15") - F(32) * F(5, 9)),
}
# How a request or a spec asks for a rounded answer: then an exact value is not what the tool returns.
# ("approximately" is not among them: models write it into docstrings of exact conversions.)
_ROUNDING = re.compile(r"\b(?:round\w*|decimals?|significant|nearest|whole numbers?|integers?|truncat\w*)\b", re.I)
# ...and the rounding it names, when it names one: "2 decimal places", "one decimal", "the nearest tenth",
# "a whole number". Anything else (significant figures, "the nearest degree", truncating) says no number
# of places the cases could round to.
_SMALL = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_PLACES = re.compile(rf"\b(\d|{'|'.join(_SMALL)})[\s-]+(?:decimal\s+places?|decimals?|dp|places?)\b", re.I)
_FRACTION_PLACES = re.compile(r"\bnearest\s+(tenth|hundredth|thousandth)s?\b", re.I)
_ROUND_WORD = re.compile(r"\bround\w*\b(?!\s+(?:up|down)\b)", re.I)  # rounding up or down is not to the nearest
# not "an integer" alone: it names a type, too
_WHOLE = re.compile(r"\b(?:nearest\s+(?:whole\s+number|integer)|whole\s+numbers?)\b", re.I)
_NUMERIC = ("float", "int", "number", "numbers.real")


def converter(spec: dict) -> tuple[str, str] | None:
    """(from, to) canonical unit names when the spec converts one number between two units defined here:
    named `a_to_b`, with one numeric parameter and a numeric result."""
    pair = converter_units(spec.get("function_name", ""))
    params = spec.get("parameters") or []
    if pair is None or len(params) != 1:
        return None
    if str(params[0].get("type", "")).strip().lower() not in _NUMERIC:
        return None
    if str(spec.get("return_type", "")).strip().lower() not in _NUMERIC:
        return None
    a, b = pair[0].name, pair[1].name
    known = (a in SCALE and b in SCALE) or (a in TEMPERATURE and b in TEMPERATURE)
    return (a, b) if known else None


def convert(value: Fraction, a: str, b: str) -> Fraction:
    if a in TEMPERATURE:
        (sa, za), (sb, zb) = TEMPERATURE[a], TEMPERATURE[b]
        return (value * sa + za - zb) / sb
    return value * SCALE[a] / SCALE[b]


def definition_note(a: str, b: str) -> str:
    """The definition as one sentence, written with the exact number where there is one: "1 yard = 0.9144
    metre" rather than "1 metre = 1.0936132983 yards"; "fahrenheit = celsius × 9/5 + 32"."""
    if a in TEMPERATURE:
        return f"By definition, {_temperature_formula(a, b)}."
    forward, backward = SCALE[a] / SCALE[b], SCALE[b] / SCALE[a]
    if (_exact(backward), -len(_number(backward))) > (_exact(forward), -len(_number(forward))):
        return f"By definition, 1 {b} = {_number(backward)} {_plural(a, backward)}."
    return f"By definition, 1 {a} = {_number(forward)} {_plural(b, forward)}."


def _temperature_formula(a: str, b: str) -> str:
    """b = (a - a0) × s + b0, where a0 and b0 are the scales' readings at the ice point (0 °C)."""
    a0, b0 = convert(F(0), "degree celsius", a), convert(F(0), "degree celsius", b)
    s = TEMPERATURE[a][0] / TEMPERATURE[b][0]
    short_a, short_b = a.removeprefix("degree "), b.removeprefix("degree ")
    term = short_a if s == 1 else f"{short_a} × {_number(s)}"
    if a0:
        term = f"{short_a} - {_number(a0)}" if s == 1 else f"({short_a} - {_number(a0)}) × {_number(s)}"
    return f"{short_b} = {term}" + (f" + {_number(b0)}" if b0 else "")


def grounded_spec(spec: dict) -> dict:
    """The spec with its conversion's definition in the docstring, when it has one (else unchanged)."""
    pair = converter(spec)
    if pair is None or "By definition" in spec.get("docstring", ""):
        return spec
    return {**spec, "docstring": f"{spec['docstring'].rstrip()} {definition_note(*pair)}"}


def reads_as_stated(spec: dict, request: str) -> bool:
    """The request gives a value in the converter's from-unit and names its to-unit, and no other unit of
    that kind ("14 F ... on the kelvin scale" for fahrenheit_to_kelvin): the spec reads the request as
    written, so the definition, not an opinion, decides the answer on the request's input."""
    if converter(spec) is None:
        return False
    a, b = converter_units(spec.get("source_name") or spec["function_name"])
    named = {u for u, _ in mentioned_units(request) if u.kind == a.kind}
    return any(q.unit == a for q in quantities(request)) and b in named and named <= {a, b}


def settled_by_definition(spec: dict, cases: list[Case], request: str) -> bool:
    """A converter whose verifying cases include its definition's, for a request that states that very
    conversion (`reads_as_stated`): its answer is the definition's, so direct solutions that disagree have
    misread the request (postfreeze-1207p: "14 F ... on the kelvin scale" solved directly as 14 °C,
    287.15 K), and a second look could only trade the right tool for theirs."""
    return any(c.source == "definition" for c in cases) and reads_as_stated(spec, request)


def definition_cases(spec: dict, request: str) -> list[Case]:
    """Two cases the definition decides: exact values, or rounded to the places the docstring names.
    When the request names places the docstring does not say, or other ones, the drafts may return either,
    so the cases hold the exact value within half a unit of the coarsest places named. None when a
    rounding is asked for that names no places (significant figures, "rounded", up or down)."""
    pair = converter(spec)
    rounding = case_rounding(request, spec.get("docstring", ""))
    if pair is None or rounding is None:
        return []
    places, tolerance = rounding
    name, param = spec["function_name"], spec["parameters"][0]
    whole = str(param.get("type", "")).strip().lower() == "int"
    answers = [(x, _rounded(convert(x, *pair), places)) for x in _inputs(pair, places)][:2]
    if str(spec.get("return_type", "")).strip().lower() == "int" and any(y.denominator != 1 for _, y in answers):
        return []  # an int result cannot be the exact value; the cases would only test the rounding
    return [Case(f"test_{name}_definition_{i + 1}", {param["name"]: int(x) if whole else float(x)},
                 float(y), "definition", tolerance=tolerance) for i, (x, y) in enumerate(answers)]


_UNSAID = object()  # a rounding is asked for, but not one the cases can follow


def case_rounding(request: str, docstring: str) -> tuple[int | None, float] | None:
    """(the places the cases round to, or None for exact values; the tolerance they hold within), or None
    when no case can follow the rounding asked for.

    The docstring is the contract every draft reads: where it names the places (and the request names no
    others), the cases are rounded so. Where the request names places the docstring does not, or other
    ones, a draft may return the exact value or round either way, and all of those are right to within
    half a unit of the coarsest places named ("the nearest tenth" for a docstring of two decimals: 69.85
    and 69.9 for 11 stone, 69.853 exactly)."""
    doc, asked = _places_in(docstring), _places_in(request)
    if _UNSAID in (doc, asked):
        return None
    if asked is None or asked == doc:
        return doc, 0.0
    coarsest = min(p for p in (doc, asked) if p is not None)
    return None, 0.5 * 10 ** -coarsest + 1e-9


def _places_in(text: str):
    """None when `text` asks for no rounding, the places when what it says names one number of them,
    else _UNSAID."""
    if not _ROUNDING.search(text):
        return None
    found = {int(m) if m.isdigit() else _SMALL[m.lower()] for m in _PLACES.findall(text)}
    found |= {("tenth", "hundredth", "thousandth").index(m.lower()) + 1 for m in _FRACTION_PLACES.findall(text)}
    found |= {0} if _WHOLE.search(text) else set()
    # every rounding word must belong to a named rounding ("rounded to 2 decimals"), else the text may
    # say something the places do not (significant figures, "the nearest degree", rounding up)
    rest = text
    for named in (_PLACES, _FRACTION_PLACES, _WHOLE, _ROUND_WORD):
        rest = named.sub(" ", rest)
    return found.pop() if len(found) == 1 and not _ROUNDING.search(rest) else _UNSAID


def _inputs(pair: tuple[str, str], places: int | None) -> list[Fraction]:
    """Round inputs whose answers, rounded to `places`, are not ties: a tie rounds either way (half-even,
    half-up, float error), so it would test the rounding method rather than the conversion."""
    pool = (F(0), F(100), F(37), F(-40)) if pair[0] in TEMPERATURE else (F(1), F(250), F(3), F(40), F(7))
    if places is None:
        return list(pool)
    scale = 10 ** places
    return [x for x in pool if abs((convert(x, *pair) * scale) % 1 - F(1, 2)) > F(1, 10**6)]


def _rounded(y: Fraction, places: int | None) -> Fraction:
    return y if places is None else F(round(y, places))


def _plural(name: str, amount: Fraction) -> str:
    return name if amount == 1 else plural(name)


def _exact(x: Fraction) -> bool:
    return _decimal(x) is not None or x.denominator <= 9


def _number(x: Fraction) -> str:
    """A Fraction as people write it: 0.9144, 5/9, or 1.0936132983 when it neither ends nor is small."""
    exact = _decimal(x)
    if exact is not None:
        return exact
    if x.denominator <= 9:
        return f"{x.numerator}/{x.denominator}"
    return f"{float(x):.10g}"


def _decimal(x: Fraction) -> str | None:
    """`x` as a finite decimal of at most 15 places, exactly, or None."""
    for places in range(16):
        scaled = x * 10 ** places
        if scaled.denominator == 1:
            digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
            text = digits[:len(digits) - places] + ("." + digits[len(digits) - places:] if places else "")
            return ("-" if x < 0 else "") + text
    return None
