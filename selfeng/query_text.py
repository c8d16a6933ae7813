"""The text side of routing: a request's intent without its arguments, its content words, and the
direction of a conversion it asks for. Pure functions; `retrieval` scores tools with them and `fit_check`
compares the model's named need with a tool through them.

Units come from `selfeng/units.py` (a table from SI/NIST, not from our labelled sets); stop words are
Snowball's English list minus every word of direction or order.
"""
from __future__ import annotations

import re
from typing import Iterable

from . import units

# --- text normalisation ------------------------------------------------------------------------

# The Snowball English stop list (snowballstem.org/algorithms/english/stop.txt), minus every word of
# direction, position or order ("to", "from", "up", "down", "before", "after", "between", "over"...):
# those tell twins apart (round_up vs round_down), so they are never dropped.
_SNOWBALL = set("""
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers
herself it its itself they them their theirs themselves what which who whom this that these those am is
are was were be been being have has had having do does did doing would should could ought a an the and
but if or because as until while of at by for with about against during each few more most other some
such no nor not only own same so than too very all any both here there when where why how whats
""".split())
_DIRECTION = set("to into in from out up down over under between before after above below on off "
                 "through again further then once".split())
# Politeness carries no intent either ("please reverse 'abc'").
_STOP = (_SNOWBALL | {"please", "kindly", "thanks", "thank"}) - _DIRECTION
_MARKERS_TARGET = {"to", "into", "in", "as"}
_MARKER_SOURCE = "from"

_BASE = {"2": " binary ", "8": " octal ", "10": " decimal ", "16": " hexadecimal "}
_BASE_N = re.compile(r"\bbase[- ]?(2|8|10|16)\b", re.I)

_QUOTED = re.compile(r"""(?<![\w])(['"“”‘`])(?:(?!\1).){0,500}?\1(?![\w])|“[^”]{0,500}”|‘[^’]{0,500}’""")
_LIST = re.compile(r"\[[^\]]{0,2000}\]|\{[^}]{0,2000}\}")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\b")
_PATH = re.compile(r"(?:[\w./-]*/)?[\w-]+\.(csv|json|txt|tsv|xlsx?)\b", re.I)
_URL = re.compile(r"\bhttps?://\S+", re.I)
_BINLIT = re.compile(r"\b0b[01]+\b", re.I)
_HEXLIT = re.compile(r"\b0x[0-9a-f]+\b", re.I)
_PERCENT = re.compile(r"(\d)\s*%|%")
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?(?![\w])")
_WORD = re.compile(r"[a-z][a-z0-9]*")
_FREE_UNIT = re.compile(r"\b(to|in|into|from)\s+(°?[A-Za-z]{1,3})\b|(?<![\w°])(°?[A-Za-z]{1,3})\s+(to|in|into)\b")


def _spell_quantities(text: str) -> str:
    """'212°F' -> ' degree fahrenheit ', '10 lbs' -> ' pound ' (units from selfeng/units.py)."""
    out, last = [], 0
    for q in units.quantities(text):
        out.append(text[last:q.start])
        out.append(f" {q.unit.name} ")
        last = q.end
    return "".join(out) + text[last:]


def _symbol_unit(tok: str) -> str:
    # A lone lower-case letter ("to a whole number") is a word; SI letter symbols here are capitals.
    bare = tok.lstrip("°")
    unit = units.lookup(tok, after_number=True) if (len(bare) > 1 or bare.isupper()) else None
    return unit.name if unit else tok


def _spell_free_unit(m: re.Match) -> str:
    if m.group(1):
        return f"{m.group(1)} {_symbol_unit(m.group(2))}"
    return f"{_symbol_unit(m.group(3))} {m.group(4)}"


