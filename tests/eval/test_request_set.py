"""The shipped request set: schema, size, both halves covering every category, data files present,
and every `expect` still what make_requests.py computes."""
from __future__ import annotations

import collections
import importlib.util
import json
from pathlib import Path

from selfeng.evaluation import load_requests, matches

SET_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "requests"
CATEGORIES = {"conversion", "text", "dates", "lists", "numbers", "data"}


def _items() -> list[dict]:
    return load_requests(SET_DIR / "requests.json")


def test_schema_size_and_splits():
    items = _items()
    assert len(items) >= 70
    allowed = {"request", "expect", "split", "category", "data_files", "note"}
    for it in items:
        assert set(it) <= allowed and it["split"] in ("tune", "holdout") and it["category"] in CATEGORIES
        assert it["request"].strip() == it["request"] and it["request"]
    assert len({it["request"] for it in items}) == len(items)
    per = collections.Counter((it["category"], it["split"]) for it in items)
    for category in CATEGORIES:
        for split in ("tune", "holdout"):
            assert per[(category, split)] >= 5, (category, split)
    halves = collections.Counter(it["split"] for it in items)
    assert abs(halves["tune"] - halves["holdout"]) <= len(items) // 10


def test_data_files_exist_and_data_requests_name_them():
    for it in _items():
        for name in it.get("data_files", []):
            assert (SET_DIR / "data" / name).is_file(), name
            assert name in it["request"]
        if it["category"] == "data":
            assert it.get("data_files")


def test_issue_examples_and_stated_examples_are_included():
    requests = {it["request"] for it in _items()}
    for r in ("Convert 5 miles to kilometers, rounded to 2 decimals", "What day of the week was 2000-01-01?",
              "Convert 'Hello World' to snake_case", "What is the total of the amount column in sales.csv?",
              "What is the average amount in sales.csv?"):
        assert r in requests
    assert sum(("e.g." in r or "For example" in r or "is day 1" in r) for r in requests) >= 3
    assert (SET_DIR / "data" / "sales.csv").read_text().splitlines()[0] == "id,region,amount"


def test_expects_are_what_the_generator_computes():
    spec = importlib.util.spec_from_file_location("make_requests", SET_DIR / "make_requests.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    regenerated = json.loads(json.dumps(gen.order_and_split(gen.items()), ensure_ascii=False))
    assert regenerated == _items()
    for it in _items():  # every expect (or each alternative) is accepted by the matching rule itself
        alternatives = it["expect"]["any_of"] if isinstance(it["expect"], dict) and "any_of" in it["expect"] \
            else [it["expect"]]
        assert all(matches(a, it["expect"]) for a in alternatives)
    for name, text in (("sales.csv", gen.SALES_CSV), ("inventory.csv", gen.INVENTORY_CSV)):
        assert (SET_DIR / "data" / name).read_text() == text


def test_repeats_come_after_the_first_requests_of_their_category():
    items = _items()
    for i, it in enumerate(items):
        if "note" in it:
            firsts = [j for j, x in enumerate(items) if x["category"] == it["category"] and "note" not in x]
            assert max(firsts) < i
