"""Rule-based reading of multi-step requests: cheap, deterministic, and tried before any model call.

"Calculate 20% of 100 and also find the square root of 64" splits at "and also"; "…, then calculate
25% of that result" splits at "then". A later step depends on the one before it when it refers back
("that result", "it", "its", "them") or has no input of its own ("…, then double the number"); a step
with its own literal ("then check whether the number 17 is prime") does not. Quoted text is masked
first with the same contraction-safe pattern as argument reading, so "'salt and pepper'" never splits
and "what's 5 factorial, then …" still does.
"""
from __future__ import annotations

import re

from .answer_kind import WH_QUESTION
from .arguments import mask_quoted, unmask_quoted
from .units import quantities
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
# A pronoun standing for an earlier result, or a demonstrative/definite phrase naming one. Which verb
# comes before it does not matter ("double it", "take its square root", "is that prime").
_REFERS_BACK = re.compile(
    r"\b(?:it|its|itself|them|they|those)\b"
    r"|\b(?:that|this)\b(?!\s+(?:\x00|[-\d]))"
    r"|\b(?:the|previous|last|above)\s+(?:previous\s+|last\s+|above\s+)?(?:result|answer|output|outcome)s?\b",
    re.I)
SEQUENCE_CUES = re.compile(rf"(?:{_STRONG}\s)|\band\s+{_VERB}", re.I)
_LITERAL = re.compile(r"\x00\d+\x00|(?<![\w.])-?\d+(?:\.\d+)?%?")
# An input written into a step: a number, a quoted text, a list, a date, a file, or a list of names.
_OWN_INPUT = re.compile(r"\x00\d+\x00|\d|\[|\b[\w.-]+\.(?:csv|json|txt|tsv)\b|\b[A-Z][a-z]+,\s*[A-Z][a-z]+")
# "both X and", "between X and": the first half of a correlative pair, its "and" still to come.
_CORRELATIVE = re.compile(rf"\b(?:both|between)\s+(?:{_LITERAL.pattern})\s*$", re.I)
_STRONG_WORD = re.compile(r";|\b(?:then|after|afterwards|also|well|finally|next)\b", re.I)


def _mask(text: str) -> tuple[str, list[str]]:
    return mask_quoted(text)


def _unmask(text: str, saved: list[str]) -> str:
    return unmask_quoted(text, saved)


def has_own_input(task: str) -> bool:
    masked, _ = _mask(task)
    return bool(_OWN_INPUT.search(masked))


def has_sequence_cue(prompt: str) -> bool:
    masked, _ = _mask(prompt)
    return bool(SEQUENCE_CUES.search(masked))


def has_weak_cue(prompt: str) -> bool:
    """An "and" with literals on both sides ("20% of 100 and the square root of 64"): maybe two steps,
    maybe one call with two arguments ("the gcd of 48 and 18"). Worth a look, not a split. An "and" inside
    one compound quantity ("2 hours and 30 minutes", "5 feet and 3 inches") is neither, and nor is the
    "and" of a correlative pair ("both 8 and 12", "between 3 and 9"): English marks two values of one
    predicate that way."""
    masked, _ = _mask(prompt)
    for m in re.finditer(r"\band\b", masked, re.I):
        if _inside_compound_quantity(masked, m.start(), m.end()) or _CORRELATIVE.search(masked[:m.start()]):
            continue
        before, after = masked[:m.start()], masked[m.end():]
        if _LITERAL.search(before) and _LITERAL.search(after) and re.search(r"[a-z]{3,}", after, re.I):
            words_after = re.findall(r"[a-z]{3,}", after, re.I)
            if len(words_after) >= 1:
                return True
    return False


def _inside_compound_quantity(text: str, start: int, end: int) -> bool:
    """`start:end` is the "and" of one measurement written in two units of one kind, larger first as
    people write them: "2 hours and 30 minutes", "1 pound and 4 ounces". Two amounts of the same unit
    ("5 km and 10 km") are two values, not one."""
    found = quantities(text)
    left = next((q for q in found if q.end <= start and not text[q.end:start].strip(" ,")), None)
    right = next((q for q in found if q.start >= end and not text[end:q.start].strip()), None)
    return left is not None and right is not None and left.unit.kind == right.unit.kind \
        and left.unit.name != right.unit.name


