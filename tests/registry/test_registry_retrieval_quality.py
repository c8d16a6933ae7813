"""Quality regression test for tool retrieval on tests/registry/retrieval_set.json.

Floors are set below the figures measured with benchmarks/bench_retrieval.py (final method, all
requests: top-1 93.5%, decision 87.2%, false positives 2.5%; held-out half: decision 83.3%), with margin
for numeric drift across onnxruntime builds.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfeng.query_text import direction_score, name_pair
from selfeng.retrieval import (DEFAULT_CONFIG, RetrievalConfig, RetrievalIndex, ToolDoc, clean_query,
                              default_threshold, figures, rank_all)

DATA = json.loads((Path(__file__).parent / "retrieval_set.json").read_text())
TOOLS = [ToolDoc(t["name"], t["docstring"], t["signature"]) for t in DATA["tools"]]
REQS = DATA["requests"]


def test_set_is_big_enough_and_consistent():
    names = {t.name for t in TOOLS}
    assert len(names) == len(TOOLS) >= 30
    assert sum(r["label"] is not None for r in REQS) >= 60
    assert sum(r["label"] is None for r in REQS) >= 20
    assert all(r["label"] in names for r in REQS if r["label"])
    assert {r["split"] for r in REQS} == {"tune", "test"}


@pytest.fixture(scope="module")
def final_ranked(embedder):
    idx = RetrievalIndex(embedder, DEFAULT_CONFIG)
    idx.add_many(TOOLS)
    return rank_all(idx, REQS)


def test_final_method_floors(final_ranked, embedder):
    thr = default_threshold(embedder.name)
    f = figures(final_ranked, REQS, thr)
    assert f.top1 >= 0.88, f
    assert f.decision >= 0.80, f
    assert f.false_positive <= 0.15, f
    test = [i for i, r in enumerate(REQS) if r["split"] == "test"]
    held = figures([final_ranked[i] for i in test], [REQS[i] for i in test], thr)
    assert held.decision >= 0.75, held


def test_final_beats_seed_baseline(final_ranked, embedder):
    base = RetrievalIndex(embedder, RetrievalConfig(views=("doc",), clean=False))
    base.add_many(TOOLS)
    b = figures(rank_all(base, REQS), REQS, 0.40)
    f = figures(final_ranked, REQS, default_threshold(embedder.name))
    assert f.decision >= b.decision + 0.10 and f.false_positive <= b.false_positive - 0.3, (b, f)


@pytest.mark.parametrize("raw,clean", [
    ("Reverse the string 'hello world'", "Reverse the string"),
    ("What is 15% of 300?", "What is percent of"),
    ("Convert 100 F to C", "Convert degree fahrenheit to degree celsius"),
    ("25°C to °F please", "degree celsius to degree fahrenheit please"),
    ("5.5 in to cm", "inch to centimetre"),
    ("How many rows are in data/orders.csv?", "How many rows are in csv file"),
    ("Days between 2024-01-01 and 2024-03-15", "Days between date and date"),
    ("Sort [3, 1, 2]", "Sort"),
    ("What's 255 in base 2?", "What's in binary"),
])
def test_query_cleaning(raw, clean):
    assert clean_query(raw) == clean


def test_direction_cue():
    c2f, f2c = name_pair("celsius_to_fahrenheit"), name_pair("fahrenheit_to_celsius")
    q = clean_query("Convert 100 F to C")
    assert direction_score(q, f2c) == 0 and direction_score(q, c2f) == -1
    q = clean_query("How many miles is 10 km?")
    assert direction_score(q, name_pair("km_to_miles")) == 0
    assert direction_score(q, name_pair("miles_to_km")) == -1
    assert name_pair("to_uppercase") is None
