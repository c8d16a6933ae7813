"""Writes `postfreeze-1207h.json`: 20 fresh requests written on 2026-12-07 (second session) after commit
81e14fc froze the code (a second look at a verified tool's answer: direct solutions of the request that
agree on another answer get the spec written again), before any result of that code was seen.

Seven ask for an amount after or of a percentage in everyday words, where a spec may answer the other
question (the charge or the total, the discount or the price); the rest are everyday conversions, numbers,
text, lists and dates. None of these sentences is in an earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207h.py
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    return as_items([
        ("Add a 15% tip to a bill of 60", 60 * 1.15, "numbers", None),
        ("What is the price of an 80 dollar lamp after a 20% discount?", 80 * 0.80, "numbers", None),
        ("A salary of 50000 rises by 3%; what is the new salary?", 50000 * 1.03, "numbers", None),
        ("Increase 250 by 12%", 250 * 1.12, "numbers", None),
        ("How much is the 7% tax on a purchase of 120?", 120 * 0.07, "numbers", None),
        ("What is 3 out of 8 as a percentage?", 3 / 8 * 100, "numbers", None),
        ("A 40 dollar ticket goes up by 25%. What does it cost now?", 40 * 1.25, "numbers", None),
        ("Split a bill of 96 equally among 4 people", 96 / 4, "numbers", None),
        ("Convert 45 minutes to hours", 45 / 60, "conversion", None),
        ("How many weeks are in 84 days?", 84 // 7, "conversion", None),
        ("Convert 2.5 kilometers to meters", 2500, "conversion", None),
        ("What is the median of 3, 9, 1, 7 and 5?", statistics.median([3, 9, 1, 7, 5]), "lists", None),
        ("What is the average of 4, 8, 15 and 16?", (4 + 8 + 15 + 16) / 4, "lists", None),
        ("Is 'noon' a palindrome?", True, "text", None),
        ("How many letters are in 'mississippi'?", 11, "text", None),
        ("Reverse the words in 'red green blue'", "blue green red", "text", None),
        ("What is 5 cubed?", 125, "numbers", None),
        ("Is 1001 divisible by 11?", 1001 % 11 == 0, "numbers", None),
        ("What day of the week is 2026-12-25?", dt.date(2026, 12, 25).strftime("%A"), "dates", None),
        ("Round 3.14159 to 2 decimal places", 3.14, "numbers", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207h.json").write_text(json.dumps(build(), indent=1) + "\n")
