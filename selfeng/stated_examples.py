"""Examples the user stated, read from the request or the spec's docstring: `>>> f(1, 2)` doctests,
`f(3) == 9` written inline, "Input: ... Output: ..." blocks and "for n = 5 the result is 120" prose.

Each reader binds what it finds to the function's parameters and returns Cases of the highest trust
(`cases.py` says how they are weighed). Anything that does not parse, or binds only part of the signature,
is skipped: a half-read example would be a guess presented as the user's word.
"""
from __future__ import annotations

import ast
import re
from typing import Any

from .arbitration import Case
from . import pyparse

DOCTEST = re.compile(r"^\s*>>>\s?(.*)$")


def doctest_examples(text: str, function_name: str, param_names: list[str], source: str) -> list[Case]:
    """`>>> f(1, 2)` followed by its output line(s), bound to the signature; anything unparsable is skipped."""
    lines = text.splitlines()
    out: list[Case] = []
    i = 0
    while i < len(lines):
        m = DOCTEST.match(lines[i])
        i += 1
        if not m:
            continue
        expr, want = m.group(1).strip(), []
        while i < len(lines) and lines[i].strip() and not DOCTEST.match(lines[i]) \
                and not lines[i].strip().startswith(('"""', "'''")):  # a raw stub's docstring ends there
            want.append(lines[i].strip())
            i += 1
        args = _bind_call(expr, function_name, param_names)
        if args is None and not want:  # `>>> f(x) == y`, a doctest that states its answer on the same line
            found = _written_example(expr, function_name, param_names)
            if found:
                out.append(Case(f"test_{function_name}_{source}_{len(out) + 1}", *found[:2], source))
            continue
        if args is None or not want:
            continue
        try:
            expected = pyparse.literal_eval(" ".join(want))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        out.append(Case(f"test_{function_name}_{source}_{len(out) + 1}", args, expected, source))
    return out


# How people write "this call gives that" in prose and docstrings: `f(2) == 4`, `f(2) -> 4`, `f(2) => 4`,
# `f(2) ==> 4`, `f(2) ➞ 4`, `f(2) → 4`, `f(2) = 4`, `f(2) returns 4`, `f(2) should return 4`, `f(2) is 4`,
# also as a comment after the call (`f(2)  # returns 4`, `f(2) # => 4`).
# The notations, not any particular task's words: each one only counts between a call of the function and a
# literal.
_RELATION = re.compile(r"\s*(?:#\s*)?(?:==>|==|=>|->|=|➞|→|⇒|(?:should\s+)?(?:returns?|give|gives|be|is|equals?)\b)\s*",
                       re.IGNORECASE)
# After the literal: the end, a comment, a sentence's punctuation, or prose. An operator means the literal
# was only the first term of a worked expression (`-> 19 - 5 - 6 = 8`), which proves nothing.
# Prose must be a separate word: `""aaaaaaa"` (a typo in HumanEval/158) is not the empty string.
_AFTER_LITERAL = re.compile(r"^(?:\s*(?:$|[#.,;:)(])|\s+[^\W\d_])")
_EXAMPLE_CHARS = 1000  # an example is read from at most this much of its line
_NOTHING = object()    # "no literal here" (None is a literal)


def written_examples(text: str, function_name: str, param_names: list[str], source: str) -> list[Case]:
    """Examples written as prose, one call and its value per occurrence (`f(1, 2) == 3`, `f('a') returns
    'b'`); anything unparsable is skipped, as in `doctest_examples`."""
    found = [hit for line in text.splitlines()
             for m in re.finditer(rf"(?<![\w.]){re.escape(function_name)}\s*\(", line)
             if (hit := _written_example(line[m.start():], function_name, param_names))]
    # `f(x) ==> ("Venus")` among `f(y) ==> ("Venus", "Earth")`: a person's one-element tuple, which Python
    # would read as a bare string. Only when the function's other examples are tuples.
    tuples = any(isinstance(value, tuple) for _, value, _ in found)
    return [Case(f"test_{function_name}_{source}_{i + 1}", args, (value,) if tuples and paren else value, source)
            for i, (args, value, paren) in enumerate(found)]


# LeetCode-style examples: an `Input:` line (a value, or `name = value` / `name : value` pairs, possibly on
# the lines below it) and then an `Output:` line with the answer.
_INPUT = re.compile(r"^\s*(?:example\s*\d*\s*:\s*)?input\s*:\s*(.*)$", re.IGNORECASE)
_OUTPUT = re.compile(r"^\s*output\s*:\s*(.*)$", re.IGNORECASE)
_NAMED = re.compile(r"(^|,\s*)([A-Za-z_]\w*)\s*:(?!=)\s*")  # `grid : [...]`, written as `grid=[...]`
_IO_LINES = 12  # an example's input spans at most this many lines


def io_examples(text: str, function_name: str, param_names: list[str], source: str) -> list[Case]:
    """`Input: ...` / `Output: ...` examples bound to the signature; anything unparsable is skipped."""
    lines = text.splitlines()
    out: list[Case] = []
    for i, line in enumerate(lines):
        m = _INPUT.match(line)
        if not m:
            continue
        parts, j = [m.group(1)], i + 1
        while j < len(lines) and j - i <= _IO_LINES and not _OUTPUT.match(lines[j]) \
                and not _INPUT.match(lines[j]):
            parts.append(lines[j])
            j += 1
        shown = _OUTPUT.match(lines[j]) if j < len(lines) else None
        if not shown:
            continue
        answer = shown.group(1) or next((x for x in lines[j + 1:j + 2] if x.strip()), "")
        value = _leading_literal(answer)
        given = _NAMED.sub(r"\1\2=", ", ".join(x.strip().rstrip(",") for x in parts if x.strip()))
        args = _bind_call(f"{function_name}({given})", function_name, param_names)
        if args is not None and value is not _NOTHING:
            out.append(Case(f"test_{function_name}_{source}_{len(out) + 1}", args, value, source))
    return out


