"""Writes `postfreeze-1207o.json`: 20 fresh requests written on 2026-12-07 (fifth session) after commit
a9bb8e7 froze the code (a library's bad-input exception compared by its built-in family; the registry's
last verdict reused), before any result of that code was seen.

Shaped like `postfreeze-1207n`: a user's day in one growing library, run in order. Eight everyday requests
create tools (two unit conversions, two text tasks, two list statistics, two money word problems), six
later ones ask for the same thing as six of those in other everyday words and with other values (a reuse
is right; a new tool is acceptable if its answer is right), three ask for a near twin of an earlier tool
(the other direction of a conversion or a sibling task on the same input), where reusing the earlier tool
would answer wrongly, and three are small date or counting questions. None of these sentences is in an
earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207o.py
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent
KM_PER_NAUTICAL_MILE = 1.852  # exact, by definition
M_PER_YARD = 0.9144  # exact, by definition
VOWELS = set("aeiou")
D = dt.date
SAVINGS = ("I put 2500 into a savings account that pays 4% simple interest a year. How much will be in the "
           "account after one year?")


def vowels(text: str) -> int:
    return sum(1 for c in text.lower() if c in VOWELS)


def consonants(text: str) -> int:
    return sum(1 for c in text.lower() if c.isalpha() and c not in VOWELS)


def longest_word(text: str) -> str:
    words = text.split()
    best = max(len(w) for w in words)
    longest = [w for w in words if len(w) == best]
    assert len(longest) == 1, longest  # the answer must be unambiguous
    return longest[0]


def build() -> list[dict]:
    scores = [3, 7, 7, 2, 9, 7, 2]
    assert len(statistics.multimode(scores)) == 1
    return as_items([
        # tools are created
        ("Convert 7 nautical miles to kilometers", 7 * KM_PER_NAUTICAL_MILE, "conversion", None),
        ("How many meters is 9 yards?", 9 * M_PER_YARD, "conversion", None),
        ("Which word is the longest in 'purple clouds drifted slowly overhead'?",
         longest_word("purple clouds drifted slowly overhead"), "text", None),
        ("Count the vowels in 'wonderful afternoon'", vowels("wonderful afternoon"), "text", None),
        ("What is the median of 13, 2, 8, 21 and 5?", statistics.median([13, 2, 8, 21, 5]), "lists", None),
        ("What is the mode of 3, 7, 7, 2, 9, 7, 2?", statistics.mode(scores), "lists", None),
        ("Shoes marked at 64 dollars are 15% off. What do I pay?", 64 * (100 - 15) / 100, "numbers", None),
        (SAVINGS, 2500 * (100 + 4) / 100, "numbers", None),
        # the same things in other words, with other values
        ("A ferry crossing is 15 nautical miles. How far is that in km?", 15 * KM_PER_NAUTICAL_MILE,
         "conversion", None),
        ("my garden is 25 yards long, how long is that in metres", 25 * M_PER_YARD, "conversion", None),
        ("in 'a gentle breeze crossed the meadow', which word has the most letters?",
         longest_word("a gentle breeze crossed the meadow"), "text", None),
        ("My four test scores were 72, 88, 95 and 64; what's their median?",
         statistics.median([72, 88, 95, 64]), "lists", None),
        ("A 140 dollar coat is 30 percent off - what's the final price?", 140 * (100 - 30) / 100,
         "numbers", None),
        ("After a year at 3.5% simple interest, what does a deposit of 1800 grow to?",
         1800 * (1000 + 35) / 1000, "numbers", None),
        # near twins: another direction or a sibling task
        ("How many nautical miles is 50 kilometers?", 50 / KM_PER_NAUTICAL_MILE, "conversion", None),
        ("Convert 40 meters to yards", 40 / M_PER_YARD, "conversion", None),
        ("How many consonants are in 'wonderful afternoon'?", consonants("wonderful afternoon"), "text",
         None),
        # small date and counting questions
        ("How many days are there between 2026-04-18 and 2026-11-03?", (D(2026, 11, 3) - D(2026, 4, 18)).days,
         "dates", None),
        ("What day of the week will 2033-08-19 be?", D(2033, 8, 19).strftime("%A"), "dates", None),
        ("How many numbers in 14, 3, 22, 9, 17, 30, 6 are bigger than 10?",
         sum(1 for x in [14, 3, 22, 9, 17, 30, 6] if x > 10), "lists", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207o.json").write_text(json.dumps(build(), indent=1) + "\n")
