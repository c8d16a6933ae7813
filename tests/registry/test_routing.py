"""Routing (issue 8): search_tool returns a tool only when it does what is asked.

The registry, store and embedder are real; the model is the scripted provider, so each test states
exactly which model replies it allows (an unexpected call fails loudly).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from selfeng.answer_kind import answer_kind_conflict, asked_input_conflict, asked_kind, asked_output_conflict
from selfeng.llm import LLMError
from selfeng.arguments import role_conflict, ungrounded_arguments, unwrapped_literals, word_numbers
from selfeng.capability_registry import CapabilityRegistry
from selfeng.fit_check import (need_contradicts, need_names, need_names_tool, prefixed_opposite, prefixed_twins,
                               twin_shaped, unsaid_name_words)
from selfeng.llm.scripted import ScriptedProvider
from selfeng.llm_client import LLMClient
from selfeng.query_text import content_terms

TOOLS = {
    "celsius_to_fahrenheit": ("celsius", "float", "float", "Convert a temperature from degrees Celsius to degrees Fahrenheit."),
    "sort_numbers_descending": ("numbers", "list[float]", "list[float]", "Sort a list of numbers in descending order (largest first)."),
    "encode_base64": ("text", "str", "str", "Encode a text as Base64."),
    "reverse_string": ("s", "str", "str", "Reverse the characters of a string."),
    "find_primes_below": ("n", "int", "list[int]", "List the prime numbers below n."),
}


def add(reg, name):
    param, ptype, ret, doc = TOOLS[name]
    spec = {"function_name": name, "parameters": [{"name": param, "type": ptype, "description": ""}],
            "return_type": ret, "docstring": doc}
    reg.add_tool(name, f"def {name}({param}):\n    return {param}\n", "", doc, spec=spec)


@pytest.fixture
def routed(settings, embedder):
    provider = ScriptedProvider([])
    client = LLMClient(provider, settings=settings)
    reg = CapabilityRegistry(client, settings=settings, embedder=embedder)
    for name in TOOLS:
        add(reg, name)
    yield reg, provider
    reg.close()


def fit_reply(provider, needed, fits, arguments):
    provider.enqueue("check_tool_fit", json.dumps({"needed": needed, "relation": "same" if fits else "opposite",
                                                  "arguments": arguments}))


def checks(provider):
    return [c for c in provider.calls if c["purpose"] == "check_tool_fit"]


def test_value_in_the_other_unit_never_gets_the_twin_and_costs_no_model_call(routed):
    reg, provider = routed
    assert reg.search_tool("Convert 212 degrees Fahrenheit to Celsius") is None
    assert "fahrenheit" in reg.last_verdict.reason or "floor" in reg.last_verdict.reason
    assert checks(provider) == []


def test_clear_hit_costs_no_model_call(routed):
    reg, provider = routed
    hit = reg.search_tool("Convert 25 degrees Celsius to Fahrenheit")
    assert hit["name"] == "celsius_to_fahrenheit" and hit["fit_check"]["model_checked"] is False
    assert checks(provider) == []


def test_model_names_the_other_twin_so_the_present_one_is_refused(routed):
    reg, provider = routed
    fit_reply(provider, "fahrenheit_to_celsius", True, {"celsius": 212})  # a yes-saying model
    assert reg.search_tool("take a Fahrenheit reading of 212 and give it in Celsius") is None
    assert len(checks(provider)) == 1
    assert "fahrenheit_to_celsius" in reg.last_verdict.reason


def test_uncertain_rephrasing_is_confirmed_and_carries_its_arguments(routed):
    reg, provider = routed
    fit_reply(provider, "sort_largest_to_smallest", True, {"numbers": [10, -2, 33, 4]})
    hit = reg.search_tool("Sort 10, -2, 33, 4 from largest to smallest")
    assert hit["name"] == "sort_numbers_descending"
    assert hit["fit_check"]["model_checked"] and hit["fit_arguments"] == {"numbers": [10, -2, 33, 4]}
    prompt = checks(provider)[0]["messages"][-1]["content"]
    assert "sort_numbers_descending" not in prompt  # the model judges what the tool does, not its name


def test_model_saying_no_means_no_tool(routed):
    reg, provider = routed
    fit_reply(provider, "sort_ascending", False, {"numbers": [10, -2, 33, 4]})
    assert reg.search_tool("Sort 10, -2, 33, 4 from smallest to largest") is None
    assert len(checks(provider)) == 1


def test_failed_model_check_falls_back_to_the_threshold(routed):
    reg, provider = routed  # no scripted reply: the check fails, the calibrated threshold decides
    got = reg.search_tool("Sort 10, -2, 33, 4 from smallest to largest")
    assert got is None or got["name"] == "sort_numbers_descending"
    assert "threshold" in reg.last_verdict.reason


def test_registry_without_model_client_never_calls_one(settings, embedder):
    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    add(reg, "reverse_string")
    assert reg.search_tool("Reverse the string 'hello world'")["name"] == "reverse_string"
    reg.close()


@pytest.mark.parametrize("request_text,tool,param,conflict", [
    ("Convert 212 degrees Fahrenheit to Celsius", "celsius_to_fahrenheit", "celsius", True),
    ("it's 18°C outside, what's that in F?", "celsius_to_fahrenheit", "celsius", False),
    ("Convert 100 degrees Celsius to Kelvin", "celsius_to_fahrenheit", "celsius", True),
    ("how many km in 5 miles", "km_to_miles", "km", True),
    ("How many miles is 10 km?", "km_to_miles", "km", False),
    ("How many seconds are in 7 minutes?", "seconds_to_minutes", "seconds", True),
    ("Convert 10 pounds to kilograms", "kg_to_pounds", "kg", True),
    ("Convert 3725 seconds to hours, minutes and seconds", "seconds_to_hms", "seconds", False),
    ("What's 255 in base 2?", "decimal_to_binary", "n", False),
])
def test_argument_roles(request_text, tool, param, conflict):
    got = role_conflict(request_text, tool, [{"name": param, "type": "float"}])
    assert (got is not None) == conflict, got


def test_two_unit_parameters_take_their_own_units():
    params = [{"name": "weight_kg", "type": "float"}, {"name": "height_m", "type": "float"}]
    assert role_conflict("BMI for 70 kg and 1.75 m", "calculate_bmi", params) is None
    assert role_conflict("BMI for 154 lbs and 1.75 m", "calculate_bmi", params) is not None


def test_a_unit_of_several_words_is_read_whole_in_a_parameter_or_tool_name():
    """postfreeze-1207o: verified nautical-mile converters were refused their own requests, the identifier
    `nautical_miles` read as a mile."""
    miles = [{"name": "nautical_miles", "type": "float"}]
    assert role_conflict("Convert 7 nautical miles to kilometers", "nautical_miles_to_km", miles) is None
    assert role_conflict("Convert 7 miles to kilometers", "nautical_miles_to_km", miles) is not None
    km = [{"name": "kilometers", "type": "float"}]
    tool = "convert_kilometers_to_nautical_miles"
    assert role_conflict("How many nautical miles is 50 kilometers?", tool, km) is None
    assert role_conflict("How many miles is 50 kilometers?", tool, km) is not None
    speed = [{"name": "miles_per_hour", "type": "float"}, {"name": "hours", "type": "float"}]
    assert role_conflict("At 60 mph for 2 hours, how far do I go?", "distance", speed,
                         arguments={"miles_per_hour": 60, "hours": 2}) is None
    assert role_conflict("At 60 mph for 2 hours, how far do I go?", "distance", speed,
                         arguments={"miles_per_hour": 2, "hours": 60}) is not None


def test_a_stated_example_in_another_unit_is_not_an_input_of_the_run():
    params = [{"name": "temperature_celsius", "type": "float"}]
    request = "What's 30 degrees Celsius in Fahrenheit? For example 25 °C is 77 °F."
    assert role_conflict(request, "celsius_to_fahrenheit", params, arguments={"temperature_celsius": 30.0}) is None
    # the value that runs is the one weighed: 77 °F passed as Celsius is still refused
    assert role_conflict(request, "celsius_to_fahrenheit", params, arguments={"temperature_celsius": 77}) is not None


@pytest.mark.parametrize("request_text,params,arguments,conflict", [
    # a time passed to a speed: the speed converter reused for "seconds in 3 hours" answered 0.83
    ("How many seconds are in 3 hours?", ["kilometers_per_hour"], {"kilometers_per_hour": 3.0}, True),
    ("Convert 90 km/h to m/s", ["kilometers_per_hour"], {"kilometers_per_hour": 90.0}, False),
    ("Convert 90 kilometers per hour to meters per second", ["kilometers_per_hour"], {"kilometers_per_hour": 90}, False),
    ("How far do you get in 2 hours at 60 mph?", ["speed_mph", "hours"], {"speed_mph": 60, "hours": 2}, False),
    ("How far do you get in 2 hours at 60 mph?", ["speed_mph", "hours"], {"speed_mph": 2, "hours": 60}, True),
    ("What do I earn for 40 hours a week?", ["hours_per_week"], {"hours_per_week": 40}, False),
    ("How many bytes are in 2 GB?", ["seconds"], {"seconds": 2}, True),
    ("Double 5 kg", ["value"], {"value": 5}, False),  # a parameter named for no unit takes anything
    ("Add 5 kg and 5 km", ["mass_kg", "length_km"], {"mass_kg": 5, "length_km": 5}, False),  # 5 twice: unweighed
])
def test_a_value_of_one_quantity_never_goes_to_a_parameter_named_for_another(request_text, params, arguments,
                                                                               conflict):
    got = role_conflict(request_text, "tool", [{"name": p, "type": "float"} for p in params], arguments=arguments)
    assert (got is not None) == conflict, got


def test_arguments_must_come_from_the_request_or_context():
    assert ungrounded_arguments({"percent": 12, "value": 250}, "how much is twelve percent of 250") == []
    assert ungrounded_arguments({"rate": 0.05}, "at 5% a year") == []
    # a number written as text is the request's only as written: ".07" for "the 7% tax" is a value a text
    # parameter reads otherwise (seen: ".05" for "a 5% fee" gave a fee of 0.2); as a number, 0.07 is the 7%
    tax = "How much is the 7% tax on a purchase of 120?"
    assert ungrounded_arguments({"tax_rate": ".07"}, tax) == ["tax_rate"]
    assert ungrounded_arguments({"tax_rate": "0.07"}, tax) == ["tax_rate"]
    assert ungrounded_arguments({"tax_rate": 0.07}, tax) == [] and ungrounded_arguments({"tax_rate": "7"}, tax) == []
    text = [{"name": "price", "type": "float"}, {"name": "tax_rate", "type": "str"}]
    assert unwrapped_literals({"price": 120, "tax_rate": ".07"}, text, tax) == {"price": 120.0, "tax_rate": "7%"}
    assert ungrounded_arguments({"n": 3}, "what is 10!") == ["n"]
    assert ungrounded_arguments({"s": "olleh"}, "reverse it", "user: Reverse 'hello'\nassistant: olleh") == []
    assert ungrounded_arguments({"s": "invented"}, "reverse 'hello'") == ["s"]
    # a month named in words is the month number a tool takes; a month the request does not name is not
    assert ungrounded_arguments({"month": 9, "year": 1987}, "how many days did september 1987 have") == []
    assert ungrounded_arguments({"month": 2, "year": 1987}, "how many days did september 1987 have") == ["month"]
    assert word_numbers("two hundred fifty and seven") == [257.0]


def test_twin_shapes_and_contradicting_needs():
    assert twin_shaped("celsius_to_fahrenheit", "fahrenheit_to_celsius")
    assert twin_shaped("encode_base64", "decode_base64") and twin_shaped("round_up", "round_down")
    assert not twin_shaped("reverse_string", "count_words")
    doc = "hex_to_decimal Convert a hexadecimal string such as 'ff' to its decimal integer value."
    assert need_contradicts("decimal_to_hex", "hex_to_decimal", doc, "Convert 255 to hexadecimal")
    # the same words in another order are a direction only for a converter's two ends
    assert need_contradicts("sum_digits", "digit_sum", "digit_sum Add up the digits of n.",
                            "add up all the digits in 4021") is None
    assert need_contradicts("to_lowercase", "to_uppercase", "to_uppercase Convert a text to upper case.",
                            "make 'STOP' lower case")
    assert need_contradicts("calculate_factorial", "factorial", "factorial Compute the factorial of n.",
                            "what is 10!") is None


def test_direction_words_are_content_words():
    assert content_terms("round_up") != content_terms("round_down")
    assert "between" in content_terms("days between dates")


def test_routing_set_is_big_enough_split_and_consistent():
    data = json.loads((Path(__file__).parent / "routing_set.json").read_text())
    library = {t["name"] for t in data["tools"] if t["in_library"]}
    absent = {t["name"] for t in data["tools"] if not t["in_library"]}
    reqs = data["requests"]
    assert len(reqs) >= 300 and len(library) >= 80
    assert {r["label"] for r in reqs if r["label"]} == library
    assert all(r["needs"] in absent for r in reqs if r["kind"] == "absent_twin")
    assert {r["split"] for r in reqs} == {"tune", "test"}
    assert sum(r["label"] is None for r in reqs) >= 80
    seen = {r["text"].lower() for r in reqs}
    for later in sorted(Path(__file__).parent.glob("routing_postfreeze*.json")):  # sets written after a freeze
        extra = json.loads(later.read_text())["requests"]
        assert len(extra) >= 50 and all(r["label"] in library for r in extra if r["label"]), later.name
        assert all(r["needs"] in absent for r in extra if r["kind"] == "absent_twin"), later.name
        assert not {r["text"].lower() for r in extra} & seen, later.name  # no request repeated across sets
        seen |= {r["text"].lower() for r in extra}


def test_a_need_naming_the_tool_itself_outweighs_a_misfired_relation(routed):
    """The embedded model answers "opposite" for "Reverse 'Python'" (reverse sounds like a direction) while
    naming the need "reverse": a need in the tool's own words is the tool."""
    reg, provider = routed
    fit_reply(provider, "reverse", False, {"s": "Python"})
    hit = reg.search_tool("Reverse 'Python'")
    assert hit is not None and hit["name"] == "reverse_string", reg.last_verdict
    assert len(checks(provider)) == 1 and hit["fit_check"]["model_checked"]
    fit_reply(provider, "sort_ascending", False, {"numbers": [3, 1]})  # a word the tool lacks: still refused
    assert reg.search_tool("Sort 3, 1 in ascending order") is None


