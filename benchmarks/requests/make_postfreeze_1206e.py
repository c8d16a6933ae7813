"""Writes `postfreeze-1206e.json`: 20 fresh requests written on 2026-12-06 (evening session) after the
named-value check for data tools and the quantity check on arguments were written, before any result on
these was seen. Five read data files, three of them naming a value of the file (the new check's ground),
and four give a unit-labelled value (the new argument check's). New wordings: none of these sentences is in
an earlier set.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1206e.py
"""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent
D = dt.date


def build() -> list[dict]:
    sales = read_csv("sales.csv")
    inventory = read_csv("inventory.csv")
    employees = read_json("employees.json")
    orders = read_json("orders.json")["orders"]
    return as_items([
        ("How many minutes are there in 4 hours?", 240, "conversion", None),
        ("What is 2 kilograms in grams?", 2000, "conversion", None),
        ("Turn 72 inches into feet", 6, "conversion", None),
        ("How many meters per second is 36 kilometers per hour?", 10, "conversion", None),
        ("How many days are there from 2026-07-04 to 2026-09-01?", (D(2026, 9, 1) - D(2026, 7, 4)).days, "dates", None),
        ("What month name does 2027-11-08 fall in?", "November", "dates", None),
        ("Give me the year 45 days after 2026-12-01", (D(2026, 12, 1) + dt.timedelta(days=45)).year, "dates", None),
        ("Capitalize only the first letter of 'quiet morning'", "Quiet morning", "text", None),
        ("How many words does 'one small step for man' have?", 5, "text", None),
        ("Strip the digits out of 'r2d2 and c3po'", "rd and cpo", "text", None),
        ("What is the largest value in [13, 8, 21, 5]?", 21, "lists", None),
        ("Remove the duplicates from [3, 1, 3, 2, 1] keeping the first occurrences", [3, 1, 2], "lists", None),
        ("How many numbers in [5, 12, 7, 20, 3] are greater than 6?", 3, "lists", None),
        ("What is 15 percent of 240?", 36, "numbers", None),
        ("What is the factorial of 7?", math.factorial(7), "numbers", None),
        ("What is the total price of the furniture items in inventory.csv?",
         round(sum(float(r["price"]) for r in inventory if r["category"] == "furniture"), 2), "data", "inventory.csv"),
        ("How many sales did the West region make in sales.csv?", sum(r["region"] == "West" for r in sales), "data",
         "sales.csv"),
        ("What is the average salary of the Support department in employees.json?",
         sum(e["salary"] for e in employees if e["department"] == "Support")
         / sum(e["department"] == "Support" for e in employees), "data", "employees.json"),
        ("What is the highest order total in orders.json?", max(o["total"] for o in orders), "data", "orders.json"),
        ("How many rows in sales.csv have an amount above 100?", sum(float(r["amount"]) > 100 for r in sales), "data",
         "sales.csv"),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1206e.json").write_text(json.dumps(build(), indent=1) + "\n")
