"""Writes `postfreeze-1207d.json`: 20 fresh requests written on 2026-12-07 after commit 5b5aa62 froze the
code (an agreement contradicted by both the model's cases and a direct solution yields to a repair both
back; a number equal to an argument is an echo; "how many ... each" asks for one quantity per element),
before any result of that code on real requests was seen.

Five ask for a percentage in different words (where drafts of one spec were seen to misread the
percentage together), two ask per word of a text, the rest are everyday conversions, numbers, text and two
data-file questions. None of these sentences is in an earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207d.py
"""
from __future__ import annotations

import json
import statistics
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent


def per_word(text: str, f) -> dict:
    """A list or a mapping word -> value: both answer "for each word"."""
    words = text.split()
    return {"any_of": [[f(w) for w in words], {w: f(w) for w in words}]}


def build() -> list[dict]:
    sales = read_csv("sales.csv")
    staff = read_json("employees.json")
    return as_items([
        ("What is 12% of 75?", 0.12 * 75, "numbers", None),
        ("Calculate 7.5 percent of 640", 0.075 * 640, "numbers", None),
        ("How many vowels are in each word of 'sky blue ocean'?",
         per_word("sky blue ocean", lambda w: sum(c in "aeiou" for c in w)), "text", None),
        ("What is the product of 4, 7 and 9?", 4 * 7 * 9, "numbers", None),
        ("Convert 3 miles to kilometers", 3 * 1.609344, "conversion", None),
        ("What is 40% of 95?", 0.40 * 95, "numbers", None),
        ("How many minutes are in 4.5 hours?", 4.5 * 60, "conversion", None),
        ("What is 25 squared?", 25 ** 2, "numbers", None),
        ("Is 'Racecar' a palindrome if case is ignored?", True, "text", None),
        ("Which words in 'apple kiwi banana fig' have more than 4 letters?", ["apple", "banana"], "text", None),
        ("Count the consonants in 'strength'", sum(c not in "aeiou" for c in "strength"), "text", None),
        ("How many employees in employees.json earn at least 70000?",
         sum(e["salary"] >= 70000 for e in staff), "data", "employees.json"),
        ("What is the average amount of the South region sales in sales.csv?",
         statistics.mean(float(r["amount"]) for r in sales if r["region"] == "South"), "data", "sales.csv"),
        ("What is 2 to the power of 12?", 2 ** 12, "numbers", None),
        ("How many days are in the year 2028?", 366, "dates", None),
        ("What is 30% of 210?", 0.30 * 210, "numbers", None),
        ("What is the remainder when 100 is divided by 7?", 100 % 7, "numbers", None),
        ("How long is each word in 'to be or not'?", per_word("to be or not", len), "text", None),
        ("Convert 5 kilometers to meters", 5000, "conversion", None),
        ("What percentage of 250 is 40?", 40 / 250 * 100, "numbers", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207d.json").write_text(json.dumps(build(), indent=1) + "\n")