def test_a_yes_no_question_never_gets_a_tool_that_returns_a_list_and_costs_no_model_call(routed):
    reg, provider = routed
    assert reg.search_tool("Find the prime numbers below 30")["name"] == "find_primes_below"
    assert reg.search_tool("Is 97 a prime number?") is None
    assert reg.search_tool("How many prime numbers are there below 50?") is None
    assert checks(provider) == []


def test_answers_of_another_kind_or_unit_are_refused_before_any_model_call(settings, embedder):
    provider = ScriptedProvider([])
    reg = CapabilityRegistry(LLMClient(provider, settings=settings), settings=settings, embedder=embedder)
    for name, param, ret, doc in [("is_prime", "n", "bool", "Check whether n is a prime number."),
                                  ("count_words", "text", "int", "Count the words in a text."),
                                  ("days_between_dates", "dates", "int", "The number of days between two dates.")]:
        spec = {"function_name": name, "parameters": [{"name": param, "type": "str", "description": ""}],
                "return_type": ret, "docstring": doc}
        reg.add_tool(name, f"def {name}({param}):\n    return 0\n", "", doc, spec=spec)
    try:
        for request in ["Which prime numbers are there up to 30?", "tally up each word in 'red blue red green'",
                        "How many weeks are between 2024-01-01 and 2024-03-01?"]:
            assert reg.search_tool(request) is None, request
        assert checks(provider) == []
        assert reg.search_tool("How many days are between 2024-01-01 and 2024-03-01?")["name"] == "days_between_dates"
    finally:
        reg.close()


