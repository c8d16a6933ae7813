"""The kind of answer a request asks for, read from its grammar, against the kind a tool returns.

A tool can share every content word with a request and still answer another question: "Is 97 a prime
number?" asks yes or no, and `find_primes_below(n) -> list` is not an answer to it, however close its
text. Facts of English grammar decide the asked kind, none of them learnt from our request sets:

* a yes/no question opens with an auxiliary or a modal verb (subject-auxiliary inversion: "Is 97 ...",
  "Does the list ...", "Can 12 be ..."). These verbs are a closed class of the grammar: the forms of be,
  do and have, and the central modals. "Can you ...", "Could you please ..." are requests, not questions;
* "how many" and "how much" ask for a quantity, which a yes/no value or a list of items is not;
* "who", "whom" and "whose" (interrogative pronouns, a closed class too) ask for someone, which is named
  by text: a number or a yes/no value does not answer "Who earns the most in employees.json?";
* any question opening with an interrogative word (what, which, where, when, why, how, who) asks for
  content, never for a polarity: yes or no does not answer "Which prime numbers are there up to 30?".
  "What about 29?" is an elliptical repeat, not a question of its own;
* "each" is the distributive determiner: "each word in 'a b a'" asks for one answer per word of the
  value, which one number is not.

Only a declared return type counts; a tool without one (`Any`) never conflicts.
"""
from __future__ import annotations

import re

# The English auxiliaries (be, do, have) and central modals, in their finite forms.
AUXILIARIES = frozenset(
    "am is are was were do does did has have had can could may might must shall should will would".split())
_POLITE = re.compile(r"^\s*\w+\s+(?:you|u|ya)\b", re.I)  # "Can you sort ...": a request, whatever follows
_FIRST_WORD = re.compile(r"^\W*([a-z]+(?:['’]t)?)", re.I)
_NEGATED = {"can't": "can", "won't": "will", "shan't": "shall"}  # the rest drop their n't
_QUANTITY = re.compile(r"\bhow\s+(?:many|much)\b", re.I)
_PERSON = re.compile(r"^\W*(?:who|whom|whose)\b", re.I)
WH_QUESTION = re.compile(r"^\W*(?:what|which|where|when|why|how|who|whom|whose)\b(?!\s+about\b)", re.I)
# "each word in 'a b a'", "each number of [3, 4]": a distributive determiner ("each other" is a pronoun),
# and a value with several elements to distribute over (a quoted text of several words, or a list).
_EACH = re.compile(r"\beach\s+(?!other\b|of\b)[a-z]+", re.I)
_SEVERAL = re.compile(r"""(?<![A-Za-z])(["'‘“])[^"'’”]*\s[^"'’”]*["'’”]|\[[^\]]*,[^\]]*\]""")
# The declared return types that can answer each asked kind (the spec's schema is narrowed to them).
# "How many … in each department?" is a quantity per group: a mapping of numbers answers it too.
# "How many letters are in each word of 'red green blue'?" asks for one quantity per element: a list or a
# mapping of numbers, never one number.
RETURN_TYPES = {"bool": ("bool",), "quantity": ("int", "float", "dict[str, int]", "dict[str, float]"),
                "quantities": ("list[int]", "list[float]", "dict[str, int]", "dict[str, float]"),
                "person": ("str",)}


def distributes(request: str) -> bool:
    """"each <noun>" over a value of several elements: one answer per element is asked for."""
    return bool(_EACH.search(request) and _SEVERAL.search(request))


def asked_kind(request: str) -> str | None:
    """'bool' for a yes/no question, 'quantity' for how many/how much ('quantities' when asked for each
    element of a value), 'person' for who/whom/whose, else None (no opinion)."""
    text = request.strip()
    m = _FIRST_WORD.match(text)
    first = m.group(1).lower().replace("’", "'") if m else ""
    first = _NEGATED.get(first, first[:-3] if first.endswith("n't") else first)
    if first in AUXILIARIES and not _POLITE.match(text) and text.rstrip().endswith("?"):
        return "bool"
    if _QUANTITY.search(text):
        return "quantities" if distributes(text) else "quantity"
    if _PERSON.match(text):
        return "person"
    return None


def returned_kind(return_type: str | None) -> str | None:
    """'bool', 'number', 'text', 'collection', 'mapping', or None when undeclared or unknown."""
    t = re.sub(r"\s+", "", str(return_type or "")).lower()
    t = re.sub(r"^(?:typing\.)?optional\[(.*)\]$", r"\1", t)
    base = t.split("[", 1)[0]
    if base in ("bool",):
        return "bool"
    if base in ("int", "float", "decimal", "fraction", "complex"):
        return "number"
    if base in ("str",):
        return "text"
    if base in ("list", "tuple", "set", "frozenset", "sequence", "iterable"):
        return "collection"
    if base in ("dict", "mapping"):
        return "mapping"
    return None


