"""What vouches for an agreement of implementations besides the code itself: an anchor.

Independent drafts of one spec that agree on every input outvote the model's cases only when something
from outside the code backs them: a passed case whose answer says something (`strong_anchor`), the
user's own examples stating two answers, a direct solution plus evidence that a True/False agreement
tells the answers apart, or, for answers keyed by the data, cases that name the same groups. Pure.
"""
from __future__ import annotations

from typing import Any, Sequence

from .observations import Candidate, Case, Observation, observation_key


def strong_anchor(case: Case, obs: Observation) -> bool:
    """A passed case that says something about the code: its answer is not a bool/None (`obs.weak`), and
    `says_something`."""
    return not obs.weak and says_something(case)


def says_something(case: Case) -> bool:
    """The case's expected answer is not empty and not one of its own arguments: `f("") == ""` or
    `sort([1]) == [1]` is passed by many wrong functions too, and so is `percent_of(0, 20) == 0.0`, by
    every function that multiplies its input."""
    if case.expected in ("", [], {}, ()):
        return False
    return not any(echoes(case.expected, v) for v in case.args.values())


def echoes(value: Any, argument: Any) -> bool:
    """`value` is `argument` again: the same JSON, or the same number in another type (0.0 is the 0 passed)."""
    numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (value, argument))
    return value == argument if numbers else observation_key(value) == observation_key(argument)


def stated_anchor(passed: list[Case]) -> bool:
    """For a function that answers True/False (or None), no passed value is ever a strong anchor. The user's
    own examples are the opinion from outside the code instead, when they state at least two different
    answers: no constant, and no code that ignores its input, passes those."""
    return len({observation_key(c.expected) for c in passed if c.trusted}) >= 2


def polar_anchor(passed: list[Case], failing: list[Case], voters: Sequence[Candidate] = (),
                  varied: Sequence[Case] = ()) -> bool:
    """For a True/False answer, the outside opinion may also be a direct solution of the request that returns
    what the agreement returns on the request's own input (a `direct` case), provided the passed cases
    outnumber the cases set aside and the agreement is no constant: the passed cases state both answers,
    or, where they state one only ("Is 91 divisible by 7?", every passed case True), every agreeing
    implementation returns True on some inputs varied from the cases' and False on others, all alike.
    No constant and no code that ignores its input does either. One True/False value alone says little;
    a second prompt's answer plus evidence that the agreement tells the two answers apart does."""
    if not any(c.source == "direct" for c in passed) or len(passed) <= len(failing):
        return False
    return len({observation_key(c.expected) for c in passed}) >= 2 or answers_both_ways(voters, varied)


def answers_both_ways(voters: Sequence[Candidate], varied: Sequence[Case]) -> bool:
    names = [c.name for c in varied]
    if not voters or not names:
        return False
    mine = voters[0].behaviour(names)
    return all(v.behaviour(names) == mine for v in voters) and {"true", "false"} <= set(mine)


def keyed_anchor(failing: list[Case], rep: Candidate) -> bool:
    """For an answer keyed by the data (a total per customer, a count per region), model cases whose sums
    are off can still show that the model reads the request as the code does: at least two of them expect
    exactly the keys the agreement returns (two or more) and the same value under at least one key. Adding
    up a few rows is where a small model errs; which groups there are, and a one-row group's value, it
    gets right, and code that reads the wrong column or groups by the wrong field matches neither."""
    from .sandbox.tool_server import decode

    shared = 0
    for case in failing:
        obs = rep.observations.get(case.name)
        got = decode(obs.value) if obs is not None and obs.value is not None else None
        want = case.expected
        if not (isinstance(got, dict) and isinstance(want, dict) and len(want) >= 2):
            continue
        got = {str(k): v for k, v in got.items()}
        if set(got) == {str(k) for k in want} and any(same_value(got[str(k)], v) for k, v in want.items()):
            shared += 1
    return shared >= 2


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return observation_key(a) == observation_key(b)
