"""Writes `postfreeze-1207e.json`: 20 fresh requests written on 2026-12-07 after commit 804dcdd froze the
code (the contested agreement's repair, shown the direct answer without the spec's parameter
descriptions; one input is one input in `cases.merge`), before any result of that code was seen.

Eight ask for percentages in everyday forms (of, tax, discount, tip, change, increase, a fractional
percent), where drafts of one spec were seen to misread the percentage together; the rest are everyday
conversions (rounded as asked), numbers, text, one per-word count and two data-file questions. None of these
sentences is in an earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207e.py
"""
from __future__ import annotations

import json
import statistics
from pathlib import Path

from postfreeze_set import as_items, read_csv, read_json

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    stock = read_csv("inventory.csv")
    orders = read_json("orders.json")["orders"]
    return as_items([
        ("What is 15 percent of 80?", 0.15 * 80, "numbers", None),
        ("Add 8% sales tax to a price of 45", round(45 * 1.08, 2), "numbers", None),
        ("A shirt costs 60 and is 25% off; what is the sale price?", 60 * 0.75, "numbers", None),
        ("What is a 15% tip on a bill of 42?", round(42 * 0.15, 2), "numbers", None),
        ("By what percent did a price go from 80 to 100?", (100 - 80) / 80 * 100, "numbers", None),
        ("Convert 10 kilograms to pounds, rounded to 2 decimals", round(10 / 0.45359237, 2), "conversion", None),
        ("How many hours are in 3 days?", 72, "conversion", None),
        ("What is the cube of 7?", 7 ** 3, "numbers", None),
        ("Reverse the order of the words in 'one two three'", "three two one", "text", None),
        ("How many times does the letter 'l' appear in 'hello world'?", "hello world".count("l"), "text", None),
        ("Is 49 a perfect square?", True, "numbers", None),
        ("What is the greatest common divisor of 84 and 36?", 12, "numbers", None),
        ("Convert 100 Fahrenheit to Celsius, rounded to 1 decimal", round((100 - 32) * 5 / 9, 1), "conversion", None),
        ("What is the average of 3, 9, 12 and 20?", statistics.mean([3, 9, 12, 20]), "lists", None),
        ("How many characters are in each word of 'big red dog'?",
         {"any_of": [[3, 3, 3], {"big": 3, "red": 3, "dog": 3}]}, "text", None),
        ("What is 2.5% of 1200?", 0.025 * 1200, "numbers", None),
        ("Which customer in orders.json has the largest single order total?",
         max(orders, key=lambda o: o["total"])["customer"], "data", "orders.json"),
        ("What is the lowest price in inventory.csv?", min(float(r["price"]) for r in stock), "data", "inventory.csv"),
        ("Convert 1.5 hours to seconds", 5400, "conversion", None),
        ("What is 250 increased by 20%?", 250 * 1.2, "numbers", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207e.json").write_text(json.dumps(build(), indent=1) + "\n")
