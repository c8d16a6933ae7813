"""Writes `postfreeze-1207s.json`: 20 fresh requests written on 2026-12-07 (seventh session) after commit
0bf4d21 froze the code (a tool the model chose from below the floor is taken only when a second, sampled
direct solution agrees), before any result of that code was seen.

Shaped like `postfreeze-1207p`: a user's day in one growing library, run in order. Eight everyday requests
create tools (three unit conversions: knots to km per hour, stone to kilograms to the nearest tenth, kelvin
to Fahrenheit; two text tasks: word count, words in reverse order; two list tasks: sum of the even numbers,
second largest; one money word problem: change from a note after buying several items), six later ones ask
for the same thing as six of those in other everyday words and with other values (a reuse is right; a new
tool is acceptable if its answer is right), three ask for a near twin of an earlier tool (kilograms to
stone, each word spelt backwards in place, the sum of the odd numbers), where reusing the earlier tool would
answer wrongly, and three are small date, counting or text questions. None of these sentences is in an
earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207s.py
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent
KM_PER_NAUTICAL_MILE = Fraction("1.852")  # exact, by definition (1 knot = 1852 m per hour)
KG_PER_POUND = Fraction("0.45359237")  # exact, by definition
POUNDS_PER_STONE = 14  # exact, by definition
KG_PER_STONE = POUNDS_PER_STONE * KG_PER_POUND  # 6.35029318 kg
D = dt.date


def rounded(value: Fraction, places: int) -> float:
    """`value` to `places` decimals, refusing a value whose rounding could be read two ways (a tie)."""
    scaled = value * 10 ** places
    assert scaled.denominator == 1 or (scaled - (scaled.numerator // scaled.denominator)) != Fraction(1, 2)
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def knots_to_kmh(knots) -> float:
    return float(Fraction(str(knots)) * KM_PER_NAUTICAL_MILE)


def stone_to_kg(stone) -> Fraction:
    assert KG_PER_STONE == Fraction("6.35029318")
    return Fraction(str(stone)) * KG_PER_STONE


def kg_to_stone(kg) -> Fraction:
    return Fraction(str(kg)) / KG_PER_STONE


def kelvin_to_fahrenheit(k) -> float:
    return float((Fraction(str(k)) - Fraction("273.15")) * Fraction(9, 5) + 32)


def word_count(text: str) -> int:
    return len(text.split())


def words_reversed(text: str) -> str:
    return " ".join(reversed(text.split()))


def each_word_backwards(text: str) -> str:
    return " ".join(w[::-1] for w in text.split())


def sum_even(values: list) -> int:
    return sum(v for v in values if v % 2 == 0)


def sum_odd(values: list) -> int:
    return sum(v for v in values if v % 2 == 1)


def second_largest(values: list) -> int:
    assert len(set(values)) == len(values)  # no doubt about ties
    return sorted(values)[-2]


def change_from(note, count, price) -> float:
    return float(Fraction(str(note)) - count * Fraction(str(price)))


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def build() -> list[dict]:
    rhyme = "red sky at night"
    tea = "cold tea in the morning"
    odds = [13, 6, 27, 10, 4, 15]
    # the near twins must differ from what the earlier tool would say
    assert each_word_backwards(tea) != words_reversed(tea)
    assert sum_odd(odds) != sum_even(odds)
    assert rounded(kg_to_stone(80), 2) != rounded(stone_to_kg(80), 2)
    return as_items([
        # tools are created
        ("A sailboat is making 12 knots. What's that in kilometres per hour?", knots_to_kmh(12), "conversion",
         None),
        ("I weigh 11 stone. How many kilograms is that, to the nearest tenth?", rounded(stone_to_kg(11), 1),
         "conversion", None),
        ("My lab sample sits at 310 K; what is that in degrees Fahrenheit?", kelvin_to_fahrenheit(310),
         "conversion", None),
        ("How many words are in 'the early train leaves before the sun is up'?",
         word_count("the early train leaves before the sun is up"), "text", None),
        (f"Reverse the order of the words in '{rhyme}'", words_reversed(rhyme), "text", None),
        ("Add up only the even numbers in 14, 9, 22, 5, 31, 8", sum_even([14, 9, 22, 5, 31, 8]), "lists", None),
        ("What is the second largest number in 47, 83, 12, 66, 91, 30?",
         second_largest([47, 83, 12, 66, 91, 30]), "lists", None),
        ("I buy 3 notebooks at 4.75 each and pay with a 20 note. How much change should I get?",
         change_from(20, 3, "4.75"), "numbers", None),
        # the same things in other words, with other values
        ("the ferry cruises at 18.5 knots - how many km an hour is that?", knots_to_kmh(18.5), "conversion",
         None),
        ("My suitcase weighs 3.5 stone; give me that in kg rounded to 1 decimal place",
         rounded(stone_to_kg(3.5), 1), "conversion", None),
        ("Liquid nitrogen is kept at 77 kelvin; what temperature is that in Fahrenheit?",
         kelvin_to_fahrenheit(77), "conversion", None),
        ("count the words in this line: 'please bring two folding chairs and a blanket'",
         word_count("please bring two folding chairs and a blanket"), "text", None),
        ("Out of these exam marks - 72, 95, 88, 61, 79 - which mark is the second highest?",
         second_largest([72, 95, 88, 61, 79]), "lists", None),
        ("Six coffees at 3.40 apiece, paid for with a 50 - what change comes back?", change_from(50, 6, "3.40"),
         "numbers", None),
        # near twins: another direction or a sibling task
        ("How many stone is 80 kg, to 2 decimal places?", rounded(kg_to_stone(80), 2), "conversion", None),
        (f"Write every word of '{tea}' backwards but keep the words where they are", each_word_backwards(tea),
         "text", None),
        ("What do the odd numbers in 13, 6, 27, 10, 4, 15 add up to?", sum_odd(odds), "lists", None),
        # small date, counting and text questions
        ("How many days after 2027-02-14 is 2027-06-01?", (D(2027, 6, 1) - D(2027, 2, 14)).days, "dates", None),
        ("How many leap years are there from 2001 to 2100, both included?",
         sum(1 for y in range(2001, 2101) if is_leap(y)), "dates", None),
        ("How many different letters are in the word 'bookkeeper'?", len(set("bookkeeper")), "text", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207s.json").write_text(json.dumps(build(), indent=1) + "\n")
