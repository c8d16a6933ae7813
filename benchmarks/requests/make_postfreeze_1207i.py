"""Writes `postfreeze-1207i.json`: 20 fresh requests written on 2026-12-07 (second session) after commit
21e44a9 froze the code (a str parameter the cases give only numbers is a number; the second look), before
any result of that code was seen.

Six involve a percentage or a rate in everyday words, two are word problems, three are yes/no
questions; the rest are everyday conversions, numbers, text, lists and dates. None of these sentences is
in an earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207i.py
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    return as_items([
        ("Leave an 18% tip on a 50 dollar meal: how much is the tip?", 50 * 0.18, "numbers", None),
        ("A laptop costs 900 and is marked down 15%. What is the new price?", 900 * 0.85, "numbers", None),
        ("What is 8% of 350?", 0.08 * 350, "numbers", None),
        ("Raise 1200 by 4 percent", 1200 * 1.04, "numbers", None),
        ("What percent of 200 is 30?", 30 / 200 * 100, "numbers", None),
        ("A 5% fee is charged on a transfer of 400. How big is the fee?", 400 * 0.05, "numbers", None),
        ("I walk 6 km every day; how far do I walk in 2 weeks?", 6 * 14, "numbers", None),
        ("A box holds 12 eggs; how many boxes do 150 eggs fill completely?", 150 // 12, "numbers", None),
        ("Is 64 a power of 2?", True, "numbers", None),
        ("Is 2023 a leap year?", False, "dates", None),
        ("Is 'abba' the same forwards and backwards?", True, "text", None),
        ("Convert 68 Fahrenheit to Celsius", (68 - 32) * 5 / 9, "conversion", None),
        ("How many millimeters are in 3.5 centimeters?", 35, "conversion", None),
        ("Convert 90 minutes to hours", 1.5, "conversion", None),
        ("What is the product of 6, 7 and 8?", 6 * 7 * 8, "lists", None),
        ("What is the difference between the largest and smallest of 4, 19, 11 and 2?", 19 - 2, "lists", None),
        ("Count the words in 'a stitch in time saves nine'", 6, "text", None),
        ("Make 'Hello There' all lowercase", "hello there", "text", None),
        ("What is the day after 2026-02-28?", (dt.date(2026, 2, 28) + dt.timedelta(days=1)).isoformat(),
         "dates", None),
        ("How many days are in February 2028?", 29, "dates", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207i.json").write_text(json.dumps(build(), indent=1) + "\n")
