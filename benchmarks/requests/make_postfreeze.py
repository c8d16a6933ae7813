"""Writes `postfreeze.json`: fresh requests written after the synthesis code was frozen (2026-12-02).

Nobody tuned anything on these; they check that the figures on `requests.json` carry over to new wording.
Every `expect` is computed here with Python. Data requests read the same files as `requests.json`.

    python benchmarks/requests/make_postfreeze.py
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent


def sales() -> list[dict]:
    with open(HERE / "data" / "sales.csv", newline="") as f:
        return list(csv.DictReader(f))


def build() -> list[dict]:
    rows = sales()
    south = round(sum(float(r["amount"]) for r in rows if r["region"] == "South"), 2)
    items = [
        ("How many centimeters are in 5 feet?", round(5 * 30.48, 2), "conversion"),
        ("Convert 3 kilometers to meters", 3000, "conversion"),
        ("How many ounces are in 2 pounds?", 32, "conversion"),
        ("What weekday did 2021-12-25 fall on?", dt.date(2021, 12, 25).strftime("%A"), "dates"),
        ("How many days are in February 2028?", 29, "dates"),
        ("Add 3 weeks to 2024-02-20 and give the date", str(dt.date(2024, 2, 20) + dt.timedelta(weeks=3)), "dates"),
        ("Reverse the order of the words in 'one two three four'", "four three two one", "text"),
        ("How many uppercase letters are in 'Hello World From Python'?", 4, "text"),
        ("Replace every space in 'a quick test' with an underscore", "a_quick_test", "text"),
        ("Does 'level' read the same backwards?", True, "text"),
        ("What is the product of 3, 4 and 5?", 60, "lists"),
        ("Give me the three smallest numbers of [9, 2, 7, 4, 1, 8]", [1, 2, 4], "lists"),
        ("What is the difference between the largest and smallest of 14, 3, 27, 9?", 24, "lists"),
        ("What is 2 to the power of 10?", 1024, "numbers"),
        ("Is 1001 divisible by 7?", 1001 % 7 == 0, "numbers"),
        ("What is the cube root of 27?", round(27 ** (1 / 3)), "numbers"),
        ("How many digits does 2 to the power of 50 have?", len(str(2 ** 50)), "numbers"),
        ("What is the hypotenuse of a right triangle with legs 6 and 8?", math.hypot(6, 8), "numbers"),
        ("What is the total amount of the South region's sales in sales.csv?", south, "data"),
        ("How many rows does sales.csv have?", len(rows), "data"),
    ]
    out = []
    for request, expect, category in items:
        item = {"request": request, "expect": expect, "split": "holdout", "category": category}  # never tuned on
        if ".csv" in request:
            item["data_files"] = ["sales.csv"]
        out.append(item)
    return out


if __name__ == "__main__":
    (HERE / "postfreeze.json").write_text(json.dumps(build(), indent=1) + "\n")
