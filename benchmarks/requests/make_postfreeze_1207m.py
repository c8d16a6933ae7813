"""Writes `postfreeze-1207m.json`: 20 fresh requests written on 2026-12-07 (third session) after commit
e623d72 froze the code (the spec prompt's percentage wording fixed; a bare plural may state), before any
result of that code was seen.

Five involve a percentage in everyday words, three are word problems, three are yes/no questions; the
rest (twelve without any percentage, to see whether the spec prompt puts one where none is) are
everyday conversions, lists, text and dates. None of these sentences is in an earlier set; every
`expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207m.py
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
        ("What is 12.5% of 640?", 0.125 * 640, "numbers", None),
        ("A coat costs 150 and the store gives 20% off. What is the sale price?", 150 * 0.8, "numbers", None),
        ("Petrol went up 6% from 1.50; what does it cost now?", round(1.50 * 1.06, 2), "numbers", None),
        ("What is the 15% tip on a 42 dollar bill?", round(42 * 0.15, 2), "numbers", None),
        ("Tax is 7% on a 300 purchase. What is the total with tax?", 300 * 1.07, "numbers", None),
        ("Apples cost 0.4 each. What do 15 apples cost?", round(0.4 * 15, 2), "numbers", None),
        ("A train leaves every 20 minutes. How many trains leave in 3 hours?", 3 * 60 // 20, "numbers", None),
        ("Each box holds 24 cans. How many cans are in 7 boxes?", 24 * 7, "numbers", None),
        ("Is 49 a perfect square?", True, "numbers", None),
        ("Is 'kayak' a palindrome?", True, "text", None),
        ("Is 15 divisible by 4?", False, "numbers", None),
        ("Convert 12 inches to centimeters", 12 * 2.54, "conversion", None),
        ("How many hours are in 3 days?", 72, "conversion", None),
        ("Convert 50 Fahrenheit to Celsius", (50 - 32) * 5 / 9, "conversion", None),
        ("What is the product of 4, 5 and 6?", 4 * 5 * 6, "lists", None),
        ("What is the smallest of 23, 11, 35 and 19?", 11, "lists", None),
        ("What is the median of 3, 9, 4, 7 and 5?", statistics.median([3, 9, 4, 7, 5]), "lists", None),
        ("Count the vowels in 'programming'", sum(c in "aeiou" for c in "programming"), "text", None),
        ("Capitalize every word in 'the old man and the sea'", "The Old Man And The Sea", "text", None),
        ("How many days are there from 2026-05-10 to 2026-07-04?", (dt.date(2026, 7, 4) - dt.date(2026, 5, 10)).days,
         "dates", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207m.json").write_text(json.dumps(build(), indent=1) + "\n")