# "For s = "abcde", c = "ae", the result should be ('bcd', False)": the parameters named and set, then the
# answer. Only the notation counts (`for`, assignments of literals to the function's own parameters, "the
# output/result ... be/is"), so no task's vocabulary is involved.
_FOR = re.compile(r"\bfor\s+(?=[A-Za-z_]\w*\s*=(?!=))", re.IGNORECASE)
_ASSIGN = re.compile(r"([A-Za-z_]\w*)\s*=(?!=)\s*")
_BETWEEN = re.compile(r"\s*(?:,|\band\b)?\s*")
_ANSWER = re.compile(r",?\s*(?:then\s+)?the\s+(?:output|result|answer|return(?:ed)?\s+value)\s+"
                     r"(?:should\s+be|will\s+be|must\s+be|is|=|:)\s*", re.IGNORECASE)


def assignment_examples(text: str, function_name: str, param_names: list[str], source: str) -> list[Case]:
    """Examples that set every parameter by name and then state the answer (`For n = 5 the output should be
    120`); anything unparsable, or naming something that is not a parameter, is skipped."""
    out: list[Case] = []
    for line in text.splitlines():
        for m in _FOR.finditer(line):
            found = _assignment_example(line[m.end():m.end() + _EXAMPLE_CHARS], param_names)
            if found:
                out.append(Case(f"test_{function_name}_{source}_{len(out) + 1}", found[0], found[1], source))
    return out


def _assignment_example(text: str, param_names: list[str]) -> tuple[dict, Any] | None:
    args: dict = {}
    pos = 0
    while (m := _ASSIGN.match(text, pos)) and m.group(1) in param_names and m.group(1) not in args:
        end = m.end() + _literal_span(text[m.end():])
        try:
            args[m.group(1)] = pyparse.literal_eval(text[m.end():end])
        except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
            return None
        pos = _BETWEEN.match(text, end).end()
    answer = _ANSWER.match(text, pos) if args else None
    if not answer or set(args) != set(param_names):
        return None
    value = _leading_literal(text[answer.end():])
    return None if value is _NOTHING else (args, value)


def _written_example(text: str, function_name: str, param_names: list[str]) -> tuple[dict, Any, bool] | None:
    """`text` starts with a call of the function; the call's arguments, the literal stated as its value, and
    whether that literal is a single value written in parentheses."""
    text = text[:_EXAMPLE_CHARS]
    opening = text.index("(")
    close = opening + _literal_span(text[opening:])  # the call's own closing parenthesis
    args = _bind_call(text[:close], function_name, param_names)
    rel = _RELATION.match(text, close) if args is not None else None
    if not rel:
        return None
    value = _leading_literal(text[rel.end():])
    paren = text[rel.end():].lstrip().startswith("(") and not isinstance(value, tuple)
    return None if value is _NOTHING else (args, value, paren)


def _leading_literal(text: str) -> Any:
    """The literal at the start of `text` (one bracketed, quoted or bare token), when an end, a comment,
    punctuation or prose follows it."""
    text = text.strip()
    end = _literal_span(text)
    head, rest = text[:end], text[end:]
    if head.endswith((".", ":")) and (not rest or rest[0].isspace()):
        head = head[:-1]  # the sentence's full stop: "should return 16." means 16
    try:
        value = _JSON_WORDS[head] if head in _JSON_WORDS else pyparse.literal_eval(head)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return _NOTHING
    if not _AFTER_LITERAL.match(rest) or (rest.startswith(".") and rest[1:2].isdigit()):
        return _NOTHING
    return value


# People who write JSON or JavaScript write Python's constants in lower case (`f(8, 2) => true`).
_JSON_WORDS = {"true": True, "false": False, "null": None}


def _literal_span(text: str) -> int:
    """Where the first token of `text` ends: its closing bracket or quote, or the next space, comma,
    semicolon or comment. One pass, so a long line costs a scan, not a parse per prefix."""
    if not text or text[0] not in "([{'\"":
        m = re.match(r"[^\s,;#]+", text)
        return m.end() if m else 0
    depth, quote, i = 0, "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
                if depth == 0:
                    return i + 1
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth <= 0:
                return i + 1
        i += 1
    return len(text)


def _bind_call(expr: str, function_name: str, param_names: list[str]) -> dict | None:
    try:
        node = pyparse.parse(expr, mode="eval").body
    except SyntaxError:
        return None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function_name):
        return None
    try:
        positional = [pyparse.literal_eval(a) for a in node.args]
        named = {k.arg: pyparse.literal_eval(k.value) for k in node.keywords if k.arg}
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if len(positional) > len(param_names) or len(node.keywords) != len(named):
        return None
    args = dict(zip(param_names, positional))
    if set(args) & set(named):
        return None
    args.update(named)
    if set(args) != set(param_names):
        return None  # defaults are not known here; a partial call proves less than it seems
    return args  # Python values as written: tuples stay tuples (the verifier's proxies carry them)
