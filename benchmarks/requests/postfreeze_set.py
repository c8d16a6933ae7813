"""The shape every post-freeze request set is written in: one item per request, never tuned on."""
from __future__ import annotations

import csv
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def as_items(rows: list[tuple]) -> list[dict]:
    """`(request, expect, category, data_file or None)` rows as request-set items, all in the holdout split
    (nobody tunes on a post-freeze set)."""
    out = []
    for request, expect, category, data_file in rows:
        item = {"request": request, "expect": expect, "split": "holdout", "category": category}
        if data_file:
            item["data_files"] = [data_file]
        out.append(item)
    return out


def read_csv(name: str) -> list[dict]:
    """Rows of a data file every request set shares (`data/`), as dicts of text."""
    with open(DATA / name, newline="") as f:
        return list(csv.DictReader(f))


def read_json(name: str):
    return json.loads((DATA / name).read_text())