@pytest.mark.parametrize("a,b,twins", [
    ("encode", "decod", True), ("ascend", "descend", True), ("uppercase", "lowercase", True),
    ("increase", "decrease", True), ("import", "export", True), ("minimum", "maximum", True),
    ("lock", "unlock", False),            # a bare root against a prefixed one: no direction to read
    ("duplicate", "deduplicate", False),  # (deduplicate is what remove_duplicates does)
    ("read", "lead", False),              # a one-letter swap is spelling
    ("interest", "invest", False), ("decimal", "normal", False),  # a short shared ending is no root
])
def test_prefixed_twins_share_a_root_under_two_prefixes(a, b, twins):
    assert prefixed_twins(a, b) == twins


def test_a_request_saying_the_prefixed_twin_of_a_name_word_gets_no_tool_and_no_model_call(routed):
    reg, provider = routed
    assert prefixed_opposite("encode_base64", "encode_base64 Encode a text as Base64.", "decode 'aGVsbG8=' from base64",
                             ["encode"])
    assert reg.search_tool("decode 'aGVsbG8=' from base64") is None
    assert "decode" in reg.last_verdict.reason or "floor" in reg.last_verdict.reason
    assert reg.search_tool("sort 9, 3, 7 in ascending order") is None
    assert checks(provider) == []


