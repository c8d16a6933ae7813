"""Writes `postfreeze-1207f.json`: 20 fresh requests written on 2026-12-07 after commit bebbb83 froze the
code (the spec prompt: each parameter takes its value as the request writes it), before any result of that
code was seen.

Seven involve a percentage in everyday forms; the rest are everyday conversions, numbers, text and dates,
to see that the prompt change costs nothing elsewhere. None of these sentences is in an earlier set; every
`expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207f.py
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    return as_items([
        ("How much is 35% of 260?", 0.35 * 260, "numbers", None),
        ("What do I pay for a 120 dollar jacket at 30% off?", 120 * 0.70, "numbers", None),
        ("Include a 10% service charge on a bill of 85", 85 * 1.10, "numbers", None),
        ("What is 6 percent of 1500?", 0.06 * 1500, "numbers", None),
        ("If I scored 45 out of 60, what percentage is that?", 45 / 60 * 100, "numbers", None),
        ("A population of 2000 grows by 5%. What is it now?", 2000 * 1.05, "numbers", None),
        ("How much is 12.5% of 48?", 0.125 * 48, "numbers", None),
        ("Convert 12 feet to meters, rounded to 2 decimals", round(12 * 0.3048, 2), "conversion", None),
        ("How many minutes are in 2 days?", 2 * 24 * 60, "conversion", None),
        ("What is 17 times 23?", 17 * 23, "numbers", None),
        ("Is 91 divisible by 7?", 91 % 7 == 0, "numbers", None),
        ("What is the largest of 18, 42, 7 and 33?", 42, "lists", None),
        ("Turn 'good night moon' into upper case", "GOOD NIGHT MOON", "text", None),
        ("How many words are in 'jack and jill went up the hill'?", 7, "text", None),
        ("What is the last character of 'pineapple'?", "e", "text", None),
        ("What date is 3 weeks after 2026-02-10?", (dt.date(2026, 2, 10) + dt.timedelta(weeks=3)).isoformat(),
         "dates", None),
        ("How many days are there from 2026-06-01 to 2026-08-15?",
         (dt.date(2026, 8, 15) - dt.date(2026, 6, 1)).days, "dates", None),
        ("What is the square root of 169?", 13, "numbers", None),
        ("Sort 9, 2, 14, 5 from smallest to largest", [2, 5, 9, 14], "lists", None),
        ("Remove the vowels from 'programming'", "prgrmmng", "text", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207f.json").write_text(json.dumps(build(), indent=1) + "\n")
