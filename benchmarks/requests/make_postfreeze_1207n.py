"""Writes `postfreeze-1207n.json`: 24 fresh requests written on 2026-12-07 (fourth session) after commit
8a1ecf6 froze the code (routing runs an uncertain candidate and compares it with a direct solution of the
request), before any result of that code was seen.

Shaped like `postfreeze-1207`: a user's day in which tools come back. Ten requests create tools, ten later
ones ask for the same thing in other words and with other values (a reuse is right; a new tool is
acceptable if its answer is right), and four ask for a near twin of an earlier tool (the other direction
or a sibling task), where reusing the earlier tool would answer wrongly. None of these sentences is in an
earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207n.py
"""
from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent
KG_PER_LB = 0.45359237


def build() -> list[dict]:
    return as_items([
        # tools are created
        ("Convert 5 pounds to kilograms", 5 * KG_PER_LB, "conversion", None),
        ("What is 15% of 360?", 0.15 * 360, "numbers", None),
        ("How many words are in 'the rain in spain stays mainly'?", 6, "text", None),
        ("What is the average of 4, 8, 15 and 16?", statistics.mean([4, 8, 15, 16]), "lists", None),
        ("Sort the words 'pear apple fig' alphabetically", ["apple", "fig", "pear"], "text", None),
        ("What is the least common multiple of 6 and 8?", math.lcm(6, 8), "numbers", None),
        ("Convert 2.5 hours to minutes", 150, "conversion", None),
        ("How many times does the letter 's' appear in 'mississippi'?", 4, "text", None),
        ("What is 9 factorial?", math.factorial(9), "numbers", None),
        ("Remove the duplicates from 3, 1, 3, 2, 1", [3, 1, 2], "lists", None),
        # the same things in other words, with other values
        ("My bag weighs 12 lb, how many kg is that?", 12 * KG_PER_LB, "conversion", None),
        ("how much is 40 percent of 85", 0.40 * 85, "numbers", None),
        ("count the words in 'a stitch in time saves nine'", 6, "text", None),
        ("mean of 10, 20, 60", statistics.mean([10, 20, 60]), "lists", None),
        ("put 'zebra mango kiwi' in alphabetical order", ["kiwi", "mango", "zebra"], "text", None),
        ("smallest number that both 4 and 10 divide", math.lcm(4, 10), "numbers", None),
        ("How many minutes is 1.75 hours?", 105, "conversion", None),
        ("count how often 'o' occurs in 'voodoo'", 4, "text", None),
        ("what's 7!", math.factorial(7), "numbers", None),
        ("drop repeated values from 5, 5, 9, 2, 9", [5, 9, 2], "lists", None),
        # near twins: another direction or a sibling task
        ("Convert 10 kilograms to pounds", 10 / KG_PER_LB, "conversion", None),
        ("Convert 300 minutes to hours", 5, "conversion", None),
        ("What is the greatest common divisor of 6 and 8?", math.gcd(6, 8), "numbers", None),
        ("What is the median of 4, 8, 15 and 16?", statistics.median([4, 8, 15, 16]), "lists", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207n.json").write_text(json.dumps(build(), indent=1) + "\n")