def answer_kind_conflict(request: str, tool_name: str, return_type: str | None) -> str | None:
    """Why `tool_name` cannot answer the kind of question `request` asks, or None."""
    asked, returned = asked_kind(request), returned_kind(return_type)
    if returned is None:
        return None
    if asked == "bool" and returned != "bool":
        return f"the request asks yes or no; {tool_name} returns {return_type}"
    if asked == "quantity" and returned in ("bool", "collection"):
        return f"the request asks how many or how much; {tool_name} returns {return_type}"
    if asked == "quantities" and returned in ("bool", "text"):
        return f"the request asks how many for each element; {tool_name} returns {return_type}"
    if asked == "person" and returned in ("bool", "number"):
        return f"the request asks who; {tool_name} returns {return_type}"
    if returned == "bool" and WH_QUESTION.match(request):
        return f"the request asks a wh-question, which yes or no does not answer; {tool_name} returns {return_type}"
    if returned == "number" and distributes(request):
        return f"the request asks for a value for each element; {tool_name} returns one {return_type}"
    return None


# "how many hours ...", "what percentage ...": the interrogative's noun names the quantity asked for. A
# bare "what" names a measure only with percent: "what day of the week" asks for a name, not for days.
_ASKED_NOUN = re.compile(r"\bhow\s+(?:many|much)\s+([a-z]+)\b|\bwhat\s+(per\s*cent(?:age)?s?)\b", re.I)
# Percent is the dimensionless unit people ask for by name (ISO 80000-1: % stands for 0.01); the unit table
# (`units`) holds dimensioned units only, so it is recognised here.
_PERCENT_WORDS = frozenset({"percent", "percentage", "percentages"})
_PERCENT_VALUE = re.compile(r"\d\s*(?:%|per\s*cent\b|percent\b)", re.I)


def asked_unit(request: str) -> str | None:
    """The unit the question asks its answer in ("How many hours ..." -> "hour", "What percentage ..." ->
    "percent"), or None. Unit names and unambiguous symbols count ("how many km"), never "in" or "min"."""
    from . import units
    for m in _ASKED_NOUN.finditer(request):
        word = re.sub(r"\s+", "", (m.group(1) or m.group(2)).lower())
        if word in _PERCENT_WORDS or word.startswith("percent"):
            return "percent"
        name = units.canonical_word(word)
        if name is not None:
            return name
    return None


def _param_unit(name: str) -> str | None:
    from . import units
    if any(w.lower() in _PERCENT_WORDS for w in units.identifier_words(name)):
        return "percent"
    found = units.identifier_units(name)
    return found[0].name if len(found) == 1 else None


def _given_in(request: str, unit: str) -> bool:
    from . import units
    if unit == "percent":
        return bool(_PERCENT_VALUE.search(request))
    return any(q.unit.name == unit for q in units.quantities(request))


def asked_output_conflict(request: str, tool_name: str, parameters: list[dict]) -> str | None:
    """Why `tool_name` answers in another unit than the one asked for, or None. A tool's name that names
    units of its result ("days_between_dates", "hours_to_minutes") answers in those: "How many weeks are
    between 2024-01-01 and 2024-03-01?" is not answered in days, nor "How many seconds are in 3 hours?" in
    minutes. Units its parameters name are its inputs, not its result."""
    from . import units
    unit = asked_unit(request)
    asked = units.lookup(unit) if unit and unit != "percent" else None
    if asked is None:
        return None
    inputs = {u for p in parameters for u in units.identifier_units(p["name"])}
    results = [u for u in units.identifier_units(tool_name) if u not in inputs]
    if asked not in results and any(u.kind == asked.kind for u in results):
        shown = ", ".join(u.name for u in results if u.kind == asked.kind)
        return f"the request asks for {asked.name}s; {tool_name} answers in {shown}"
    return None


def asked_input_conflict(request: str, tool_name: str, parameters: list[dict]) -> str | None:
    """Why `tool_name` computes from what the request asks for, or None. "What percentage of 180 is 45?"
    asks for a percentage; `percent_of(percentage, number)` takes one, so it answers the converse question
    ("what is 25% of 180"), and so does `minutes_to_hours(minutes)` for "how many minutes are in 2 hours".
    A request that also gives a value in that unit ("how many minutes are 1 hour and 30 minutes") may well
    pass it in, so it never conflicts."""
    unit = asked_unit(request)
    if unit is None or _given_in(request, unit):
        return None
    for p in parameters:
        if _param_unit(p["name"]) == unit:
            return f"the request asks for a value in {unit}; {tool_name} takes one as its input `{p['name']}`"
    return None
