"""Writes `postfreeze-1204d.json`: 20 fresh requests written on 2026-12-04 (a new session) while the suite ran
on the commit "Arbitration: a lone implementation ... is verified only when at least two of the cases it
passes are stated or informative", before any result on them was seen. Four read data files.

Nobody tuned anything on these. Every `expect` is computed here with Python; data requests read the same
files as `requests.json`.

    python benchmarks/requests/make_postfreeze_1204d.py
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
    inventory = read_csv("inventory.csv")
    employees = read_json("employees.json")
    orders = read_json("orders.json")["orders"]
    items = [
        ("How many centimeters is 5 feet?", round(5 * 30.48, 2), "conversion", None),
        ("Convert 3 tablespoons to teaspoons", 9, "conversion", None),
        ("What is 300 Kelvin in Celsius?", round(300 - 273.15, 2), "conversion", None),
        ("How many minutes are in 4.5 hours?", 4.5 * 60, "conversion", None),
        ("What weekday is 2031-05-17?", D(2031, 5, 17).strftime("%A"), "dates", None),
        ("Which date comes 90 days after 2025-11-20?", (D(2025, 11, 20) + dt.timedelta(days=90)).isoformat(),
         "dates", None),
        ("How many days separate 2024-02-10 and 2024-03-10?", (D(2024, 3, 10) - D(2024, 2, 10)).days, "dates", None),
        ("Is the year 1996 a leap year?", True, "dates", None),
        ("How many digits are in the string 'a1b22c333'?", sum(ch.isdigit() for ch in "a1b22c333"), "text", None),
        ("Capitalize the first letter of every word in 'the old man and the sea'", "The Old Man And The Sea",
         "text", None),
        ("Remove every vowel from 'programming'", "".join(c for c in "programming" if c not in "aeiou"), "text", None),
        ("Is 'stats' spelled the same forwards and backwards?", "stats" == "stats"[::-1], "text", None),
        ("What is the product of the numbers in [2, 3, 4, 5]?", 2 * 3 * 4 * 5, "lists", None),
        ("Give me the three largest numbers in [5, 1, 9, 7, 3, 8]", {"any_of": [[9, 8, 7], [7, 8, 9]]}, "lists", None),
        ("What is the range (max minus min) of [12, 45, 7, 30]?", 45 - 7, "lists", None),
        ("What is 3 cubed?", 3 ** 3, "numbers", None),
        ("How many rows of data does inventory.csv contain, not counting the header?", len(inventory), "data",
         "inventory.csv"),
        ("Which department does Carla work in, according to employees.json?",
         next(e["department"] for e in employees if e["name"] == "Carla"), "data", "employees.json"),
        ("What is the average quantity in inventory.csv?",
         round(statistics.mean(int(r["quantity"]) for r in inventory), 2), "data", "inventory.csv"),
        ("How many distinct customers appear in orders.json?", len({o["customer"] for o in orders}), "data",
         "orders.json"),
    ]
    return as_items(items)


if __name__ == "__main__":
    (HERE / "postfreeze-1204d.json").write_text(json.dumps(build(), indent=1) + "\n")
