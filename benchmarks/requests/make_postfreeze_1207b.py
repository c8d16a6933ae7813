"""Writes `postfreeze-1207b.json`: 18 fresh requests written on 2026-12-07 after commit e08cdb3 froze the
behaviour match (a new tool that an existing tool passes every test of is answered by the existing tool),
before any result of that code on real requests was seen.

Six tools are created; six later requests ask for the same tasks in everyday words (where a behaviour
match should answer with the existing tool), and six ask for a different task of the same shape (same
number and kind of arguments: lowercase vs swap case, square vs cube, length vs distinct letters, mean vs
median, hours→minutes vs minutes→hours, removing spaces vs replacing them), where a match would be a wrong
answer. None of these sentences is in an earlier set; every `expect` is computed here with Python.

    python benchmarks/requests/make_postfreeze_1207b.py
"""
from __future__ import annotations

import json
import statistics
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent


def build() -> list[dict]:
    return as_items([
        # tools are created
        ("Convert 'Hello World' to lowercase", "hello world", "text", None),
        ("What is the square of 12?", 144, "numbers", None),
        ("How many characters are in 'banana'?", len("banana"), "text", None),
        ("What is the average of [2, 4, 9]?", statistics.mean([2, 4, 9]), "lists", None),
        ("Convert 2 hours to minutes", 120, "conversion", None),
        ("Remove all spaces from 'a b c d'", "abcd", "text", None),
        # the same tasks in other words, and different tasks of the same shape, interleaved
        ("write 'GOOD MORNING' in small letters", "good morning", "text", None),
        ("Swap the case of every letter in 'Hello'", "hELLO", "text", None),
        ("what do you get when 9 is multiplied by itself", 81, "numbers", None),
        ("What is the cube of 3?", 27, "numbers", None),
        ("what is the length of the word 'encyclopedia'", len("encyclopedia"), "text", None),
        ("How many distinct letters are in 'banana'?", len(set("banana")), "text", None),
        ("find the mean of 10, 20 and 60", statistics.mean([10, 20, 60]), "lists", None),
        ("What is the median of [2, 4, 9]?", statistics.median([2, 4, 9]), "lists", None),
        ("how many minutes are in 3.5 hours", 3.5 * 60, "conversion", None),
        ("Convert 180 minutes to hours", 180 / 60, "conversion", None),
        ("squeeze out the blanks in 'hello big world'", "hellobigworld", "text", None),
        ("Replace the spaces in 'a b c' with dashes", "a-b-c", "text", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207b.json").write_text(json.dumps(build(), indent=1) + "\n")
