"""Writes `postfreeze-1206c.json`: 12 fresh requests written on 2026-12-06 after commit 5e0aed5 (a month
named in words grounds a month number) froze the code, before any result on them was seen. One reads a
data file. New wordings: none of these sentences is in an earlier set.

Nobody tuned anything on these. Every `expect` is computed here with Python.

    python benchmarks/requests/make_postfreeze_1206c.py
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
from pathlib import Path

from postfreeze_set import as_items, read_json

HERE = Path(__file__).resolve().parent
D = dt.date


def build() -> list[dict]:
    orders = read_json("orders.json")["orders"]
    return as_items([
        ("How many days were there in November 2031?", calendar.monthrange(2031, 11)[1], "dates", None),
        ("What day of the week did 2019-07-04 fall on?", D(2019, 7, 4).strftime("%A"), "dates", None),
        ("Which date is 10 weeks after 2026-06-01?", (D(2026, 6, 1) + dt.timedelta(weeks=10)).isoformat(), "dates",
         None),
        ("How many yards is 90 feet?", 30, "conversion", None),
        ("How many millimeters are in 7.5 centimeters?", 75, "conversion", None),
        ("What is 350 Kelvin in Celsius?", 350 - 273.15, "conversion", None),
        ("Swap the case of every letter in 'PyThOn'", "PyThOn".swapcase(), "text", None),
        ("How many times does the substring 'an' occur in 'banana'?", "banana".count("an"), "text", None),
        ("What is the median of [7, 1, 9, 4, 3]?", 4, "lists", None),
        ("Multiply every number in [2, 5, 7] by 3", [6, 15, 21], "lists", None),
        ("What is 18 percent of 350?", 0.18 * 350, "numbers", None),
        ("How many orders are in orders.json?", len(orders), "data", "orders.json"),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1206c.json").write_text(json.dumps(build(), indent=1) + "\n")
