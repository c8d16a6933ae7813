"""Writes `postfreeze-1206.json`: 20 fresh requests written on 2026-12-06 after the code was frozen at the
commit that drops spec parameters the request gives no value to, before any result on them was seen.
Three read data files. New wordings: none of these sentences is in an earlier set.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1206.py
"""
from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent
D = dt.date


def build() -> list[dict]:
    sales = read_csv("sales.csv")
    inventory = read_csv("inventory.csv")
    orders = read_json("orders.json")["orders"]
    return as_items([
        ("How many grams is 2.5 kilograms?", 2500, "conversion", None),
        ("Convert 3 feet to inches", 36, "conversion", None),
        ("What is 100 degrees Celsius in Kelvin?", 373.15, "conversion", None),
        ("How many seconds are in 2.5 hours?", 9000, "conversion", None),
        ("Which weekday was 2024-02-29?", D(2024, 2, 29).strftime("%A"), "dates", None),
        ("What is the date 30 days before 2026-03-15?", (D(2026, 3, 15) - dt.timedelta(days=30)).isoformat(),
         "dates", None),
        ("How many days does February 2023 have?", 28, "dates", None),
        ("Turn 'good morning' into upper case", "GOOD MORNING", "text", None),
        ("How many words does 'the quick brown fox jumps' have?", 5, "text", None),
        ("Write 'racecar level noon' backwards", "racecar level noon"[::-1], "text", None),
        ("Count the letter 'a' in 'banana bandana'", "banana bandana".count("a"), "text", None),
        ("What is the smallest value in [9, 3, 14, 6]?", 3, "lists", None),
        ("Give me the average of 4, 8, 15 and 16", statistics.mean([4, 8, 15, 16]), "lists", None),
        ("Remove duplicates from [3, 1, 3, 2, 1] keeping the first occurrence of each", [3, 1, 2], "lists", None),
        ("Is 221 prime?", False, "numbers", None),
        ("Raise 3 to the 5th power", 3 ** 5, "numbers", None),
        ("What is the greatest common divisor of 84 and 126?", math.gcd(84, 126), "numbers", None),
        ("What is the highest amount in sales.csv?", max(float(r["amount"]) for r in sales), "data", "sales.csv"),
        ("What is the total quantity of all items in inventory.csv?", sum(int(r["quantity"]) for r in inventory),
         "data", "inventory.csv"),
        ("What is the sum of the totals of the shipped orders in orders.json?",
         sum(o["total"] for o in orders if o["status"] == "shipped"), "data", "orders.json"),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1206.json").write_text(json.dumps(build(), indent=1) + "\n")
