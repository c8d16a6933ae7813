"""Writes `postfreeze-1205.json`: 20 fresh requests written on 2026-12-05 while HumanEval ran on the commit
"Issue 7: a decided verdict is checked off the cases" (deccb8d), before any result on them was seen. Four
read data files. New wordings: none of these sentences is in an earlier set.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1205.py
"""
from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent
D = dt.date


def build() -> list[dict]:
    inventory, sales = read_csv("inventory.csv"), read_csv("sales.csv")
    employees = read_json("employees.json")
    orders = read_json("orders.json")["orders"]
    items = [
        ("How many grams are in 2.5 kilograms?", 2500, "conversion", None),
        ("Convert 72 inches to feet", 6, "conversion", None),
        ("What is 0 degrees Fahrenheit in Celsius, rounded to 1 decimal place?", round((0 - 32) * 5 / 9, 1),
         "conversion", None),
        ("How many seconds are there in 2 hours and 15 minutes?", 2 * 3600 + 15 * 60, "conversion", None),
        ("On which day of the week does 2030-12-25 fall?", D(2030, 12, 25).strftime("%A"), "dates", None),
        ("What date is three weeks before 2025-03-10?", (D(2025, 3, 10) - dt.timedelta(weeks=3)).isoformat(),
         "dates", None),
        ("How many days are there in February 2100?", 28, "dates", None),
        ("Count the words in 'the quick brown fox jumps'", 5, "text", None),
        ("Reverse the order of the words in 'one two three four'", "four three two one", "text", None),
        ("How many times does the letter 's' occur in 'mississippi'?", "mississippi".count("s"), "text", None),
        ("Are 'listen' and 'silent' anagrams of each other?", sorted("listen") == sorted("silent"), "text", None),
        ("What is the median of [7, 2, 9, 4, 5]?", statistics.median([7, 2, 9, 4, 5]), "lists", None),
        ("Remove duplicates from [3, 1, 3, 2, 1], keeping the first occurrence of each", [3, 1, 2], "lists", None),
        ("Add up the even numbers in [1, 2, 3, 4, 5, 6]", 2 + 4 + 6, "lists", None),
        ("What is the greatest common divisor of 84 and 36?", math.gcd(84, 36), "numbers", None),
        ("Is 97 a prime number?", all(97 % d for d in range(2, 97)), "numbers", None),
        ("Which orders.json customer spent the most in total?",
         max({o["customer"] for o in orders}, key=lambda c: sum(o["total"] for o in orders if o["customer"] == c)),
         "data", "orders.json"),
        ("What is the lowest price in inventory.csv?", min(float(r["price"]) for r in inventory), "data",
         "inventory.csv"),
        ("How many people in employees.json earn less than 50000?", sum(e["salary"] < 50000 for e in employees),
         "data", "employees.json"),
        ("What is the average sale amount for the North region in sales.csv?",
         round(statistics.mean(float(r["amount"]) for r in sales if r["region"] == "North"), 2), "data",
         "sales.csv"),
    ]
    return as_items(items)


if __name__ == "__main__":
    (HERE / "postfreeze-1205.json").write_text(json.dumps(build(), indent=1) + "\n")