def refers_back(task: str) -> bool:
    masked, _ = _mask(task)
    return bool(_REFERS_BACK.search(masked))


def depends_on_previous(task: str, index: int) -> bool:
    """A later step uses the previous result when it refers back or brings no input of its own."""
    if index == 0:
        return False
    masked, _ = _mask(task)
    return bool(_REFERS_BACK.search(masked)) or not _OWN_INPUT.search(masked)


def split_steps(prompt: str) -> list[dict]:
    """[{task, depends_on}] for a request with explicit step connectors; one item when there are none."""
    return split_steps_checked(prompt)[0]


def split_steps_checked(prompt: str) -> tuple[list[dict], bool]:
    """(steps, sure): `sure` is False when some boundary is only a bare "and" or a comma before a
    verb, which may as well join two arguments of one call; the planner then asks the model."""
    masked, saved = _mask(prompt.strip())
    segments = _word_problems(_segments(masked), masked)
    parts = _without_handovers([_text(masked, seg) for seg in segments])
    steps = []
    for i, part in enumerate(parts):
        task = _unmask(part, saved)
        steps.append({"task": task[:1].upper() + task[1:], "depends_on": [i - 1] if depends_on_previous(part, i) else []})
    sure = all(_STRONG_WORD.search(seg[0]) for seg in segments[1:])
    return steps, sure


def _raw_parts(masked: str) -> list[str]:
    return [_text(masked, seg) for seg in _segments(masked)]


# A clause that opens with a subject (an article, a possessive determiner or a personal pronoun: closed
# classes of English) states something; steps are asked for with an imperative or a question.
_SUBJECT = re.compile(r"^(?:a|an|the|my|our|your|his|her|their|i|we|you|he|she|they)\b", re.I)
_ACTION = re.compile(rf"^{_VERB}", re.I)


def _states(clause: str) -> bool:
    """A clause that states something: it opens with a subject (`_SUBJECT`), or with a word that is no
    action verb and no question word: a bare plural or a name ("Prices rose 3% this year", "Tickets cost
    12 each"). An unlisted imperative read so ("Include a 10% service charge on 85; what is the total?")
    joins the question after it, whose one tool answers it too."""
    return bool(_SUBJECT.match(clause)) or (bool(re.match(r"[a-z]", clause, re.I)) and not _ACTION.match(clause)
                                            and not WH_QUESTION.match(clause))


def _segments(masked: str) -> list[tuple[str, int, int]]:
    """The rules' parts as (the boundary before it, start, end) in `masked`; empty parts are skipped."""
    out, sep, last = [], "", 0
    for m in list(_SPLIT.finditer(masked)) + [None]:
        end = m.start() if m else len(masked)
        if masked[last:end].strip(" ,.;?!"):
            out.append((sep, last, end))
            sep = ""
        sep += m.group(0) if m else ""
        last = m.end() if m else last
    return out


def _text(masked: str, segment: tuple[str, int, int]) -> str:
    return masked[segment[1]:segment[2]].strip(" ,.;?!")


def _asks(masked: str, segment: tuple[str, int, int]) -> bool:
    return _is_question(masked[segment[1]:segment[2]])


def _is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or bool(WH_QUESTION.match(text.strip(" ,.;?!")))


def _word_problems(segments: list[tuple[str, int, int]], masked: str) -> list[tuple[str, int, int]]:
    """"A shirt costs 60 and is 25% off; what is the sale price?": a statement (`_states`), with any
    predicates and statements joined to it, followed by a question about it is one question whose data
    the statement gives, not two steps. A strong boundary to an imperative ("...; then double it") ends
    the statement's reach, so later steps stay steps."""
    out, i = [], 0
    while i < len(segments):
        j = i
        if _states(_text(masked, segments[i])) and not _asks(masked, segments[i]):
            j = i + 1
            while j < len(segments) and not _asks(masked, segments[j]) and (
                    not _STRONG_WORD.search(segments[j][0]) or _states(_text(masked, segments[j]))):
                j += 1
            j = j if j < len(segments) and _asks(masked, segments[j]) else i
        out.append((segments[i][0], segments[i][1], segments[j][2]))
        i = j + 1
    return out


