"""Writes `postfreeze-1204c.json`: 10 fresh date requests written on 2026-12-04 after commit "Synthesis:
'module datetime has no attribute strptime' ... fixed from the traceback" froze the code, before any result
was seen. Dates are where the pipeline failed most on requests that single-shot solves (the datetime
module/class mix-up among the causes), so this set checks that fix on wording nobody tuned on.

    python benchmarks/requests/make_postfreeze_1204c.py
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
D = dt.date


def build() -> list[dict]:
    items = [
        ("What date is 30 days after 2025-02-10?", (D(2025, 2, 10) + dt.timedelta(days=30)).isoformat()),
        ("What was the date 60 days before 2024-05-01?", (D(2024, 5, 1) - dt.timedelta(days=60)).isoformat()),
        ("Which weekday was 1969-07-20?", D(1969, 7, 20).strftime("%A")),
        ("On what day of the week does 2026-12-25 fall?", D(2026, 12, 25).strftime("%A")),
        ("How many days are there from 2022-11-15 to 2023-02-14?", (D(2023, 2, 14) - D(2022, 11, 15)).days),
        ("How many days does March 2031 have?", calendar.monthrange(2031, 3)[1]),
        ("Is 2032 a leap year?", calendar.isleap(2032)),
        ("Add 10 weeks to 2024-12-01 and give the date", (D(2024, 12, 1) + dt.timedelta(weeks=10)).isoformat()),
        ("What is the day of the year of 2024-03-01? (January 1 is day 1)", D(2024, 3, 1).timetuple().tm_yday),
        ("How many full years are there between 2001-09-09 and 2025-09-08?", 23),
    ]
    return [{"request": r, "expect": e, "split": "holdout", "category": "dates"} for r, e in items]


if __name__ == "__main__":
    (HERE / "postfreeze-1204c.json").write_text(json.dumps(build(), indent=1) + "\n")