@pytest.mark.parametrize("request_text,kind", [
    ("Is 97 a prime number?", "bool"), ("Does [1, 2, 2] contain duplicates?", "bool"),
    ("Wasn't 1900 a leap year?", "bool"), ("Can 12 be divided by 5 evenly?", "bool"),
    ("Can you sort 3, 1, 2?", None), ("Could you please reverse 'abc'?", None),
    ("Is it possible to reverse 'abc'", None),  # no question mark: not read as a question
    ("How many vowels are in 'banana'?", "quantity"), ("how much is 12% of 250", "quantity"),
    ("How many letters are in each word of 'red green blue'?", "quantities"),
    ("How many employees are in each department?", "quantity"),  # no value of several elements given
    ("Who earns the most in employees.json?", "person"), ("whose salary is the lowest", "person"),
    ("Tell me who earns the most", None),  # not a question: the model reads it
    ("What is 7 factorial?", None), ("Sort 3, 1, 2", None)])
def test_the_asked_kind_comes_from_grammar(request_text, kind):
    assert asked_kind(request_text) == kind


def test_only_a_declared_return_type_can_conflict():
    assert answer_kind_conflict("Is 97 prime?", "is_prime", "bool") is None
    assert answer_kind_conflict("Is 97 prime?", "f", "Any") is None and answer_kind_conflict("Is 97 prime?", "f", None) is None
    assert answer_kind_conflict("Is 97 prime?", "primes", "list[int]") is not None
    assert answer_kind_conflict("How many km is 26.2 miles?", "miles_to_km", "float") is None
    assert answer_kind_conflict("How many employees per department?", "count", "dict[str, int]") is None
    assert answer_kind_conflict("How many vowels in 'abc'?", "has_vowel", "Optional[bool]") is not None


