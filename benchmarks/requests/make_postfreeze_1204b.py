"""Writes `postfreeze-1204b.json`: 20 fresh requests written on 2026-12-04 (second session of the day) after
the synthesis code was frozen (the commit "Synthesis: once the draws are spent, a direct solution completes
an agreement one vote short"), before any of its results were seen. Six read data files.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1204b.py
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    inventory = read_csv("inventory.csv")
    sales = read_csv("sales.csv")
    employees = read_json("employees.json")
    orders = read_json("orders.json")["orders"]
    numbers = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    items = [
        ("How many yards are in 100 meters?", round(100 / 0.9144, 2), "conversion", None),
        ("What is 5 kilograms in pounds?", round(5 / 0.45359237, 2), "conversion", None),
        ("What is 0 degrees Celsius in Kelvin?", 273.15, "conversion", None),
        ("How many hours are in 2 weeks?", 2 * 7 * 24, "conversion", None),
        ("What day of the week will 2030-01-01 be?", dt.date(2030, 1, 1).strftime("%A"), "dates", None),
        ("How many days are between 2025-06-01 and 2025-09-15?",
         (dt.date(2025, 9, 15) - dt.date(2025, 6, 1)).days, "dates", None),
        ("Count the words in 'never gonna give you up'", 5, "text", None),
        ("Reverse each word in 'hello big world'", "olleh gib dlrow", "text", None),
        ("Is 'Listen' an anagram of 'Silent', ignoring case?", True, "text", None),
        ("How many times does 'o' appear in 'foo boo zoo'?", "foo boo zoo".count("o"), "text", None),
        ("What is the second smallest number in [15, 3, 22, 8, 1]?", sorted([15, 3, 22, 8, 1])[1], "lists", None),
        ("Sum the even numbers in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", sum(n for n in numbers if n % 2 == 0),
         "lists", None),
        ("Is 64 a perfect square?", True, "numbers", None),
        ("What is 7 percent of 350?", 350 * 7 / 100, "numbers", None),
        ("What is the total quantity of items in inventory.csv?", sum(int(r["quantity"]) for r in inventory),
         "data", "inventory.csv"),
        ("How many items in inventory.csv cost more than 20?", sum(float(r["price"]) > 20 for r in inventory),
         "data", "inventory.csv"),
        ("Which region has the largest single sale in sales.csv?",
         max(sales, key=lambda r: float(r["amount"]))["region"], "data", "sales.csv"),
        ("How many employees in employees.json work in Sales?", sum(e["department"] == "Sales" for e in employees),
         "data", "employees.json"),
        ("What is the sum of all salaries in employees.json?", sum(e["salary"] for e in employees), "data",
         "employees.json"),
        ("What is the average order total in orders.json?", round(sum(o["total"] for o in orders) / len(orders), 2),
         "data", "orders.json"),
    ]
    return as_items(items)


if __name__ == "__main__":
    (HERE / "postfreeze-1204b.json").write_text(json.dumps(build(), indent=1) + "\n")
