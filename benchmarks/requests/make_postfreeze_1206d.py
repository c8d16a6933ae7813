"""Writes `postfreeze-1206d.json`: 20 fresh requests written on 2026-12-06 (evening session) at commit
455247b, before any result on them was seen. No synthesis or routing code changed in this session before
they were written, so they test the code as the previous session froze it. Three read data files. New
wordings: none of these sentences is in an earlier set.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1206d.py
"""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent
D = dt.date


def _top_region(rows: list[dict]) -> str:
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["region"]] = totals.get(r["region"], 0.0) + float(r["amount"])
    return max(totals, key=totals.get)


def build() -> list[dict]:
    sales = read_csv("sales.csv")
    inventory = read_csv("inventory.csv")
    orders = read_json("orders.json")["orders"]
    return as_items([
        ("How many feet are in 2 miles?", 2 * 5280, "conversion", None),
        ("Convert 90 kilometers per hour to meters per second", 90 / 3.6, "conversion", None),
        ("What is 1.5 liters in milliliters?", 1500, "conversion", None),
        ("How many seconds are in 3 hours?", 3 * 3600, "conversion", None),
        ("Which day of the week will 2028-02-29 be?", D(2028, 2, 29).strftime("%A"), "dates", None),
        ("How many days are left in the year after 2026-10-15?", (D(2026, 12, 31) - D(2026, 10, 15)).days,
         "dates", None),
        ("How many hours are there between 08:15 and 17:45?", 9.5, "dates", None),
        ("Count the uppercase letters in 'NASA Launches Rockets'", sum(c.isupper() for c in "NASA Launches Rockets"),
         "text", None),
        ("Replace every space in 'open source code' with a dash", "open-source-code", "text", None),
        ("What are the first 3 characters of 'lighthouse'?", "lig", "text", None),
        ("How many times does the letter 'e' appear in 'excellence'?", "excellence".count("e"), "text", None),
        ("What is the product of [2, 3, 4, 5]?", 120, "lists", None),
        ("Sort [9, 2, 7, 4] in descending order", [9, 7, 4, 2], "lists", None),
        ("What is the average of [10, 15, 20, 35]?", 20.0, "lists", None),
        ("What remainder is left when 47 is divided by 6?", 47 % 6, "numbers", None),
        ("Is 1221 a palindromic number?", True, "numbers", None),
        ("Find the smallest number that both 8 and 12 divide evenly", math.lcm(8, 12), "numbers", None),
        ("Which region has the highest total amount in sales.csv?", _top_region(sales), "data", "sales.csv"),
        ("How many items in inventory.csv cost less than 5?", sum(float(r["price"]) < 5 for r in inventory),
         "data", "inventory.csv"),
        ("What is the combined total of the shipped orders in orders.json?",
         sum(o["total"] for o in orders if o["status"] == "shipped"), "data", "orders.json"),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1206d.json").write_text(json.dumps(build(), indent=1) + "\n")