@pytest.mark.parametrize("request_text,return_type,conflicts", [
    ("Which numbers in [4, 9, 15] are prime?", "bool", True),       # a wh-question asks for content
    ("What day of the week was 2000-01-01?", "bool", True),
    ("when is 2024 a leap year", "bool", True),
    ("What about 29?", "bool", False),                               # an elliptical repeat, not a question
    ("Check whether 97 is prime", "bool", False),
    ("Which of 12, 99, 45 is largest?", "int", False),
    ("How often does each word appear in 'a b a'?", "int", True),    # one answer per word of the value
    ("count the vowels of each name in ['ann', 'bob']", "int", True),
    ("How often does each word appear in 'a b a'?", "dict[str, int]", False),
    ("If each ticket costs 12, what do 5 tickets cost?", "float", False),  # nothing to distribute over
    ("What's the sum of 'a b' and each other", "int", False),
])
def test_wh_questions_and_each_ask_for_content_a_tool_may_not_return(request_text, return_type, conflicts):
    found = answer_kind_conflict(request_text, "tool", return_type)
    assert (found is not None) == conflicts, found


@pytest.mark.parametrize("request_text,tool,params,conflicts", [
    ("How many weeks are between 2024-01-01 and 2024-03-01?", "days_between_dates", ["start", "end"], True),
    ("How many days are between 2024-01-01 and 2024-03-01?", "days_between_dates", ["start", "end"], False),
    ("How many seconds are in 3 hours?", "hours_to_minutes", ["hours"], True),
    ("How many minutes are in 3 hours?", "hours_to_minutes", ["hours"], False),
    ("How many hours is 90 minutes?", "minutes_to_hours", ["minutes"], False),
    ("How many days old is someone born on 2000-01-01?", "age_in_years", ["birth_date"], True),
    ("How many kg is 10 pounds?", "days_between_dates", ["start", "end"], False),  # another kind of unit
    ("How many vowels are in 'banana'?", "count_vowels", ["text"], False),          # no unit asked
])
def test_a_tool_whose_name_says_its_result_unit_answers_in_it(request_text, tool, params, conflicts):
    found = asked_output_conflict(request_text, tool, [{"name": p} for p in params])
    assert (found is not None) == conflicts, found


