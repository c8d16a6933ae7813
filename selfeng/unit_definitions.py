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
from .units import plural

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


def definition_cases(spec: dict, request: str) -> list[Case]:
    """Two cases the definition decides, or none when the request or spec asks for rounding (a rounded
    result is not the exact value, and how it rounds is the request's to say)."""
    pair = converter(spec)
    if pair is None or _ROUNDING.search(f"{request} {spec.get('docstring', '')}"):
        return []
    name, param = spec["function_name"], spec["parameters"][0]
    whole = str(param.get("type", "")).strip().lower() == "int"
    inputs = (F(0), F(100)) if pair[0] in TEMPERATURE else (F(1), F(250))
    answers = [convert(x, *pair) for x in inputs]
    if str(spec.get("return_type", "")).strip().lower() == "int" and any(y.denominator != 1 for y in answers):
        return []  # an int result cannot be the exact value; the cases would only test the rounding
    return [Case(f"test_{name}_definition_{i + 1}", {param["name"]: int(x) if whole else float(x)},
                 float(y), "definition") for i, (x, y) in enumerate(zip(inputs, answers))]


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