def clean_query(text: str) -> str:
    """The request's intent without its arguments: literals removed or replaced by their type."""
    t = _URL.sub(" url ", text)
    t = _EMAIL.sub(" email address ", t)
    t = _PATH.sub(lambda m: f" {m.group(1).lower()} file ", t)
    t = _DATE.sub(" date ", t)
    t = _BINLIT.sub(" binary ", t)
    t = _HEXLIT.sub(" hexadecimal ", t)
    t = _QUOTED.sub(" ", t)
    t = _LIST.sub(" ", t)
    t = _BASE_N.sub(lambda m: _BASE[m.group(1)], t)
    t = _PERCENT.sub(r"\1 percent ", t)
    t = _spell_quantities(t)
    t = _NUMBER.sub(" ", t)
    # "F to C", "km in miles": a short token on either side of to/in/into may be a unit symbol.
    t = _FREE_UNIT.sub(_spell_free_unit, t)
    t = re.sub(r"\bdegrees?\s+([CFK])\b", lambda m: _symbol_unit(m.group(1)), t)
    t = t.replace("°", " degrees ")
    return re.sub(r"\s+", " ", t).strip(" ,.;:?!") or text.strip()


def _stem(w: str) -> str:
    # Deliberately small: plural and common verb endings, enough to match "words"/"word", "sorted"/"sort".
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed") and not w.endswith("eed"):
        return w[:-2]
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-case word tokens with identifiers split (snake_case and camelCase)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text).replace("_", " ").lower()
    return _WORD.findall(text)


def expand_units(tokens: Iterable[str]) -> list[str]:
    """Unit words and symbols spelled as their canonical name ("km", "kilometers" -> kilometre)."""
    out: list[str] = []
    for w in tokens:
        name = units.canonical_word(w)
        out.append(name.removeprefix("degree ").replace(" ", "") if name else w)
    return out


def content_terms(text: str) -> list[str]:
    """Stemmed content words, in order, without stopwords."""
    return [_stem(w) for w in expand_units(words(text)) if w not in _STOP and len(w) > 1]


def _direction_roles(text: str) -> tuple[set[str], set[str]]:
    """(sources, targets) of a conversion request: "X to Y", "Y from X", "X in Y", "how many Y ... X"."""
    toks = [_stem(w) for w in expand_units(words(text))]
    sources: set[str] = set()
    targets: set[str] = set()

    def content_words(seq, n: int = 2) -> list[str]:
        """The first run of up to `n` content words in `seq` (stop words before it are skipped)."""
        got = []
        for w in seq:
            if w in _STOP or w in _DIRECTION:
                if got:
                    break
                continue
            got.append(w)
            if len(got) == n:
                break
        return got

    def content_after(i: int, n: int = 2) -> list[str]:
        return content_words(toks[i + 1:], n)

    def content_before(i: int, n: int = 2) -> list[str]:
        return content_words(reversed(toks[:i]), n)

    asked = -1  # position of "how many/much": "how many km in 5 miles" asks for km *from* miles
    for i, w in enumerate(toks):
        if w in ("many", "much") and i > 0 and toks[i - 1] == "how":
            asked = i
        if asked >= 0 and w in ("in", "of") and i > asked:
            sources.update(content_after(i))
        elif w in _MARKERS_TARGET:
            targets.update(content_after(i))
            sources.update(content_before(i))
        elif w == _MARKER_SOURCE:
            sources.update(content_after(i))
        elif w in ("many", "much") and i > 0 and toks[i - 1] == "how":
            targets.update(content_after(i, 1))
    return sources - targets, targets - sources


def name_pair(name: str) -> tuple[set[str], set[str]] | None:
    """`a_to_b` -> ({a terms}, {b terms}); None for names that are not conversions."""
    parts = name.split("_to_")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    a = set(content_terms(parts[0]))
    b = set(content_terms(parts[1])) - a   # seconds_to_hms: "hms" spells out to hours minutes seconds
    return (a, b) if a and b else None


def direction_score(query: str, pair: tuple[set[str], set[str]] | None) -> int:
    """-1 if the request converts opposite to the tool's a_to_b direction, else 0.

    Only a penalty: agreeing on one end ("celsius to ...") says nothing about the other end
    ("... kelvin"), so a bonus would push near-misses over the threshold.
    """
    if pair is None:
        return 0
    a, b = pair
    sources, targets = _direction_roles(query)
    return -1 if (a & targets) or (b & sources) else 0
