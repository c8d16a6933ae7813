"""Writes `postfreeze-1207k.json`: 20 fresh requests written on 2026-12-07 (third session) after commit
2f8347d froze the code (percentages specified as numbers; the extraction reads the parameter
descriptions), before any result of that code was seen.

Seven involve a percentage or a rate in everyday words, three are word problems, three are yes/no
questions; the rest are everyday conversions, lists, text and dates. None of these sentences is in an
earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207k.py
"""
from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    return as_items([
        ("What is 16% of 225?", 0.16 * 225, "numbers", None),
        ("A phone costs 480 and the shop takes 25% off. What is the price now?", 480 * 0.75, "numbers", None),
        ("My rent of 1500 goes up by 4%. What is the new rent?", 1500 * 1.04, "numbers", None),
        ("How much is a 6% commission on 3500?", 3500 * 0.06, "numbers", None),
        ("What percentage of 80 is 20?", 20 / 80 * 100, "numbers", None),
        ("Add 19% VAT to a net price of 200", 200 * 1.19, "numbers", None),
        ("A savings account pays 2% a year on 5000. How much interest after one year?", 5000 * 0.02, "numbers",
         None),
        ("Pencils come in packs of 8. How many packs are needed for 50 pencils?", math.ceil(50 / 8), "numbers",
         None),
        ("A car uses 6 liters per 100 km. How many liters for 350 km?", 6 * 350 / 100, "numbers", None),
        ("Three friends split a bill of 87 equally. How much does each pay?", 87 / 3, "numbers", None),
        ("Is 121 a perfect square?", True, "numbers", None),
        ("Does 'banana' start with 'ba'?", True, "text", None),
        ("Is 45 an even number?", False, "numbers", None),
        ("Convert 5 feet to centimeters", 5 * 30.48, "conversion", None),
        ("How many grams are in 2.5 kilograms?", 2500, "conversion", None),
        ("What is the average of 10, 20, 30 and 45?", (10 + 20 + 30 + 45) / 4, "lists", None),
        ("How many numbers in 3, 8, 12, 7, 20 are greater than 7?", sum(n > 7 for n in (3, 8, 12, 7, 20)), "lists",
         None),
        ("Reverse the string 'stressed'", "desserts", "text", None),
        ("How many times does 'a' appear in 'banana'?", 3, "text", None),
        ("How many days are between 2026-03-01 and 2026-04-15?", (dt.date(2026, 4, 15) - dt.date(2026, 3, 1)).days,
         "dates", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207k.json").write_text(json.dumps(build(), indent=1) + "\n")
