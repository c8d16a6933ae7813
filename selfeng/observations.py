"""What arbitration weighs: cases, what one implementation did on each (observations), candidates, and
the canonical text values are compared by. Data only: no model, no sandbox.
"""
from __future__ import annotations

import builtins
import json
from dataclasses import dataclass, field
from typing import Any

# The user's word, and for a unit converter the units' definitions (`unit_definitions`): never outvoted.
TRUSTED_SOURCES = ("request", "docstring", "definition")


@dataclass(frozen=True)
class Case:
    """One test case. `expected` is None for a probe (an input with no known answer, e.g. the request's own)."""

    name: str
    args: dict
    expected: Any = None
    source: str = "model"     # request | docstring | definition | model | probe | consensus | agreed | direct | code
    code: str = ""            # source == "code": the test function as a model wrote it (raw pytest)
    prelude: str = ""         # ... and the imports/helpers it needs
    compute: str = ""         # source == "model": the expression it gave for `expected` (computed_cases)
    tolerance: float = 0.0    # a float `expected` holds within this much (0: pytest.approx's own)

    @property
    def trusted(self) -> bool:
        return self.source in TRUSTED_SOURCES

    @property
    def probe(self) -> bool:
        return self.source == "probe"


@dataclass(frozen=True)
class Observation:
    """What one implementation did on one case's input."""

    key: str                  # canonical form for comparing behaviour: a value's JSON, or "raises <Type>"
    passed: bool              # the case's assertion held (from pytest's verdict, not from comparing here)
    value: Any = None         # the returned value as tagged JSON (None for an exception or a digest)
    error: str | None = None  # exception type name
    message: str = ""         # exception message or traceback tail, for repairs
    family: str | None = None  # the exception's nearest built-in class (StatisticsError -> ValueError)

    @property
    def weak(self) -> bool:
        """bool/None results agree by chance too often to outvote a case. The same built-in "bad input"
        exception (ValueError, ArithmeticError, LookupError families, as Python documents them; a library's
        own subclass such as statistics.StatisticsError too, by its `family`) from independent
        implementations is real agreement: the case asks for an answer the spec does not give.
        Any other exception (NameError, TypeError, ...) is a bug the implementations share, not evidence."""
        if self.error is not None:
            return not bad_input(self.family or self.error)
        if self.key.startswith("digest "):
            return False
        return self.value is None or isinstance(self.value, bool)

    def as_verb(self) -> str:
        """'return 11' or 'raise ValueError', for sentences about several implementations (an error by the
        name they share: a StatisticsError is a ValueError, see `error_key`)."""
        if not self.error:
            return f"return {self.shown()}"
        one_call = self.key.startswith("raises ") and " | " not in self.key
        return f"raise {self.key.removeprefix('raises ') if one_call else self.error}"

    def shown(self) -> str:
        if self.error:
            return f"raises {self.error}"
        text = plain_text(self.value) if '"$"' in self.key else self.key
        return text if len(text) <= 80 else text[:77] + "..."


@dataclass
class Candidate:
    label: str                # "greedy", "sample 2", "repair 3", ...
    code: str
    independent: bool         # written from the spec alone (no test case and no failure shown to it)
    observations: dict[str, Observation] = field(default_factory=dict)

    def behaviour(self, names: list[str]) -> tuple[str, ...]:
        return tuple(self.observations[n].key if n in self.observations else "missing" for n in names)

    def fails(self, cases: list[Case]) -> list[Case]:
        return [c for c in cases if not c.probe and not (c.name in self.observations
                                                         and self.observations[c.name].passed)]


@dataclass(frozen=True)
class Drop:
    case: Case
    observed: Observation
    by: tuple[str, ...]       # labels of the agreeing independent implementations

    def reason(self) -> str:
        return f"{self.case.name} dropped: {self.evidence()}"

    def evidence(self) -> str:
        who = " and ".join(self.by) if len(self.by) <= 2 else f"{len(self.by)} implementations"
        return (f"{len(self.by)} independent implementations ({who}) {self.observed.as_verb()}, the case "
                f"expected {show(self.case.expected)}")


def bad_input(error: str) -> bool:
    """A built-in exception class of the ValueError, ArithmeticError or LookupError family: how Python's own
    functions say "no answer for this input"."""
    cls = getattr(builtins, error, None)
    return isinstance(cls, type) and issubclass(cls, (ValueError, ArithmeticError, LookupError))


# What any "bad input" exception is compared as on an input where every argument is empty (`error_key`).
EMPTY_REFUSAL = "an error on empty input"


def error_key(error: str, family: str | None, empty_input: bool = False) -> str:
    """The text an exception is compared by. A library's own "bad input" class is its built-in family:
    `statistics.median([])` raises StatisticsError where a hand-written median raises ValueError, and
    both say the same thing about the input, so two drafts that differ only there behave alike (recorded:
    a median failed with three drafts split 2:1 between the two). Any other exception keeps its own name:
    a shared bug is not a shared behaviour to vote with.

    On an input where every argument is empty there is nothing to compute with, and which bad-input class
    comes out is whatever the code's first step raises: `max([])` a ValueError, `xs[0]` an IndexError,
    `sum(xs) / len(xs)` a ZeroDivisionError. All of them refuse the input, so they are one behaviour there
    (recorded: a median's drafts agreed on 80 for the request and split between IndexError and
    ValueError on `[]`, and no agreement formed)."""
    named = family if family and bad_input(family) else error
    return EMPTY_REFUSAL if empty_input and bad_input(named) else named


def empty_arguments(values: list) -> bool:
    """Every argument is an empty text or collection (and there is at least one)."""
    return bool(values) and all(isinstance(v, (str, list, tuple, dict, set, frozenset)) and len(v) == 0
                                for v in values)


def observation_key(value: Any) -> str:
    """A canonical text for comparing values. A dict literal with keys of mixed types (`{1: 'a', 'b': 2}`,
    as HumanEval/95 passes) cannot be key-sorted, and a set is not JSON: those keep their written order."""
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    except TypeError:
        return json.dumps(value, ensure_ascii=False, default=repr)


def plain_text(value: Any) -> str:
    """A tagged value (`{"$": "dict", "v": [...]}`) as people write it: `{"acme": 401.0}`, a tuple as a list."""
    from .sandbox.tool_server import decode

    try:
        plain = decode(value)
        if isinstance(plain, dict):
            plain = {k if isinstance(k, (str, int, float, bool)) or k is None else repr(k): v for k, v in plain.items()}
        return json.dumps(plain, ensure_ascii=False, default=repr)
    except (TypeError, ValueError):
        return observation_key(value)


def show(value: Any) -> str:
    text = observation_key(value)
    return text if len(text) <= 80 else text[:77] + "..."
