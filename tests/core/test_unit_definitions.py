"""Converters between units with an exact definition: the note every draft reads, the cases it grounds,
and, in the real sandbox with the model scripted, a short constant that every opinion shares."""
from __future__ import annotations

import pytest

from selfeng.unit_definitions import converter, definition_cases, definition_note, grounded_spec

from .helpers import make_orchestrator, script


def spec(name: str, ptype: str = "float", rtype: str = "float", params: int = 1) -> dict:
    return {"function_name": name, "parameters": [{"name": f"value{i}", "type": ptype} for i in range(params)],
            "return_type": rtype, "docstring": "Convert a value."}


@pytest.mark.parametrize("name, pair", [
    ("convert_meters_to_yards", ("metre", "yard")),
    ("kg_to_lbs", ("kilogram", "pound")),
    ("convert_nautical_miles_to_kilometers", ("nautical mile", "kilometre")),
    ("fahrenheit_to_celsius", ("degree fahrenheit", "degree celsius")),
    ("weeks_to_days", ("week", "day")),
    ("convert_mph_to_kmh", ("mile per hour", "kilometre per hour")),  # km/h without its slash (1207p)
])
def test_a_converter_between_defined_units_is_recognised(name, pair):
    assert converter(spec(name)) == pair


@pytest.mark.parametrize("s", [
    spec("gallons_to_litres"),             # US or imperial: no single definition is the user's
    spec("calories_to_joules"),            # thermochemical or international table
    spec("miles_to_km", params=2),         # a second parameter (decimals?) the cases could not fill
    spec("miles_to_km", ptype="str"),      # "5 mi" as text
    spec("miles_to_km", rtype="str"),
    spec("kilograms_to_meters"),           # not one quantity
    spec("reverse_string"),
])
def test_anything_else_is_left_alone(s):
    assert converter(s) is None and grounded_spec(s) == s and definition_cases(s, "x") == []


def test_a_symbol_without_its_slash_is_read_only_when_no_other_unit_has_that_symbol():
    from selfeng.units import identifier_units
    assert [u.name for u in identifier_units("speed_kmh")] == ["kilometre per hour"]
    assert [u.name for u in identifier_units("delay_ms")] == ["millisecond"]  # not m/s


def test_the_note_states_the_exact_definition_the_short_way():
    assert definition_note("metre", "yard") == "By definition, 1 yard = 0.9144 metres."
    assert definition_note("kilogram", "pound") == "By definition, 1 pound = 0.45359237 kilograms."
    assert definition_note("mile", "kilometre") == "By definition, 1 mile = 1.609344 kilometres."
    assert definition_note("degree fahrenheit", "degree celsius") == \
        "By definition, celsius = (fahrenheit - 32) × 5/9."
    assert definition_note("kelvin", "degree celsius") == "By definition, celsius = kelvin - 273.15."
    assert grounded_spec(grounded_spec(spec("yards_to_meters")))["docstring"].count("By definition") == 1


def test_the_cases_are_the_definition_s_exact_values():
    cases = definition_cases(spec("convert_meters_to_yards"), "Convert 40 meters to yards")
    assert [(c.args, c.expected, c.source, c.trusted) for c in cases] == [
        ({"value0": 1.0}, 1 / 0.9144, "definition", True), ({"value0": 250.0}, 250 / 0.9144, "definition", True)]
    f_to_c = definition_cases(spec("fahrenheit_to_celsius"), "Convert 212 F to C")
    assert [(c.args["value0"], c.expected) for c in f_to_c] == [(0.0, pytest.approx(-160 / 9)),
                                                              (100.0, pytest.approx(340 / 9))]


def test_no_cases_when_the_request_asks_for_a_rounded_answer_or_an_int_cannot_be_exact():
    s = spec("miles_to_km")
    assert definition_cases(s, "Convert 5 miles to km, rounded to 2 decimals") == []
    assert definition_cases(s, "5 miles in km to the nearest tenth") == []
    assert len(definition_cases(s, "About how many km is 5 miles, approximately?")) == 2
    assert definition_cases(spec("hours_to_days", rtype="int"), "How many days is 50 hours?") == []
    assert len(definition_cases(spec("minutes_to_seconds", "int", "int"), "seconds in 7 minutes")) == 2


YARDS_SPEC = {"function_name": "convert_meters_to_yards",
              "parameters": [{"name": "meters", "type": "float", "description": "a length in metres"}],
              "return_type": "float", "docstring": "Convert a length in meters to yards."}
# A small model's cases and first draft share the same short constant (postfreeze-1207o: 43.744 for 40 m).
SHORT_CASES = {"cases": [{"args": {"meters": m}, "expected": round(m * 1.0936, 6), "from_request": False}
                         for m in (1, 10, 5)]}
SHORT = "```python\ndef convert_meters_to_yards(meters: float) -> float:\n    return meters * 1.0936\n```"
EXACT = "```python\ndef convert_meters_to_yards(meters: float) -> float:\n    return meters / 0.9144\n```"
EXACT_TOO = ("```python\nYARD = 0.9144\n\ndef convert_meters_to_yards(meters: float) -> float:\n"
             "    return round(meters / YARD, 10)\n```")


def solved(expression: str) -> list[dict]:
    """Direct solutions of the request (`direct_answer`), told apart from drafts by their prompt."""
    code = f"```python\ndef solve():\n    return {expression}\n```"
    return [{"purpose": "generate_implementation", "content": code, "match": "solve()"}] * 3


def test_a_short_constant_every_model_opinion_shares_is_not_verified():
    """The cases, every draft and the direct solution use 1.0936: without the definition they agree."""
    orch, provider = make_orchestrator(solved("40 * 1.0936") + script(
        ("generate_spec", YARDS_SPEC), ("generate_tests", SHORT_CASES),
        *[("generate_implementation", SHORT)] * 4, *[("fix_implementation", SHORT)] * 4))
    result = orch.synthesis_engine.synthesize_capability("Convert 40 meters to yards")
    assert not result["success"]
    assert "test_convert_meters_to_yards_definition_1 expects 1.0936132983377078" in result["error"]
    assert orch.get_tool_count() == 0
    drafts = [c for c in provider.calls if "Implement this function" in str(c["messages"])]
    assert drafts and all("1 yard = 0.9144 metres" in str(c["messages"]) for c in drafts)


def test_drafts_that_use_the_definition_outvote_the_model_s_short_constant():
    orch, _ = make_orchestrator(solved("40 / 0.9144") + script(
        ("generate_spec", YARDS_SPEC), ("generate_tests", SHORT_CASES),
        ("generate_implementation", SHORT), ("fix_implementation", EXACT),
        ("generate_implementation", EXACT_TOO), ("generate_implementation", EXACT),
        ("generate_implementation", EXACT_TOO)))
    result = orch.synthesis_engine.synthesize_capability("Convert 40 meters to yards")
    assert result["tests_verified"], result.get("error")
    assert "fixed by the units' definitions" in result["evidence"]["summary"]
    assert "0.9144" in result["code"]
    assert "By definition, 1 yard = 0.9144 metres." in result["spec"]["docstring"]
