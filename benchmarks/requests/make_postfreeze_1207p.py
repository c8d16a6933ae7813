"""Writes `postfreeze-1207p.json`: 20 fresh requests written on 2026-12-07 (sixth session) after commit
d52694c froze the code (restated needs in their own module; synthesis reuses routing's spec), before any
result of that code was seen.

Shaped like `postfreeze-1207o`: a user's day in one growing library, run in order. Eight everyday requests
create tools (three unit conversions: acres to hectares, miles per hour to km per hour, Fahrenheit to
Kelvin; two text tasks: shortest word, initials; two list tasks: mean, highest minus lowest; one money word
problem: a bill with a tip split evenly), six later ones ask for the same thing as six of those in other
everyday words and with other values (a reuse is right; a new tool is acceptable if its answer is right),
three ask for a near twin of an earlier tool (hectares to acres, the longest word of a similar sentence, the
median of a similar list), where reusing the earlier tool would answer wrongly, and three are small date or
counting questions. None of these sentences is in an earlier set; every `expect` is computed here.

    python benchmarks/requests/make_postfreeze_1207p.py
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import statistics
from fractions import Fraction
from pathlib import Path

from postfreeze_set import as_items

HERE = Path(__file__).resolve().parent
M2_PER_ACRE = Fraction("4046.8564224")  # exact, by definition
M2_PER_HECTARE = 10000  # exact, by definition
KM_PER_MILE = Fraction("1.609344")  # exact, by definition (1 mph = 0.44704 m/s = 1.609344 km/h)
D = dt.date


def acres_to_hectares(acres) -> float:
    return float(Fraction(str(acres)) * M2_PER_ACRE / M2_PER_HECTARE)


def hectares_to_acres(hectares) -> float:
    return float(Fraction(str(hectares)) * M2_PER_HECTARE / M2_PER_ACRE)


def mph_to_kmh(mph) -> float:
    assert KM_PER_MILE == Fraction("0.44704") * Fraction("3.6")
    return float(Fraction(str(mph)) * KM_PER_MILE)


def fahrenheit_to_kelvin(f) -> float:
    return float((Fraction(str(f)) - 32) * Fraction(5, 9) + Fraction("273.15"))


def _unique_by_length(text: str, pick) -> str:
    words = text.split()
    best = pick(len(w) for w in words)
    found = [w for w in words if len(w) == best]
    assert len(found) == 1, found  # the answer must be unambiguous
    return found[0]


def shortest_word(text: str) -> str:
    return _unique_by_length(text, min)


def longest_word(text: str) -> str:
    return _unique_by_length(text, max)


def initials(name: str) -> str:
    assert all(w[0].isupper() for w in name.split())  # no doubt about the letters' case
    return "".join(w[0] for w in name.split())


def spread(values: list) -> int:
    return max(values) - min(values)


def share_with_tip(bill, tip_percent, people) -> float:
    return float(Fraction(str(bill)) * (100 + Fraction(str(tip_percent))) / 100 / people)


def weekdays_in_month(year: int, month: int, weekday: int) -> int:
    days = calendar.monthrange(year, month)[1]
    return sum(1 for d in range(1, days + 1) if D(year, month, d).weekday() == weekday)


def build() -> list[dict]:
    harbour_a = "lanterns glowed along the quiet harbour"
    harbour_b = "lanterns flickered along the quiet harbour"
    temps = [18, 22, 19, 25, 21]
    middle = [16, 30, 19, 24, 20]
    # the near twins must differ from what the earlier tool would say
    assert shortest_word(harbour_b) != longest_word(harbour_b)
    assert statistics.median(middle) != statistics.mean(middle)
    assert hectares_to_acres(3) != acres_to_hectares(3)
    return as_items([
        # tools are created
        ("Our allotment is 2.5 acres; what is that in hectares?", acres_to_hectares(2.5), "conversion", None),
        ("If the speed limit is 65 mph, how fast is that in km per hour?", mph_to_kmh(65), "conversion", None),
        ("My thermometer reads 98.6 degrees F. How many kelvin is that?", fahrenheit_to_kelvin(98.6), "conversion",
         None),
        (f"What's the shortest word in '{harbour_a}'?", shortest_word(harbour_a), "text", None),
        ("What are the initials of 'Grace Brewster Murray Hopper'?", initials("Grace Brewster Murray Hopper"),
         "text", None),
        ("Find the average of 18, 22, 19, 25 and 21", statistics.mean(temps), "lists", None),
        ("How wide is the range of 41, 17, 56, 23, 38 (biggest minus smallest)?", spread([41, 17, 56, 23, 38]),
         "lists", None),
        ("A dinner bill of 84 plus a 15% tip is split evenly among 4 people. How much does each person pay?",
         share_with_tip(84, 15, 4), "numbers", None),
        # the same things in other words, with other values
        ("The farm next door is 40 acres. How many hectares is it?", acres_to_hectares(40), "conversion", None),
        ("my car's dashboard shows 42 miles per hour - what would that read in kilometres an hour?",
         mph_to_kmh(42), "conversion", None),
        ("It's 14 F outside this morning; what is that on the kelvin scale?", fahrenheit_to_kelvin(14),
         "conversion", None),
        ("Give me the acronym for 'Portable Network Graphics'", initials("Portable Network Graphics"), "text",
         None),
        ("This week's daily step counts were 8200, 11450, 6900, 9700 and 10300 - how far apart are the best "
         "and worst days?", spread([8200, 11450, 6900, 9700, 10300]), "lists", None),
        ("Five of us shared a 130 restaurant bill and added a 20 percent tip; what is each person's share?",
         share_with_tip(130, 20, 5), "numbers", None),
        # near twins: another direction or a sibling task
        ("How many acres is a 3 hectare field, rounded to 2 decimals?", round(hectares_to_acres(3), 2),
         "conversion", None),
        (f"Find the longest word in '{harbour_b}'", longest_word(harbour_b), "text", None),
        ("What's the median of 16, 30, 19, 24, 20?", statistics.median(middle), "lists", None),
        # small date and counting questions
        ("How many Fridays are there in October 2027?", weekdays_in_month(2027, 10, calendar.FRIDAY), "dates",
         None),
        ("How many days are in January, February and March of 2028 combined?",
         (D(2028, 4, 1) - D(2028, 1, 1)).days, "dates", None),
        ("How many multiples of 7 are there from 1 to 200?", sum(1 for n in range(1, 201) if n % 7 == 0),
         "numbers", None),
    ])


if __name__ == "__main__":
    (HERE / "postfreeze-1207p.json").write_text(json.dumps(build(), indent=1) + "\n")
