"""Writes `postfreeze-1203.json`: 20 fresh requests written on 2026-12-03 after the synthesis code of that
session was frozen (commit "direct_answer owns the anchoring step"), before any of its results were seen.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1203.py
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    inventory = read_csv("inventory.csv")
    employees = read_json("employees.json")
    text = "the cat sat on the mat with the hat"
    items = [
        ("How many millimeters are in 2.5 inches?", round(2.5 * 25.4, 2), "conversion", None),
        ("Convert 90 minutes to hours", 1.5, "conversion", None),
        ("How many grams are in 3 ounces?", round(3 * 28.349523125, 2), "conversion", None),
        ("Express 0.75 as a percentage", {"any_of": [75.0, "75%", "75.0%"]}, "conversion", None),
        ("What month name is month number 9?", "September", "dates", None),
        ("How many days are left in 2024 after 2024-11-30?", (dt.date(2024, 12, 31) - dt.date(2024, 11, 30)).days,
         "dates", None),
        ("What was the date two weeks before 2025-01-10?", str(dt.date(2025, 1, 10) - dt.timedelta(weeks=2)),
         "dates", None),
        ("Which is the longest word in 'a tiny elephant walked home'?", "elephant", "text", None),
        (f"How many times does the word 'the' occur in '{text}'?", text.split().count("the"), "text", None),
        ("Capitalize only the first letter of 'hELLO there'", "Hello there", "text", None),
        ("Strip the digits out of 'a1b2c3d'", "abcd", "text", None),
        ("Keep only the odd numbers from [3, 8, 11, 14, 5, 20]", [3, 11, 5], "lists", None),
        ("What is the sum of the squares of 1, 2, 3 and 4?", 1 + 4 + 9 + 16, "lists", None),
        ("Split [1, 2, 3, 4, 5, 6, 7] into chunks of 3", [[1, 2, 3], [4, 5, 6], [7]], "lists", None),
        ("What is 17 modulo 5?", 17 % 5, "numbers", None),
        ("Round 1234.5678 to the nearest hundred", round(1234.5678, -2), "numbers", None),
        ("How many prime numbers are there below 50?",
         sum(all(n % d for d in range(2, n)) for n in range(2, 50)), "numbers", None),
        ("What is 12 squared minus 7 cubed?", 12 ** 2 - 7 ** 3, "numbers", None),
        ("What is the most expensive item in inventory.csv?",
         max(inventory, key=lambda r: float(r["price"]))["item"], "data", "inventory.csv"),
        ("Who has the lowest salary in employees.json?", min(employees, key=lambda e: e["salary"])["name"],
         "data", "employees.json"),
    ]
    return as_items(items)


if __name__ == "__main__":
    (HERE / "postfreeze-1203.json").write_text(json.dumps(build(), indent=1) + "\n")
