"""The answer-matching rule of `selfeng eval requests` (documented in evaluation.matches)."""
from __future__ import annotations

import pytest

from selfeng.evaluation import matches


@pytest.mark.parametrize("got, expect", [
    (8.04672, 8.05),            # expect given rounded to 2 decimals: compare rounded
    (36.99999999, 37.0),
    (77, 77.0), (18.0, 18),
    (42.1648128, 42.1648128),   # more decimals: relative 1e-6
    ("8.05", 8.05),             # a string that is exactly a number
    ({"total": 1096.99}, 1096.99),  # a single-value dict around the answer
    ((1, 2, 3), [1, 2, 3]),
    ({"North": 430.49, "South": 297.4}, {"South": 297.4, "North": 430.49}),
    (" Saturday ", "Saturday"),
    ("FF", {"any_of": ["ff", "FF"]}),
    (False, False), (None, None),
])
def test_matches(got, expect):
    assert matches(got, expect)


@pytest.mark.parametrize("got, expect", [
    (8.04, 8.05),               # the issue's wrong case: one cent off
    (42.17, 42.1648128),
    (1, True), (0, False), (True, 1),  # bools are never numbers
    ("saturday", "Saturday"),
    ("8.05 km", 8.05),
    ([1, 2], [1, 2, 3]), ([2, 1, 3], [1, 2, 3]),
    ({"North": 430.49}, {"North": 430.49, "South": 297.4}),
    (float("nan"), 1.0),
    ("ff", {"any_of": ["0xff"]}),
    (None, 0),
])
def test_does_not_match(got, expect):
    assert not matches(got, expect)
