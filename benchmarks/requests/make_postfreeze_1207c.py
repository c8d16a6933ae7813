"""Writes `postfreeze-1207c.json`: 20 fresh requests written on 2026-12-07 after commit 413976a froze the
code (three more grammar facts in routing: wh-questions are not answered by yes/no, "each" over a value of
several elements, result units), before any result of that code on real requests was seen.

Everyday requests in one growing library: some create a tool, some ask for one again in other words, some
ask a different question of the same shape (a yes/no question beside a "which" question, a per-word count
beside a whole-text count, weeks beside days), and two read a data file. None of these sentences is in an
earlier set; every `expect` is computed here with Python.

    python benchmarks/requests/make_postfreeze_1207c.py
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    sales = read_csv("sales.csv")
    staff = read_json("employees.json")
    return as_items([
        ("Is 221 a prime number?", False, "numbers", None),
        ("Which numbers between 10 and 30 are prime?", [11, 13, 17, 19, 23, 29], "numbers", None),
        ("How many letters does the word 'strawberry' have?", len("strawberry"), "text", None),
        ("How many letters are in each word of 'red green blue'?",  # a list or a mapping word -> count
         {"any_of": [[3, 5, 4], {"red": 3, "green": 5, "blue": 4}]}, "text", None),
        ("How many days are there between 2026-01-01 and 2026-03-01?",
         (dt.date(2026, 3, 1) - dt.date(2026, 1, 1)).days, "dates", None),
        ("How many weeks are there between 2026-01-05 and 2026-02-16?",
         (dt.date(2026, 2, 16) - dt.date(2026, 1, 5)).days // 7, "dates", None),
        ("Convert 72 inches to centimeters", 72 * 2.54, "conversion", None),
        ("how tall in cm is someone who is 65 inches", 65 * 2.54, "conversion", None),
        ("What is the largest number in [14, 3, 27, 9]?", 27, "lists", None),
        ("give me the smallest value of 8, -3, 12", -3, "lists", None),
        ("Capitalize the first letter of every word in 'a tale of two cities'", "A Tale Of Two Cities",
         "text", None),
        ("How many vowels does 'onomatopoeia' contain?", sum(c in "aeiou" for c in "onomatopoeia"), "text", None),
        ("What is 18% of 350?", 0.18 * 350, "numbers", None),
        ("Is 2100 a leap year?", False, "dates", None),
        ("What is the sum of the digits of 98765?", sum(map(int, "98765")), "numbers", None),
        ("What is the total amount of the West region sales in sales.csv?",
         sum(float(r["amount"]) for r in sales if r["region"] == "West"), "data", "sales.csv"),
        ("What is the median salary in employees.json?", statistics.median(e["salary"] for e in staff),
         "data", "employees.json"),
        ("How many seconds are in 2.5 minutes?", 150, "conversion", None),
        ("Sort the words 'pear banana fig apple' alphabetically", ["apple", "banana", "fig", "pear"],
         "text", None),
        ("What day of the week is 2026-12-25?", dt.date(2026, 12, 25).strftime("%A"), "dates", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207c.json").write_text(json.dumps(build(), indent=1) + "\n")
