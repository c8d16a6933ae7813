"""Writes `postfreeze-1207l.json`: 20 fresh requests written on 2026-12-07 (third session) after commit
52a16af froze the code (a word problem the rules see as one part is one step; the request's own input
read again once when it has a value the request lacks), before any result of that code was seen.

Six involve a percentage in everyday words, three are word problems (one joins two statements with
"and"), three are yes/no questions; the rest are everyday conversions, lists, text and dates. None of
these sentences is in an earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207l.py
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    return as_items([
        ("What is 35% of 260?", 0.35 * 260, "numbers", None),
        ("A sofa costs 900 and is on sale for 30% off. How much does it cost now?", 900 * 0.7, "numbers", None),
        ("Prices rose 3% this year; what does a 250 item cost now?", 250 * 1.03, "numbers", None),
        ("How much is the 8% service fee on a 75 order?", 75 * 0.08, "numbers", None),
        ("What percent of 250 is 50?", 50 / 250 * 100, "numbers", None),
        ("Take 15% off 60", 60 * 0.85, "numbers", None),
        ("A bus ticket costs 3 and I ride 22 times a month. What do I spend per month?", 3 * 22, "numbers", None),
        ("A recipe needs 250 grams of flour per cake. How much flour for 6 cakes?", 250 * 6, "numbers", None),
        ("My car goes 15 km on one liter. How far can it go on 40 liters?", 15 * 40, "numbers", None),
        ("Is 37 a prime number?", True, "numbers", None),
        ("Is 'noon' a palindrome?", True, "text", None),
        ("Is 2000 a leap year?", True, "dates", None),
        ("Convert 3 kilograms to pounds, rounded to 2 decimals", round(3 / 0.45359237, 2), "conversion", None),
        ("How many seconds are in 45 minutes?", 45 * 60, "conversion", None),
        ("Convert 20 Celsius to Fahrenheit", 20 * 9 / 5 + 32, "conversion", None),
        ("What is the sum of 12, 45, 7 and 30?", 12 + 45 + 7 + 30, "lists", None),
        ("Sort 8, 2, 6, 4 in descending order", [8, 6, 4, 2], "lists", None),
        ("How many words are in 'the rain in spain'?", 4, "text", None),
        ("Make 'HELLO WORLD' lowercase", "hello world", "text", None),
        ("What date is 30 days after 2026-01-15?", (dt.date(2026, 1, 15) + dt.timedelta(days=30)).isoformat(),
         "dates", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207l.json").write_text(json.dumps(build(), indent=1) + "\n")
