"""Writes `postfreeze-1207.json`: 24 fresh requests written on 2026-12-07 after commit f2b323d froze usage
views (the model writes example requests for each new tool), before any result on these was seen.

The set is shaped like a user's day in which tools come back in other words: ten requests create tools,
ten later ones ask for the same thing in everyday phrasing (a reuse is right, a new tool is acceptable if
its answer is right), and four ask for a near twin of an earlier tool (the other direction or order, or a
sibling task), where reusing the earlier tool would answer wrongly. None of these sentences is in an
earlier set. Nobody tuned anything on these; every `expect` is computed here with Python.

    python benchmarks/requests/make_postfreeze_1207.py
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent
KM_PER_MILE = 1.609344


def build() -> list[dict]:
    return as_items([
        # tools are created
        ("Reverse the text 'stressed'", "desserts", "text", None),
        ("Convert 100 degrees Fahrenheit to Celsius", (100 - 32) * 5 / 9, "conversion", None),
        ("Count the vowels in 'programming'", 3, "text", None),
        ("What is the greatest common divisor of 48 and 180?", math.gcd(48, 180), "numbers", None),
        ("Is 2024 a leap year?", True, "dates", None),
        ("Sort [5, 3, 9, 1] in descending order", [9, 5, 3, 1], "lists", None),
        ("How many words are in 'the quick brown fox'?", 4, "text", None),
        ("What is 15% of 240?", 36.0, "numbers", None),
        ("Convert 5 kilometers to miles, rounded to 2 decimals", round(5 / KM_PER_MILE, 2), "conversion", None),
        ("Capitalize the first letter of every word in 'hello big world'", "Hello Big World", "text", None),
        # the same tasks, in other words
        ("what is 'drawer' spelled back to front", "reward", "text", None),
        ("If it is 50 F outside, how warm is that in C?", 10.0, "conversion", None),
        ("how many a, e, i, o, u letters are in 'education'", 5, "text", None),
        ("biggest whole number that divides both 84 and 126", math.gcd(84, 126), "numbers", None),
        # near twins of earlier tools
        ("Convert 30 degrees Celsius to Fahrenheit", 30 * 9 / 5 + 32, "conversion", None),
        ("Sort [5, 3, 9, 1] in ascending order", [1, 3, 5, 9], "lists", None),
        # the same tasks, in other words
        ("does the year 1900 have a 29th of February?", False, "dates", None),
        ("put 12, 4, 30, 7 from biggest to smallest", [30, 12, 7, 4], "lists", None),
        ("count the words of 'to be or not to be'", 6, "text", None),
        ("how much is a 20 percent tip on 85", 17.0, "numbers", None),
        # near twins of earlier tools
        ("Count the consonants in 'programming'", 8, "text", None),
        ("What is the least common multiple of 4 and 6?", math.lcm(4, 6), "numbers", None),
        # the same tasks, in other words
        ("how many miles is a 10 km run, to 2 decimals?", round(10 / KM_PER_MILE, 2), "conversion", None),
        ("make 'new york city' title case", "New York City", "text", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207.json").write_text(json.dumps(build(), indent=1) + "\n")
