"""Planner rules (issue 8): dependencies, contraction-safe quoting, unsure splits, explicit repeats."""
from __future__ import annotations

import pytest

from selfeng.decompose import (asks_about_a_statement, has_weak_cue, is_explicit_repeat, split_steps,
                               split_steps_checked)


@pytest.mark.parametrize("prompt,deps", [
    ("What's 5 factorial, then double it", [[], [0]]),                                  # contraction, pronoun
    ("Find the gcd of 48 and 18, then check whether the number 17 is prime", [[], []]),  # own input
    ("Double 21, then halve the number", [[], [0]]),                                    # no input of its own
    ("Convert 5 miles to km and then to meters", [[], [0]]),
    ("Reverse 'abc'; then reverse 'xyz'", [[], []]),
    ("Get the factorial of 4, then take its square root", [[], [0]]),
    ("What's 3 factorial? Then what's 4 factorial?", [[], []]),
])
def test_dependencies(prompt, deps):
    assert [s["depends_on"] for s in split_steps(prompt)] == deps


def test_quotes_are_masked_but_contractions_are_not_quotes():
    assert len(split_steps("Reverse 'salt and pepper'")) == 1
    assert len(split_steps("It's late: what's 5 factorial, then double it")) == 2


def test_bare_and_split_is_unsure():
    assert split_steps_checked("Convert 'HELLO' to lowercase and count how many characters there are")[1] is False
    assert split_steps_checked("Calculate 20% of 100 and also find the square root of 64")[1] is True


@pytest.mark.parametrize("prompt,weak", [
    ("Convert 2 hours and 30 minutes into minutes", False),       # one duration in two units
    ("How many centimeters is 5 feet and 3 inches?", False),
    ("What is 1 kg and 250 g in pounds?", False),
    ("Convert 5 km and 10 km to miles", True),                   # two values of one unit: maybe two answers
    ("Calculate 20% of 100 and the square root of 64", True),
    ("Convert 3 hours to minutes and 5 kg to pounds", True),     # two measurements, two kinds
    ("Find the smallest number that both 8 and 12 divide evenly", False),  # a correlative pair of values
    ("How many primes are there between 10 and 50?", False),
    ("Is 'abc' between 'abd' and 'abz' in dictionary order?", False),
])
def test_an_and_inside_one_compound_quantity_is_no_step_boundary(prompt, weak):
    assert has_weak_cue(prompt) is weak


@pytest.mark.parametrize("prompt,repeat", [
    ("the same for 400", True), ("again with 'abc'", True), ("what about 12?", True),
    ("is it prime too?", False), ("convert it to binary too", False), ("reverse this also", False),
])
def test_explicit_repeat(prompt, repeat):
    assert is_explicit_repeat(prompt) is repeat


@pytest.mark.parametrize("prompt,steps", [
    ("Add 10 weeks to 2024-12-01 and give the date", 1),        # hands over step 1's date
    ("Reverse 'stressed', then show me the result", 1),
    ("Sort [3, 1, 2] and return the list", 1),
    ("List the primes below 20 and give the count", 2),           # the count is a computation
    ("Add 3 weeks to 2024-02-20 and give the number of days in that month", 2),
    ("Convert 5 miles to km and then tell me the answer in meters", 2),
])
def test_a_step_that_only_hands_over_the_previous_answer_is_no_step(prompt, steps):
    assert len(split_steps(prompt)) == steps


@pytest.mark.parametrize("prompt,steps", [
    ("A train travels 120 km in 2 hours; what is its average speed?", 1),   # a statement, then a question
    ("I scored 45 out of 60; what percentage is that?", 1),
    ("A shirt costs 60 and is 25% off; what is the sale price?", 1),         # a predicate joined by "and"
    ("A shirt costs 60 and is 25% off; what is the sale price, then double it", 2),
    ("The sum of 3 and 4, then double it", 2),                               # no question: not a statement
    ("Reverse 'stressed'; what is the length of 'education'?", 2),          # an imperative is a step
    ("Prices rose 3% this year; what does a 250 item cost now?", 1),         # a bare plural as the subject
    ("Sort [3, 1, 2]; what is the first element?", 2),
])
def test_a_question_about_the_statement_before_it_is_one_step(prompt, steps):
    assert len(split_steps(prompt)) == steps


@pytest.mark.parametrize("prompt,asks", [
    ("A phone costs 480 and the shop takes 25% off. What is the price now?", True),
    ("I have 3 apples and 5 pears. How many fruits do I have?", True),
    ("The box weighs 4 kg. My bag weighs 3 kg. How much do both weigh?", True),   # two statements
    ("What is 20% of 100 and the square root of 64?", False),                     # one question, no statement
    ("Compute 5 factorial and 6 factorial. Which is larger?", False),              # an imperative first
    ("A phone costs 480. Take 25% off it.", False),                                # no question at the end
    ("Tickets cost 12 each. How much do 7 tickets cost?", True),                   # a bare plural states too
])
def test_sentences_that_state_then_one_that_asks_are_one_word_problem(prompt, asks):
    assert asks_about_a_statement(prompt) is asks
