"""Writes `postfreeze-1207j.json`: 20 fresh requests written on 2026-12-07 (third session) after commit
19cff89 froze the code (a request value wrapped in code is that value; a number written as text is
grounded only as written; a second look at an agreement that failed verification), before any result of
that code was seen.

Six involve a percentage or a rate in everyday words, three are word problems, three are yes/no
questions; the rest are everyday conversions, lists, text and dates. None of these sentences is in an
earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207j.py
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    return as_items([
        ("What is 30% of 70?", 0.30 * 70, "numbers", None),
        ("A jacket priced at 120 is discounted by 35 percent. What do I pay?", 120 * 0.65, "numbers", None),
        ("How much interest does 2000 earn in one year at 3% simple interest?", 2000 * 0.03, "numbers", None),
        ("Increase 75 by 20%", 75 * 1.2, "numbers", None),
        ("A town of 8000 people shrinks by 10%. How many people are left?", 8000 * 0.9, "numbers", None),
        ("What is 45 as a percentage of 180?", 45 / 180 * 100, "numbers", None),
        ("Tickets cost 12 each. How much do 7 tickets cost?", 12 * 7, "numbers", None),
        ("A tank holds 60 liters and is a quarter full. How many liters are in it?", 60 / 4, "numbers", None),
        ("I read 25 pages a day. How many days do I need for a 300-page book?", 300 // 25, "numbers", None),
        ("Is 97 a prime number?", True, "numbers", None),
        ("Is 'level' a palindrome?", True, "text", None),
        ("Is 1900 a leap year?", False, "dates", None),
        ("Convert 10 kilometers to miles, rounded to 2 decimals", round(10 / 1.609344, 2), "conversion", None),
        ("How many minutes are in 2.5 hours?", 150, "conversion", None),
        ("Convert 100 Celsius to Fahrenheit", 100 * 9 / 5 + 32, "conversion", None),
        ("What is the largest of 17, 42, 8 and 29?", 42, "lists", None),
        ("Sort 5, 3, 9, 1 from smallest to largest", [1, 3, 5, 9], "lists", None),
        ("How many characters are in 'hello world'?", 11, "text", None),
        ("Make 'good morning' uppercase", "GOOD MORNING", "text", None),
        ("What day of the week is 2026-12-25?", dt.date(2026, 12, 25).strftime("%A"), "dates", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207j.json").write_text(json.dumps(build(), indent=1) + "\n")