@pytest.mark.parametrize("request_text,tool,params,conflicts", [
    ("What percent of 200 is 50?", "percent_of", ["value", "percent"], True),
    ("50 is what percentage of 200?", "percent_of", ["value", "percentage"], True),
    ("How much is 12 percent of 250?", "percent_of", ["value", "percent"], False),
    ("Take 30% off 80: what price do I pay?", "discount", ["price", "percentOff"], False),
    ("How many minutes are there in 3.5 hours?", "minutes_to_hours", ["minutes"], True),
    ("How many minutes are there in 3.5 hours?", "hours_to_minutes", ["hours"], False),
    ("How many hours is 90 minutes?", "minutes_to_hours", ["minutes"], False),
    ("How many days are between 2024-01-01 and 2024-03-01?", "add_days", ["start", "days"], True),
    ("What day is 45 days after 2024-01-15?", "add_days", ["start", "days"], False),
    ("How many items are in [1, 2, 3]?", "count_items", ["items"], False),
    ("how many km is 26.2 miles", "km_to_miles", ["km"], True),
    ("What day of the week was 2000-01-01?", "weekday", ["year", "month", "day"], False),  # a name, not days
    ("What per cent of 80 is 20?", "percent_of", ["value", "percent"], True),
])
def test_a_tool_that_takes_what_the_request_asks_for_answers_another_question(request_text, tool, params, conflicts):
    """The interrogative's noun ("how many minutes", "what percentage") names the unit of the answer; a tool
    taking a value in that unit computes from it, unless the request also gives one."""
    found = asked_input_conflict(request_text, tool, [{"name": p} for p in params])
    assert (found is not None) == conflicts, found


def test_what_percentage_never_gets_the_percent_of_tool_and_costs_no_model_call(settings, embedder):
    provider = ScriptedProvider([])
    reg = CapabilityRegistry(LLMClient(provider, settings=settings), settings=settings, embedder=embedder)
    doc = "Calculate a given percentage of a number."
    spec = {"function_name": "calculate_percentage", "return_type": "float", "docstring": doc,
            "parameters": [{"name": "number", "type": "float", "description": ""},
                           {"name": "percentage", "type": "float", "description": ""}]}
    reg.add_tool("calculate_percentage", "def calculate_percentage(number, percentage):\n    return 0\n", "",
                 doc, spec=spec)
    try:
        assert reg.search_tool("What percentage of 180 is 45?") is None
        assert "percent" in reg.last_verdict.reason or "floor" in reg.last_verdict.reason
        assert checks(provider) == []
    finally:
        reg.close()


@pytest.mark.parametrize("request_text, tool, unsaid", [
    ("Round 7.5 to the nearest integer", "round_up", ["up"]),
    ('strip whitespace at the end of "done   "', "strip_leading_whitespace", ["leading"]),
    ("which of 12, 99, 45 is largest", "second_largest", ["second"]),
    ("How many pounds is 70 kg?", "kg_to_pounds", []),          # a converter's "to" is structure
    ("37 C in F", "celsius_to_fahrenheit", []),                 # unit symbols are spelled out
    ("Put the words of 'I love Python' in reverse order", "reverse_words", []),
])
def test_words_of_the_tool_name_the_request_leaves_out(request_text, tool, unsaid):
    assert unsaid_name_words(tool, request_text) == unsaid


def test_a_high_score_is_still_checked_when_the_request_leaves_out_a_word_of_the_name(routed):
    """"Sort 10, -2, 33, 4" scores high against sort_numbers_descending, but says nothing of the order:
    the tool may be the wrong sibling, so the model is asked, and its "no" stands."""
    reg, provider = routed
    fit_reply(provider, "sort_numbers", False, {"numbers": [10, -2, 33, 4]})
    assert reg.search_tool("Sort the numbers 10, -2, 33, 4") is None
    assert len(checks(provider)) == 1
    assert "the request does not say descending" in reg.last_verdict.reason


