"""Writes `postfreeze-1207g.json`: 20 fresh requests written on 2026-12-07 (second session) after commit
429f2dc froze the code (whole floats equal the ints they equal in behaviour keys; a statement followed by
a question about it is one step; a True/False agreement anchored by answering both ways off the cases),
before any result of that code was seen.

Four are word problems (facts stated, then a question), four are yes/no questions, three count days or
weeks between dates; the rest are everyday conversions, numbers, text and lists. None of these sentences
is in an earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207g.py
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    return as_items([
        ("A car travels 180 km in 3 hours; what is its average speed in km per hour?", 180 / 3, "numbers", None),
        ("I bought 4 notebooks at 2.5 each; how much did I spend?", 4 * 2.5, "numbers", None),
        ("A rectangle is 7 wide and 12 long; what is its area?", 7 * 12, "numbers", None),
        ("My train leaves at 14:20 and the trip takes 95 minutes; when do I arrive?", "15:55", "dates", None),
        ("Is 2100 a leap year?", False, "dates", None),
        ("Is 144 a perfect square?", True, "numbers", None),
        ("Is 221 a prime number?", False, "numbers", None),
        ("Does 'listen' contain the letter 's'?", True, "text", None),
        ("How many days are between 2025-12-25 and 2026-03-01?",
         (dt.date(2026, 3, 1) - dt.date(2025, 12, 25)).days, "dates", None),
        ("How many days passed from 2024-02-01 to 2024-03-01?",
         (dt.date(2024, 3, 1) - dt.date(2024, 2, 1)).days, "dates", None),
        ("How many full weeks are there between 2026-01-05 and 2026-04-06?",
         (dt.date(2026, 4, 6) - dt.date(2026, 1, 5)).days // 7, "dates", None),
        ("Convert 8 ounces to grams, rounded to 1 decimal", round(8 * 28.349523125, 1), "conversion", None),
        ("How many seconds are in 3 hours?", 3 * 3600, "conversion", None),
        ("What is 9 factorial?", 362880, "numbers", None),
        ("What is the smallest of 31, 8, 19 and 12?", 8, "lists", None),
        ("Add up 14, 27, 3 and 56", 14 + 27 + 3 + 56, "lists", None),
        ("Make 'the quick brown fox' title case", "The Quick Brown Fox", "text", None),
        ("How many vowels does 'encyclopedia' have?", sum(ch in "aeiou" for ch in "encyclopedia"), "text", None),
        ("What is the first word of 'stars shine at night'?", "stars", "text", None),
        ("What is 20% of 45?", 0.20 * 45, "numbers", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207g.json").write_text(json.dumps(build(), indent=1) + "\n")
