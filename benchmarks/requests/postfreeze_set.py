"""The shape every post-freeze request set is written in: one item per request, never tuned on."""
from __future__ import annotations


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
