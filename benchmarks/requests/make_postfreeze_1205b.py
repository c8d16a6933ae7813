"""Writes `postfreeze-1205b.json`: 20 fresh requests written on 2026-12-05 (second session) after commit
7fd1d87 ("an untyped stub's cases get types from the model"; stated values in places of their own) froze
the code, before any result on them was seen. Three read data files. New wordings: none of these sentences
is in an earlier set.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1205b.py
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
    inventory = read_csv("inventory.csv")
    employees = read_json("employees.json")
    orders = read_json("orders.json")["orders"]
    return as_items([
        ("How many milliliters are in 3.2 liters?", 3200, "conversion", None),
        ("Convert 10 kilometers to meters", 10000, "conversion", None),
        ("What is 212 degrees Fahrenheit in Celsius?", (212 - 32) * 5 / 9, "conversion", None),
        ("How many minutes are in 3.5 hours?", 210, "conversion", None),
        ("What day of the week was 1999-12-31?", D(1999, 12, 31).strftime("%A"), "dates", None),
        ("What date comes 100 days after 2026-01-01?", (D(2026, 1, 1) + dt.timedelta(days=100)).isoformat(),
         "dates", None),
        ("How many days are between 2026-03-01 and 2026-04-15?", (D(2026, 4, 15) - D(2026, 3, 1)).days, "dates",
         None),
        ("Make 'hello world' title case", "hello world".title(), "text", None),
        ("How many vowels are in 'encyclopedia'?", sum(c in "aeiou" for c in "encyclopedia"), "text", None),
        ("Remove all spaces from 'a b c d'", "abcd", "text", None),
        ("Is 'Was it a car or a cat I saw' a palindrome if spaces and case are ignored?",
         (lambda s: s == s[::-1])("Was it a car or a cat I saw".replace(" ", "").lower()), "text", None),
        ("What is the largest number in [12, 45, 7, 33]?", max([12, 45, 7, 33]), "lists", None),
        ("Sort [5, 2, 8, 1] in descending order", sorted([5, 2, 8, 1], reverse=True), "lists", None),
        ("What is the product of the numbers in [2, 3, 4]?", math.prod([2, 3, 4]), "lists", None),
        ("What is 7 factorial?", math.factorial(7), "numbers", None),
        ("What is the least common multiple of 4 and 6?", math.lcm(4, 6), "numbers", None),
        ("What is 15% of 240?", 0.15 * 240, "numbers", None),
        ("How many items in inventory.csv are in the office category?",
         sum(r["category"] == "office" for r in inventory), "data", "inventory.csv"),
        ("What is the total salary of the Engineering department in employees.json?",
         sum(e["salary"] for e in employees if e["department"] == "Engineering"), "data", "employees.json"),
        ("How many orders in orders.json are pending?", sum(o["status"] == "pending" for o in orders), "data",
         "orders.json"),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1205b.json").write_text(json.dumps(build(), indent=1) + "\n")