def asks_about_a_statement(prompt: str) -> bool:
    """The rules read the whole request as one word problem (`_word_problems`): where they see parts, the
    parts join into one; where they see none, its sentences are statements followed by one question
    ("A phone costs 480 and the shop takes 25% off. What is the price now?"), which no model need split."""
    masked, _ = _mask(prompt.strip())
    segments = _segments(masked)
    if len(segments) > 1:
        return len(_word_problems(segments, masked)) == 1
    sentences = [t for t in (x.strip() for x in _SENTENCE_END.split(masked)) if t.strip(" .;:!?")]
    *stated, asked = sentences or [""]
    return bool(stated) and all(_states(t) and not t.endswith("?") for t in stated) and _is_question(asked)


_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+")


def _without_handovers(parts: list[str]) -> list[str]:
    return parts[:1] + [p for prev, p in zip(parts, parts[1:]) if not _presents_previous(p, prev)]


def only_hands_over(prompt: str) -> bool:
    """The rules see steps, but every later one only hands over the first one's answer: one step, sure."""
    masked, _ = _mask(prompt.strip())
    parts = _raw_parts(masked)
    return len(parts) > 1 and len(_without_handovers(parts)) == 1


# Verbs that hand over an answer rather than compute one (English verbs of communication) and the words
# that may stand around the thing handed over.
_PRESENT_VERBS = frozenset("give tell show return print display report state output present".split())
_FILLER = frozenset("me us the a an its their resulting new final back out as that this".split())
_RESULT_NOUNS = frozenset("result results answer answers output value".split())
# The kind of a literal in the step before, named as people name it: "give the date" after a date.
_LITERAL_KINDS = ((re.compile(r"\b\d{4}-\d{2}-\d{2}\b"), {"date", "day"}),
                  (re.compile(r"\x00\d+\x00"), {"text", "string", "word", "words"}),
                  (re.compile(r"\["), {"list"}),
                  (re.compile(r"(?<![\w.-])-?\d+(?:\.\d+)?(?![\d-])"), {"number"}))


def _presents_previous(part: str, previous: str) -> bool:
    """ "... and give the date", "..., then show the result": a step that only hands over what the step
    before computes (no input of its own, a verb of communication, and a noun naming that answer, or the
    kind of that step's own input: a date after a date). "and give the count" asks for a computation, so
    it stays a step."""
    words = re.findall(r"[a-z]+", part.lower())
    if not words or words[0] not in _PRESENT_VERBS or _OWN_INPUT.search(part):
        return False
    nouns = [w for w in words[1:] if w not in _FILLER]
    if len(nouns) != 1:
        return False
    kinds = set(_RESULT_NOUNS)
    for pattern, names in _LITERAL_KINDS:
        if pattern.search(previous):
            kinds |= names
    return nouns[0] in kinds


REFERENCE_PHRASE = re.compile(
    r"\b(?:that|the|this|previous|last|above)\s+(?:result|answer|value|number|output|outcome|sum|total)\b"
    r"|\b(?<=\s)(?:it|that|this)\b(?=\s*(?:[.,?!]|$|\s+(?:and|then|by|to|with|plus|minus|times)\b))", re.I)


def substitute_reference(task: str, replacement: str) -> tuple[str, bool]:
    """Replace the first back-reference ("that result", "it") in `task` with `replacement`."""
    masked, saved = _mask(task)
    new, n = REFERENCE_PHRASE.subn(replacement.replace("\\", "\\\\"), masked, count=1)
    return _unmask(new, saved), bool(n)


_REPEAT = re.compile(r"\b(?:the\s+same|same\s+(?:thing|again|for|with|on)|again|repeat|once\s+more)\b", re.I)
_ONLY_NEW_INPUT = re.compile(
    r"^\s*(?:(?:and|now|then|ok(?:ay)?|so)\s+)?(?:(?:what|how)\s+about|for|with)?\s*"
    r"(?:\x00\d+\x00|-?\d+(?:\.\d+)?%?)(?:\s*(?:,|and)\s*(?:\x00\d+\x00|-?\d+(?:\.\d+)?%?))*\s*[?.!]?\s*$", re.I)


def is_explicit_repeat(prompt: str) -> bool:
    """"The same for 400", "again with 'abc'", "what about 12?": a request to rerun the last tool
    on new input. Anything that names an action of its own is a new request."""
    masked, _ = _mask(prompt)
    return bool(_REPEAT.search(masked) or _ONLY_NEW_INPUT.match(masked))
