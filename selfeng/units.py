"""Units of measurement: names, symbols and the quantity each measures.

The table is transcribed from general references, not from our requests: SI base and derived units
with their symbols and the common prefixes (BIPM, *The International System of Units*, 9th ed., 2019),
and the US customary units with their abbreviations (NIST Handbook 44, Appendix C; NIST SP 811,
Appendix B). Spellings: both "metre" and "meter". Symbols are case-sensitive as in SI (K is kelvin,
k is the prefix kilo); single-letter symbols only count right after a number or a degree sign, so the
word "in" or the letter "m" in prose is never taken for a unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    name: str       # canonical singular name, e.g. "kilometre"
    kind: str       # the quantity it measures, e.g. "length"


# (canonical name, kind, symbols, other names). Plurals are added below.
_TABLE: list[tuple[str, str, tuple[str, ...], tuple[str, ...]]] = [
    # length (SI + NIST HB44 App. C)
    ("metre", "length", ("m",), ("meter",)),
    ("kilometre", "length", ("km",), ("kilometer",)),
    ("centimetre", "length", ("cm",), ("centimeter",)),
    ("millimetre", "length", ("mm",), ("millimeter",)),
    ("micrometre", "length", ("µm", "um"), ("micrometer", "micron")),
    ("nanometre", "length", ("nm",), ("nanometer",)),
    ("inch", "length", ("in",), ()),
    ("foot", "length", ("ft",), ("feet",)),
    ("yard", "length", ("yd",), ()),
    ("mile", "length", ("mi",), ()),
    ("nautical mile", "length", ("nmi",), ()),
    # mass
    ("gram", "mass", ("g",), ("gramme",)),
    ("kilogram", "mass", ("kg",), ("kilogramme", "kilo")),
    ("milligram", "mass", ("mg",), ()),
    ("tonne", "mass", ("t",), ("metric ton",)),
    ("ounce", "mass", ("oz",), ()),
    ("pound", "mass", ("lb", "lbs"), ()),
    ("stone", "mass", ("st",), ()),
    # time (SI second; minute, hour, day are units accepted for use with the SI)
    ("second", "time", ("s", "sec", "secs"), ()),
    ("millisecond", "time", ("ms",), ()),
    ("minute", "time", ("min", "mins"), ()),
    ("hour", "time", ("h", "hr", "hrs"), ()),
    ("day", "time", ("d",), ()),
    ("week", "time", ("wk",), ()),
    ("year", "time", ("yr",), ()),
    # temperature
    ("degree celsius", "temperature", ("°C", "C"), ("celsius", "centigrade")),
    ("degree fahrenheit", "temperature", ("°F", "F"), ("fahrenheit",)),
    ("kelvin", "temperature", ("K",), ()),
    # volume
    ("litre", "volume", ("L", "l"), ("liter",)),
    ("millilitre", "volume", ("mL", "ml"), ("milliliter",)),
    ("gallon", "volume", ("gal",), ()),
    ("quart", "volume", ("qt",), ()),
    ("pint", "volume", ("pt",), ()),
    ("cup", "volume", (), ()),
    ("fluid ounce", "volume", ("fl oz",), ()),
    ("cubic metre", "volume", ("m³", "m3"), ("cubic meter",)),
    # area
    ("square metre", "area", ("m²", "m2"), ("square meter",)),
    ("hectare", "area", ("ha",), ()),
    ("acre", "area", ("ac",), ()),
    # speed
    ("kilometre per hour", "speed", ("km/h", "kph"), ("kilometer per hour",)),
    ("mile per hour", "speed", ("mph",), ()),
    ("metre per second", "speed", ("m/s",), ("meter per second",)),
    ("knot", "speed", ("kn",), ()),
    # energy, power, pressure
    ("joule", "energy", ("J",), ()),
    ("kilojoule", "energy", ("kJ",), ()),
    ("calorie", "energy", ("cal",), ()),
    ("kilocalorie", "energy", ("kcal",), ()),
    ("kilowatt hour", "energy", ("kWh",), ()),
    ("watt", "power", ("W",), ()),
    ("kilowatt", "power", ("kW",), ()),
    ("horsepower", "power", ("hp",), ()),
    ("pascal", "pressure", ("Pa",), ()),
    ("bar", "pressure", (), ()),
    ("pound per square inch", "pressure", ("psi",), ()),
    ("atmosphere", "pressure", ("atm",), ()),
    # information (IEC 80000-13)
    ("byte", "information", ("B",), ()),
    ("kilobyte", "information", ("kB", "KB"), ()),
    ("megabyte", "information", ("MB",), ()),
    ("gigabyte", "information", ("GB",), ()),
    ("bit", "information", (), ()),
]

_IRREGULAR_PLURALS = {"foot": "feet", "inch": "inches", "century": "centuries"}


def plural(name: str) -> str:
    head, _, tail = name.rpartition(" ")
    if " per " in name:  # "kilometres per hour"
        first, _, rest = name.partition(" per ")
        return f"{plural(first)} per {rest}"
    word = tail or name
    p = _IRREGULAR_PLURALS.get(word) or (word + "es" if word.endswith(("s", "x", "ch", "sh")) else word + "s")
    return f"{head} {p}" if head else p


def _build() -> tuple[dict[str, Unit], dict[str, Unit], dict[str, Unit]]:
    names: dict[str, Unit] = {}        # lower-case names and plurals
    symbols: dict[str, Unit] = {}      # case-sensitive symbols
    loose: dict[str, Unit] = {}        # multi-letter symbols, lower-cased ("KM", "Kg" are common)
    for canonical, kind, syms, others in _TABLE:
        unit = Unit(canonical, kind)
        for n in (canonical, *others):
            names[n] = unit
            names[plural(n)] = unit
            if n.startswith("degree "):
                names[n.split(" ", 1)[1]] = unit
        for s in syms:
            symbols[s] = unit
            if len(s.strip("°")) > 1:
                loose.setdefault(s.lower(), unit)
    # An identifier cannot hold a slash, so `km/h` is written `kmh` there (`convert_mph_to_kmh`): the
    # slash-less form of a symbol reads as its unit, unless it is another unit's symbol (`m/s`, `ms`).
    for s, unit in list(symbols.items()):
        joined = s.replace("/", "").lower()
        if "/" in s and joined not in loose and joined not in names and s.replace("/", "") not in symbols:
            loose[joined] = unit
    return names, symbols, loose


_NAMES, _SYMBOLS, _LOOSE = _build()
# Symbols that are also ordinary words or letters: only a unit right after a number or degree sign.
_AMBIGUOUS = {s for s in _SYMBOLS if len(s) == 1 or s.lower() in {"in", "min", "st", "bar", "cup", "hp", "a"}}
# Two-letter symbols that are also English words or common abbreviations of something else.
_AMBIGUOUS_LOWER = {s.lower() for s in _AMBIGUOUS} | {"ha", "ac", "pa", "pt", "kn", "wk", "yr", "cal", "b"}
_NUM = r"[-+]?\d[\d,]*(?:\.\d+)?"
_NAME_ALT = "|".join(sorted((re.escape(n) for n in _NAMES), key=len, reverse=True))
_SYM_ALT = "|".join(sorted((re.escape(s) for s in _SYMBOLS), key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w.])({_NUM})\s*(?:degrees?\s+|°\s*)?((?:{_NAME_ALT})(?![\w])|°?(?:{_SYM_ALT})(?![\w/]))",
    re.I)
_INCH_END = re.compile(r"\s*(?:$|[.,;:?!)]|(?:to|into|in|and|or|x|by)\b)", re.I)
_WORD_UNIT = re.compile(rf"(?<![\w])(?:degrees?\s+)?({_NAME_ALT})(?![\w])", re.I)
_FREE_SYMBOL = re.compile(r"(?<![\w°])(°?[A-Za-z][A-Za-z/²³0-9]*)(?![\w])")


def lookup(token: str, *, after_number: bool = False) -> Unit | None:
    """The unit a word or symbol names, or None. Ambiguous symbols need `after_number`."""
    t = token.strip()
    if t.lower() in _NAMES:
        return _NAMES[t.lower()]
    if t in _SYMBOLS and (after_number or t not in _AMBIGUOUS or t.startswith("°")):
        return _SYMBOLS[t]
    if t.lower() in _LOOSE and (after_number or t.lower() not in {s.lower() for s in _AMBIGUOUS}):
        return _LOOSE[t.lower()]
    if t.startswith("°") and t[1:] in _SYMBOLS:
        return _SYMBOLS[t[1:]]
    return None


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: Unit
    start: int
    end: int


def quantities(text: str) -> list[Quantity]:
    """Numbers labelled with a unit: "212 °F", "10 pounds", "5.5 in", "7 minutes"."""
    out = []
    for m in _QUANTITY.finditer(text):
        unit = lookup(m.group(2), after_number=True)
        if unit is None or (m.group(2) == "in" and not _INCH_END.match(text, m.end())):
            continue  # "255 in base 2" is a preposition; "5.5 in to cm" and "27 in." are inches
        try:
            value = float(m.group(1).replace(",", ""))
        except ValueError:
            continue
        out.append(Quantity(value, unit, m.start(), m.end()))
    return out


def mentioned_units(text: str) -> list[tuple[Unit, int]]:
    """Every unit the text names, with its position: quantities, unit words, and unambiguous symbols
    (a capital C/F/K counts when it stands after to/in/into/from, as in "100 F to C")."""
    found: dict[int, Unit] = {q.start: q.unit for q in quantities(text)}
    taken = [(q.start, q.end) for q in quantities(text)]

    def free(pos: int) -> bool:
        return not any(a <= pos < b for a, b in taken)

    for m in _WORD_UNIT.finditer(text):
        if free(m.start()):
            found[m.start()] = _NAMES[m.group(1).lower()]
    for m in _FREE_SYMBOL.finditer(text):
        tok = m.group(1)
        if not free(m.start()) or tok.lower() in _NAMES:
            continue
        before = text[:m.start()].rstrip().lower()
        after_marker = before.endswith((" to", " in", " into", " from", "degree", "degrees")) \
            or before.endswith("°")
        unit = lookup(tok, after_number=after_marker and len(tok.strip("°")) == 1)
        if unit is not None:
            found[m.start()] = unit
    return sorted(((u, p) for p, u in found.items()), key=lambda x: x[1])


def identifier_words(identifier: str) -> list[str]:
    """The words of a snake_case or camelCase identifier, as written: `weightKg` -> ["weight", "Kg"]."""
    return re.sub(r"([a-z])([A-Z])", r"\1 \2", identifier).replace("_", " ").split()


_LONGEST_NAME = max(len(n.split()) for n in _NAMES)


def _name_at(words: list[str], i: int) -> tuple[int, Unit | None]:
    """(how many words, unit) for the longest unit name of two or more words starting at words[i]."""
    for n in range(min(_LONGEST_NAME, len(words) - i), 1, -1):
        unit = _NAMES.get(" ".join(words[i:i + n]).lower())
        if unit is not None:
            return n, unit
    return 1, None


def identifier_units(identifier: str) -> list[Unit]:
    """Units named by an identifier's words: `weight_kg` -> [kilogram], `celsius` -> [degree celsius].
    A unit of several words is read whole, longest first: `nautical_miles` is the nautical mile, not a
    mile (recorded: a verified nautical-mile converter was refused its own request's "7 nautical miles")."""
    parts = identifier_words(identifier)
    out: list[Unit] = []
    i = 0
    while i < len(parts):
        width, unit = _unit_at(parts, i)
        if unit is not None and i + width + 1 < len(parts) and parts[i + width].lower() == "per":
            # `km_per_hour` is the kilometre per hour, as `kilometers_per_hour` is (postfreeze-1207s: a
            # knots converter named so got no definition)
            more, per = _unit_at(parts, i + width + 1)
            rate = _NAMES.get(f"{unit.name} per {per.name}") if per is not None else None
            if rate is not None:
                width, unit = width + 1 + more, rate
        if unit is not None and unit not in out:
            out.append(unit)
        i += width
    return out


def _unit_at(parts: list[str], i: int) -> tuple[int, Unit | None]:
    """(how many words, unit) for the unit that parts[i] starts, by name, loose form or symbol."""
    width, unit = _name_at(parts, i)
    if unit is None:
        p = parts[i]
        unit = _NAMES.get(p.lower()) or (_LOOSE.get(p.lower()) if len(p) > 1 else None)
        if unit is None and len(p) == 1 and i > 0:  # `height_m`, but never a bare `s` or `a`
            unit = _SYMBOLS.get(p)
    return width, unit


def canonical_word(word: str) -> str | None:
    """The canonical unit name for a lower-case word or multi-letter symbol ("kms" is not one)."""
    u = _NAMES.get(word) or (_LOOSE.get(word) if word not in _AMBIGUOUS_LOWER else None)
    return u.name if u else None
