"""Is this candidate the tool the request asks for? The checks behind `registry.search_tool`.

Retrieval scores are cheap but cannot tell twins apart (celsius->fahrenheit vs fahrenheit->celsius,
encode vs decode): their texts share almost every word. Three checks close that gap:

* argument roles (no model): a value the request labels with a unit must suit the parameter it
  would go to (selfeng/arguments.py, `role_conflict`);
* when to ask the model: the candidate is in the uncertain score band, the request says something
  the tool's text does not cover, or a twin-shaped rival is close;
* the model's reply: besides `fits` it names, in the request's words, the function the request needs.
  Small models say "fits" too readily but name the need well, so a need whose words contradict the
  tool (a word of the request the tool never mentions, or the tool's own words in the other order)
  overrules a "fits".
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .query_text import clean_query, content_terms, name_pair, words
from .retrieval import Candidate

TWIN_MARGIN = 0.1   # a twin-shaped rival this close to the best candidate makes the call uncertain


@dataclass
class Verdict:
    """The decision for one request: a tool name or None, and how it was reached."""
    name: str | None
    reason: str
    model_checked: bool = False
    arguments: dict[str, Any] = field(default_factory=dict)
    needed: str = ""


def name_terms(name: str) -> list[str]:
    return content_terms(name)


def twin_shaped(a: str, b: str) -> bool:
    """Same words in another order (c_to_f / f_to_c), or one word swapped (encode_x / decode_x)."""
    ta, tb = name_terms(a), name_terms(b)
    if not ta or not tb or ta == tb:
        return False
    if sorted(ta) == sorted(tb):
        return True
    sa, sb = set(ta), set(tb)
    return len(sa) == len(sb) and len(sa & sb) == len(sa) - 1 and len(sa) > 1


def _joined_pairs(text: str) -> set[str]:
    """Adjacent words joined ("lower case" -> "lowercase"), so a model's identifier meets the request."""
    ws = words(text)
    return {a + b for a, b in zip(ws, ws[1:])}


def need_contradicts(needed: str, tool_name: str, tool_text: str, request: str) -> str | None:
    """Why the model's named need is this tool's twin rather than this tool, or None.

    A need is a twin when it has the tool's words in another order (fahrenheit_to_celsius for
    celsius_to_fahrenheit), or swaps one of the tool's words for a word the request says and the tool's
    text never mentions (decode_base64 for encode_base64 on "Decode the base64 string ..."). A need in
    other words altogether (sort_largest_to_smallest) is a rephrasing, not a contradiction.
    """
    need, tool = name_terms(needed), name_terms(tool_name)
    if not need or not tool or need == tool:
        return None
    if sorted(need) == sorted(tool):
        # Order is a direction only between a converter's two ends; sum_digits is digit_sum.
        if name_pair(tool_name) or name_pair(needed):
            return f"the request needs {needed}, the other direction of {tool_name}"
        return None
    if not twin_shaped(needed, tool_name):
        return None
    covered = set(content_terms(tool_text)) | set(tool) | _joined_pairs(tool_text)
    said = set(content_terms(request)) | _joined_pairs(request)
    swapped = [t for t in set(need) - set(tool) if t in said and t not in covered]
    if swapped:
        return f"the request needs {needed}: {', '.join(swapped)} is not something {tool_name} does"
    return None


# Python's own names for its builtin types, in English: a tool's name word that only says what type its
# input is ("reverse_string", "sort_numbers_…") is said by the request's literal of that type.
_TYPE_WORDS = {"str": {"string", "text", "str"}, "int": {"integer", "int", "number"},
               "float": {"number", "float", "decimal"}, "list": {"list", "item", "element", "value"},
               "dict": {"dict", "dictionary", "mapping"}, "bool": {"bool", "boolean"}}


def type_words(parameters: list[dict]) -> set[str]:
    """English words for the parameters' declared types (`list[float]` -> list, number, float...)."""
    out: set[str] = set()
    for p in parameters:
        for t in re.findall(r"[a-z]+", str(p.get("type") or "")):
            out |= _TYPE_WORDS.get(t, set())
    return {_stem_word(w) for w in out}


def _stem_word(w: str) -> str:
    terms = content_terms(w)
    return terms[0] if terms else w


def unsaid_name_words(tool_name: str, request: str, parameters: list[dict] | None = None) -> list[str]:
    """Words of the tool's name that the request never says (units spelled out, literals typed).

    A tool's name is its narrowest description: a request that leaves out one of its words ("Round 7.5
    to the nearest integer" for round_up, "strip whitespace at the end" for strip_leading_whitespace)
    may want a sibling the library lacks, however close the scores. The `to` joining a converter's two
    units is structure, not a word of the task ("How many pounds is 70 kg?" says kg_to_pounds).
    """
    said = set(content_terms(request)) | set(content_terms(clean_query(request))) | _joined_pairs(request)
    said |= type_words(parameters or [])
    joiner = {"to"} if name_pair(tool_name) else set()
    return [w for w in dict.fromkeys(words(tool_name))
            if (terms := content_terms(w)) and terms[0] not in said and w not in joiner]