def test_a_need_naming_another_candidate_word_for_word_picks_that_candidate(settings, embedder):
    """Shown one candidate, the embedded model says "fits" while naming another candidate of the library
    word for word (tune half: "How many words are in …" shown word_frequencies, need count_words): the
    named need is the better evidence of the two."""
    provider = ScriptedProvider([])
    reg = CapabilityRegistry(LLMClient(provider, settings=settings), settings=settings, embedder=embedder)
    for name, ret, doc in [("count_words", "int", "Count the words in a text."),
                           ("word_frequencies", "dict[str, int]", "Count how often each word occurs in a text.")]:
        spec = {"function_name": name, "parameters": [{"name": "text", "type": "str", "description": ""}],
                "return_type": ret, "docstring": doc}
        reg.add_tool(name, f"def {name}(text):\n    return text\n", "", doc, spec=spec)
    provider.enqueue("check_tool_fit", json.dumps({"needed": "word_frequencies", "relation": "same",
                                                  "arguments": {"text": "a b a"}}))
    hit = reg.search_tool("count the words of 'a b a' separately")
    assert len(checks(provider)) == 1
    assert "Count the words in a text." in checks(provider)[0]["messages"][-1]["content"]  # count_words shown
    assert hit["name"] == "word_frequencies" and "the model named word_frequencies" in reg.last_verdict.reason
    assert "fit_arguments" not in hit  # the mapping was made for the other tool
    reg.close()


def test_which_needs_name_the_tool():
    """The embedded model answered "different" for "my suitcase is 23 kg, what's the weight in lbs" while
    naming the need convert_kg_to_pounds: a converter's two ends in the tool's order name the tool."""
    assert need_names_tool("convert_kg_to_pounds", "kg_to_pounds")
    assert need_names_tool("f_hex_string_to_decimal", "hex_to_decimal")
    # ... but not when the request never says them: then the need was copied from the docstring
    unsaid = unsaid_name_words("hex_to_decimal", "Convert 255 to hexadecimal")
    assert unsaid and not need_names_tool("f_hex_string_to_decimal", "hex_to_decimal", unsaid)
    assert not need_names_tool("convert_pounds_to_kg", "kg_to_pounds")         # the twin
    assert not need_names_tool("celsius_to_kelvin", "celsius_to_fahrenheit")  # another target
    assert need_names("word_count", "count_words")                            # order is no direction here
    assert not need_names("fahrenheit_to_celsius", "celsius_to_fahrenheit")    # ... but between two ends
    assert not need_names("count_vowels", "count_words")


def test_the_spec_can_only_return_what_answers_the_kind_of_question_asked():
    """"Who earns the most in employees.json?" got a verified find_max_salary answering 95000: the spec's
    return type is narrowed by the question's grammar, at no model call."""
    from selfeng.config import load_settings
    from selfeng.llm_client import spec_schema
    assert spec_schema("Who earns the most in employees.json?")["properties"]["return_type"]["enum"] == ["str"]
    assert spec_schema("Is 97 a prime number?")["properties"]["return_type"]["enum"] == ["bool"]
    assert "dict[str, int]" in spec_schema("How many employees work in each department?")[
        "properties"]["return_type"]["enum"]
    assert "enum" not in spec_schema("Reverse 'abc'")["properties"]["return_type"]
    per_word = spec_schema("How many letters are in each word of 'red green blue'?")["properties"]["return_type"]
    assert "list[int]" in per_word["enum"] and "int" not in per_word["enum"]  # one count per word
    provider = ScriptedProvider([{"purpose": "generate_spec", "content": json.dumps(
        {"function_name": "find_max_salary", "parameters": [{"name": "path", "type": "str", "description": "file"}],
         "return_type": "int", "docstring": "The highest salary."})}])
    with pytest.raises(LLMError):  # what a grammar-constrained model cannot write, the check refuses
        LLMClient(provider, settings=load_settings()).generate_spec("Who earns the most in employees.json?")
    assert answer_kind_conflict("Who earns the most in employees.json?", "find_max_salary", "int")


def test_percentages_and_their_other_scale():
    from selfeng.percentages import other_percent_scale, percentages
    assert percentages("how much is twelve percent of 250") == [12.0]
    assert percentages("add 20 per cent VAT to 49.99, or 6.25% on 10") == [20.0, 6.25]
    assert percentages("what is 10 times 3") == []
    assert other_percent_scale({"percent": 0.12, "total": 250}, "twelve percent of 250") == {"percent": 12, "total": 250}
    assert other_percent_scale({"amount": 100, "rate": 8}, "100 plus 8% tax") == {"amount": 100, "rate": 0.08}
    assert other_percent_scale({"amount": 100, "rate": 3}, "100 plus 8% tax") is None
