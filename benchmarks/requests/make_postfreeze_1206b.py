"""Writes `postfreeze-1206b.json`: 20 fresh requests written on 2026-12-06 after the code was frozen at the
commit that drops spec parameters the request has no value for (counted from the request's values, no
model judgement), before any result on them was seen. Three read data files. New wordings: none of these
sentences is in an earlier set. (postfreeze-1206 was spoiled: its first three requests were seen while
the `value_in_request` version of that change failed them, and the change was rewritten.)

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1206b.py
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
    return as_items([
        ("How many ounces are in 3 pounds?", 48, "conversion", None),
        ("Express 150 minutes in hours", 2.5, "conversion", None),
        ("What is 37 degrees Celsius in Fahrenheit?", 37 * 9 / 5 + 32, "conversion", None),
        ("How many centimeters are 4 inches?", 4 * 2.54, "conversion", None),
        ("What weekday is 2027-05-01?", D(2027, 5, 1).strftime("%A"), "dates", None),
        ("Add 21 days to 2025-12-20. What date is it?", (D(2025, 12, 20) + dt.timedelta(days=21)).isoformat(),
         "dates", None),
        ("How many weeks are there between 2026-01-05 and 2026-03-02?", (D(2026, 3, 2) - D(2026, 1, 5)).days // 7,
         "dates", None),
        ("Make 'Data Science' all lowercase", "data science", "text", None),
        ("What is the length of the string 'supercalifragilistic'?", len("supercalifragilistic"), "text", None),
        ("Reverse the letters of 'drawer'", "reward", "text", None),
        ("Does 'pineapple' contain the substring 'apple'?", True, "text", None),
        ("What is the sum of [11, 22, 33, 44]?", 110, "lists", None),
        ("Which is the second largest number in [4, 19, 7, 12]?", 12, "lists", None),
        ("How many even numbers are in [1, 2, 3, 4, 5, 6, 8]?", 4, "lists", None),
        ("What is 9 squared?", 81, "numbers", None),
        ("What is the square root of 2025?", math.sqrt(2025), "numbers", None),
        ("Round 3.14159 to 3 decimal places", 3.142, "numbers", None),
        ("What is the lowest amount recorded in sales.csv?",
         min(float(r["amount"]) for r in sales), "data", "sales.csv"),
        ("How many distinct categories are there in inventory.csv?", len({r["category"] for r in inventory}),
         "data", "inventory.csv"),
        ("How many people in employees.json earn more than 60000?", sum(e["salary"] > 60000 for e in employees), "data",
         "employees.json"),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1206b.json").write_text(json.dumps(build(), indent=1) + "\n")
