"""Writes `postfreeze-1206f.json`: 20 fresh requests written on 2026-12-06 (late evening) after commit 3351c32
froze the implementation-prompt change (parameter descriptions shown to the implementer) and the spec
prompt's float rule, before any result on these was seen. Several have fractional answers or inputs in a
written format (times, dates, percentages), which those changes concern; the rest are everyday requests of
the usual kinds. None of these sentences is in an earlier set.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1206f.py
"""
from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent
D = dt.date


def build() -> list[dict]:
    sales = read_csv("sales.csv")
    inventory = read_csv("inventory.csv")
    employees = read_json("employees.json")
    return as_items([
        ("How many minutes pass between 09:40 and 11:05?", 85, "dates", None),
        ("How many hours is 150 minutes?", 2.5, "conversion", None),
        ("What is the average of 3, 4 and 6?", statistics.mean([3, 4, 6]), "numbers", None),
        ("Convert 3 feet to meters", 3 * 0.3048, "conversion", None),
        ("How many weeks are there in 100 days?", 100 / 7, "conversion", None),
        ("What weekday was 2019-03-14?", "Thursday", "dates", None),
        ("How many days old is someone born on 2020-02-29 on 2026-12-06?",
         (D(2026, 12, 6) - D(2020, 2, 29)).days, "dates", None),
        ("What fraction of 80 is 12, as a percentage?", 15.0, "numbers", None),
        ("Swap the case of every letter in 'Hello World'", "hELLO wORLD", "text", None),
        ("How many times does 'an' occur in 'banana bandana'?", "banana bandana".count("an"), "text", None),
        ("Turn 'the lord of the rings' into title case", "The Lord Of The Rings", "text", None),
        ("Join the words ['red', 'green', 'blue'] with a comma and a space", "red, green, blue", "text", None),
        ("What is the sum of the even numbers in [3, 8, 10, 5, 6]?", 24, "lists", None),
        ("Give me the last 2 items of [4, 9, 1, 7]", [1, 7], "lists", None),
        ("What is 2 raised to the 12th power?", 2 ** 12, "numbers", None),
        ("Divide 7 by 4", 1.75, "numbers", None),
        ("What is the average amount in sales.csv?",
         round(statistics.mean(float(r["amount"]) for r in sales), 4), "data", "sales.csv"),
        ("How many items in inventory.csv have a quantity above 10?",
         sum(int(r["quantity"]) > 10 for r in inventory), "data", "inventory.csv"),
        ("Who earns the most in employees.json?", max(employees, key=lambda e: e["salary"])["name"], "data",
         "employees.json"),
        ("What is the total salary of the Engineering department in employees.json?",
         sum(e["salary"] for e in employees if e["department"] == "Engineering"), "data", "employees.json"),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1206f.json").write_text(json.dumps(build(), indent=1) + "\n")
