"""Writes `postfreeze-1204.json`: 20 fresh requests written on 2026-12-04 after the synthesis code of that
session was frozen (commit 6e71d01, "the request's own input outranks a model case on it"), before any of
its results were seen. Six read data files, the kind of request that commit is about.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1204.py
"""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    inventory = read_csv("inventory.csv")
    sales = read_csv("sales.csv")
    employees = read_json("employees.json")
    orders = read_json("orders.json")["orders"]
    items = [
        ("How many feet are in 3 meters?", round(3 / 0.3048, 2), "conversion", None),
        ("Convert 2 hours and 30 minutes into minutes", 150, "conversion", None),
        ("What is 68 degrees Fahrenheit in Celsius?", 20.0, "conversion", None),
        ("How many weeks are there between 2024-03-01 and 2024-05-24?",
         (dt.date(2024, 5, 24) - dt.date(2024, 3, 1)).days // 7, "dates", None),
        ("Is 2100 a leap year?", False, "dates", None),
        ("What was the weekday of 1999-12-31?", dt.date(1999, 12, 31).strftime("%A"), "dates", None),
        ("Turn 'the quick brown fox' into title case", "The Quick Brown Fox", "text", None),
        ("How many uppercase letters are in 'Hello World From ACME'?",
         sum(c.isupper() for c in "Hello World From ACME"), "text", None),
        ("Replace every space in 'a b c d' with a dash", "a-b-c-d", "text", None),
        ("What is the product of all the numbers in [2, 3, 5, 7]?", math.prod([2, 3, 5, 7]), "lists", None),
        ("Give me the three smallest numbers of [9, 4, 7, 1, 8, 2]", [1, 2, 4], "lists", None),
        ("What is the median of [7, 1, 5, 3]?", 4.0, "lists", None),
        ("What is the least common multiple of 6 and 8?", math.lcm(6, 8), "numbers", None),
        ("What is the sum of the digits of 98765?", sum(int(d) for d in "98765"), "numbers", None),
        ("How many items does inventory.csv list in the electronics category?",
         sum(r["category"] == "electronics" for r in inventory), "data", "inventory.csv"),
        ("What is the mean price of the items in inventory.csv?",
         round(sum(float(r["price"]) for r in inventory) / len(inventory), 2), "data", "inventory.csv"),
        ("What is the smallest amount in sales.csv?", min(float(r["amount"]) for r in sales), "data", "sales.csv"),
        ("How many rows does sales.csv have?", len(sales), "data", "sales.csv"),
        ("What is the highest salary in employees.json?", max(e["salary"] for e in employees), "data",
         "employees.json"),
        ("How many orders in orders.json are still pending?", sum(o["status"] == "pending" for o in orders),
         "data", "orders.json"),
    ]
    return as_items(items)


if __name__ == "__main__":
    (HERE / "postfreeze-1204.json").write_text(json.dumps(build(), indent=1) + "\n")