def check_triggers(best: Candidate, rivals: list[Candidate], accept_at: float, min_coverage: float,
                   unsaid: list[str] = ()) -> list[str]:
    """Reasons to confirm `best` with the model; empty when the retrieval evidence is clear. `unsaid`:
    the words of its name the request leaves out (`unsaid_name_words`)."""
    why = []
    if unsaid:
        why.append(f"the request does not say {', '.join(unsaid)}")
    if best.similarity < accept_at:
        why.append(f"score {best.similarity:.2f} is in the uncertain band")
    if best.query_coverage < min_coverage:
        why.append(f"the tool covers {best.query_coverage:.0%} of the request's words")
    if best.direction < 0:
        why.append("the request may convert the other way")
    twins = [c.name for c in rivals if c.name != best.name and twin_shaped(c.name, best.name)
             and c.similarity >= best.similarity - TWIN_MARGIN]
    if twins:
        why.append(f"twin-shaped rival {twins[0]}")
    return why


def signature_without_name(signature: str) -> str:
    """`f(x: int) -> int` -> `(x: int) -> int`: the model judges the function by what it does,
    and cannot simply copy the candidate's name as the request's need."""
    i = signature.find("(")
    return signature[i:] if i >= 0 else signature


def need_names(needed: str, tool_name: str) -> bool:
    """The model's named need is this tool's name, word for word (`word_count` for count_words; the order
    matters only between a converter's two ends)."""
    need, tool = name_terms(needed), name_terms(tool_name)
    if not need or sorted(need) != sorted(tool):
        return False
    return need == tool or not (name_pair(needed) or name_pair(tool_name))


def need_names_tool(needed: str, tool_name: str, unsaid: list[str] = ()) -> bool:
    """The model's named need is this tool (its words are all the tool's, in the tool's order).

    The model's `relation` can misfire on words that sound like a direction ("reverse a string" came back
    as "opposite"), while the need it names is reliable: a need of the tool's own words in order is the tool.
    A need in the other order is the twin, and `need_contradicts` says so. A need that leaves out a word
    of the tool's name the request never said either (`unsaid`: "sort_numbers" for
    sort_numbers_descending on "Sort 3, 1") names a more general task, which a sibling may do.
    """
    need, tool = name_terms(needed), name_terms(tool_name)
    pair, tool_pair = name_pair(needed), name_pair(tool_name)
    if pair and tool_pair and tool_pair[0] <= pair[0] and tool_pair[1] <= pair[1] and not unsaid:
        # A converter's two ends in the tool's order ("convert_kg_to_pounds": kg_to_pounds), both said by
        # the request. Ends the request never says were copied from the docstring: the model named
        # hex_to_decimal for "Convert 255 to hexadecimal" as readily as for "0x1A3 in base 10".
        return True
    if not need or not set(need) <= set(tool) or any(_stem_word(w) not in need for w in unsaid):
        return False
    positions = [tool.index(t) for t in need]
    return positions == sorted(positions)


def _root_and_heads(a: str, b: str) -> tuple[int, str, str]:
    """(length of the shared ending, a's head, b's head) of two stems, a final `e` set aside."""
    a, b = a.removesuffix("e"), b.removesuffix("e")
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n, a[:len(a) - n], b[:len(b) - n]


def prefixed_twins(a: str, b: str) -> bool:
    """One root under two different prefixes: encode/decode, ascending/descending, uppercase/lowercase,
    increase/decrease, import/export. Prefixes are short (at most five letters, SI's milli- included) and
    the shared root is at least as long as either; a one-letter swap on both sides (read/lead) is spelling.
    Both words carry a prefix: a bare root against a prefixed one says nothing of direction (duplicate is
    what deduplicate removes, metre is a unit and kilometre another)."""
    n, head_a, head_b = _root_and_heads(a, b)
    longest = max(len(head_a), len(head_b))
    return head_a != "" and head_b != "" and head_a != head_b and n >= max(3, longest) and 2 <= longest <= 5


def prefixed_opposite(tool_name: str, tool_text: str, request: str, unsaid: list[str]) -> str | None:
    """Why the request asks for the tool's prefixed twin, or None: a word of the tool's name the request
    leaves out, and in its place a request word the tool's text never uses, on the same root under another
    prefix ("decode 'aGVsbG8=' from base64" for encode_base64, "sort 3, 1, 2 in ascending order" for
    sort_descending).
    No word list: the test is the shape of the two words."""
    covered = set(content_terms(tool_text))
    said = [t for t in content_terms(request) if t not in covered]
    for word in unsaid:
        stem = (content_terms(word) or [word])[0]
        other = next((t for t in said if prefixed_twins(stem, t)), None)
        if other is not None:
            return f"the request says {other}, not {word}: {tool_name} does the other one"
    return None
