"""A direct answer to the request anchors an agreement that no case vouches for (real sandbox, scripted model)."""
from __future__ import annotations

from selfeng.direct_answer import answers_alike

from .helpers import make_orchestrator, script

SPEC = {"function_name": "gallons_to_liters",
        "parameters": [{"name": "gallons", "type": "float", "description": "US gallons"}],
        "return_type": "float", "docstring": "Convert US gallons to liters."}
RIGHT = "```python\ndef gallons_to_liters(gallons: float) -> float:\n    return gallons * 3.785411784\n```"
# Every expected value uses a misremembered factor (3.5): all four cases are wrong together, so three
# agreeing implementations pass none of them and nothing informative vouches for the agreement.
WRONG_CASES = {"cases": [{"args": {"gallons": g}, "expected": g * 3.5, "from_request": False}
                         for g in (1.0, 2.0, 4.0, 10.0)]}
REQUEST = "How many liters are in 3 US gallons?"


def solve(value: str) -> str:
    return f"```python\ndef solve():\n    return {value}\n```"


def _synthesize(*direct):
    orch, provider = make_orchestrator(script(("generate_spec", SPEC), ("generate_tests", WRONG_CASES),
                                              *[("generate_implementation", RIGHT)] * 3,
                                              *[("generate_implementation", d) for d in direct]))
    return orch, provider, orch.synthesis_engine.synthesize_capability(REQUEST)


def test_a_direct_answer_that_agrees_anchors_the_agreement_and_the_answer_says_so():
    orch, provider, result = _synthesize(solve("round(3 * 3.785411784, 2)"))  # rounded, as people ask
    assert result["success"] and result["tests_verified"], result.get("error")
    tests = result["tests"]
    assert "test_gallons_to_liters_request_answer" in tests and "gallons_to_liters(gallons=3" in tests
    assert "4 model case(s) set aside" in " ".join(result["evidence"]["reasons"])
    assert "confirmed by a separate direct solution" in result["evidence"]["summary"]
    solve_prompt = [c for c in provider.calls if c["purpose"] == "generate_implementation"][-1]["messages"][-1]
    assert REQUEST in solve_prompt["content"] and "solve()" in solve_prompt["content"]
    assert orch.get_tool_count() == 1


def test_a_direct_answer_that_disagrees_verifies_nothing_and_the_message_says_what_it_returned():
    orch, provider, result = _synthesize(solve("12.5"))
    assert not result["success"] and orch.get_tool_count() == 0
    assert "a direct solution of the request returned 12.5" in result["error"]
    assert "the agreeing implementations return 11.35" in result["error"]
    # the greedy direct answer is asked once: the same question again would get the same answer. Then, as
    # the agreement failed against it, two sampled direct solutions (unscripted here, so no answer) are
    # the second look's (`_second_look`): none backs 12.5, so the spec is not written again.
    purposes = [c["purpose"] for c in provider.calls]
    assert purposes.count("generate_implementation") == 7  # 3 + 1 + a 4th draw + 2 sampled
    assert purposes.count("generate_spec") == 1


def test_a_direct_answer_that_crashes_is_no_opinion():
    orch, _, result = _synthesize("```python\ndef solve():\n    return 1 / 0\n```")
    assert not result["success"] and "a direct solution of the request failed" in result["error"]


def test_a_direct_answer_that_forgot_an_import_is_fixed_without_a_model_call():
    orch, provider, result = _synthesize(solve("round(fsum([3 * 3.785411784]), 2)"))  # no `from math import fsum`
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "confirmed by a separate direct solution" in result["evidence"]["summary"]
    assert [c["purpose"] for c in provider.calls].count("generate_implementation") == 4  # 3 draws + 1 direct


def test_answers_alike_is_strict_about_kinds_and_lenient_only_about_rounding():
    assert answers_alike(11.356235352, 11.36) and answers_alike(11.356235352, 11.356235352)
    assert not answers_alike(11.356235352, 11.3) and not answers_alike(11.35623, 11.356235352 * 1.001)
    assert not answers_alike(45, "45") and not answers_alike(1, True) and not answers_alike(None, 0)
    assert answers_alike([3, 2, 1], [3, 2, 1]) and not answers_alike([3, 2, 1], [1, 2, 3])
    assert answers_alike({"a": 1.0}, {"a": 1}) and not answers_alike({"a": 1}, {"b": 1})
    assert answers_alike(" Saturday", "Saturday")
    # a datetime at midnight where a date was meant is the same day (a direct solution returned one)
    assert answers_alike("2027-01-13", "2027-01-13T00:00:00") and answers_alike("2027-01-13T00:00:00", "2027-01-13")
    assert not answers_alike("2027-01-13", "2027-01-13T12:00:00") and not answers_alike("2027-01-13", "2027-01-14")
    assert not answers_alike("2027-13-45", "2027-13-45T00:00:00")


ADD_SPEC = {"function_name": "add_days",
            "parameters": [{"name": "start", "type": "str", "description": "ISO date"},
                           {"name": "days", "type": "int", "description": "days to add"}],
            "return_type": "str", "docstring": "The ISO date `days` days after `start`."}
ADD_RIGHT = ("```python\nfrom datetime import date, timedelta\n\ndef add_days(start: str, days: int) -> str:\n"
             "    return (date.fromisoformat(start) + timedelta(days=days)).isoformat()\n```")
# A small model's calendar arithmetic: every expected date is off.
ADD_WRONG = {"cases": [{"args": {"start": s, "days": d}, "expected": w, "from_request": False}
                       for s, d, w in (("2024-01-01", 10, "2024-01-12"), ("2023-02-20", 10, "2023-03-01"),
                                       ("2020-12-25", 7, "2021-01-02"), ("2022-06-30", 1, "2022-06-30"))]}
ADD_REQUEST = "What date is 45 days after 2024-01-15?"


def _add_days(extracted: dict):
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", ADD_WRONG),
                                              *[("generate_implementation", ADD_RIGHT)] * 3,
                                              ("extract_arguments", extracted),
                                              ("generate_implementation", solve("'2024-02-29'")),
                                              ("generate_implementation", ADD_RIGHT)))
    return orch, provider, orch.synthesis_engine.synthesize_capability(ADD_REQUEST)


def test_an_input_no_rule_can_read_is_read_by_the_model_when_an_agreement_needs_an_anchor():
    orch, provider, result = _add_days({"start": "2024-01-15", "days": 45})
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "add_days(start='2024-01-15', days=45) == '2024-02-29'" in result["tests"]
    assert [c["purpose"] for c in provider.calls].count("extract_arguments") == 1


def test_a_late_probe_with_a_value_not_in_the_request_is_not_used():
    orch, provider, result = _add_days({"start": "2024-01-15", "days": 30})  # 30 is nowhere in the request
    assert not result["success"] and orch.get_tool_count() == 0
    solve_calls = [c for c in provider.calls if "solve()" in c["messages"][-1]["content"]]
    assert not solve_calls  # no input of the request's own: nothing to ask a direct answer about


def _wrong_by(factor: float) -> str:
    return f"def gallons_to_liters(gallons: float) -> float:\n    return gallons * {factor}\n"


def _pair_synthesis(direct: str):
    """Four draws: the right one twice (greedy, sample 3), two wrong ones that differ from each other."""
    draws = [RIGHT, _wrong_by(3.0), RIGHT, _wrong_by(4.0), direct]
    orch, provider = make_orchestrator(script(("generate_spec", SPEC), ("generate_tests", WRONG_CASES),
                                              *[("generate_implementation", d) for d in draws]))
    return orch, provider, orch.synthesis_engine.synthesize_capability(REQUEST)


def test_once_the_draws_are_spent_a_direct_answer_completes_an_agreement_one_vote_short():
    orch, provider, result = _pair_synthesis(solve("round(3 * 3.785411784, 2)"))
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "gallons * 3.785411784" in result["code"]
    assert "agreement of 2 independent implementations" in result["evidence"]["summary"]
    assert "confirmed by a separate direct solution" in result["evidence"]["summary"]
    assert [c["purpose"] for c in provider.calls].count("generate_implementation") == 5  # 4 draws + 1 direct


def test_a_direct_answer_that_backs_a_lone_implementation_verifies_nothing():
    orch, _, result = _pair_synthesis(solve("3 * 3.0"))  # what the lone 3.0 draw returns on 3 gallons
    assert not result["success"] and orch.get_tool_count() == 0
    assert "a direct solution of the request agreed, but not enough" in result["error"]


LEAP_SPEC = {"function_name": "is_leap_year",
             "parameters": [{"name": "year", "type": "int", "description": "the year"}],
             "return_type": "bool", "docstring": "True when the year is a leap year (Gregorian rules)."}
LEAP_RIGHT = ("```python\ndef is_leap_year(year: int) -> bool:\n"
              "    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)\n```")
LEAP_REQUEST = "Is 2032 a leap year?"


def _leap_cases(*pairs) -> dict:
    return {"cases": [{"args": {"year": y}, "expected": e, "from_request": False} for y, e in pairs]}


# As the embedded model wrote them: right on 2032, 1900, 2000 and 2024, wrong on 1980.
LEAP_ONE_WRONG = _leap_cases((2032, True), (1900, False), (2000, True), (2024, True), (1980, False))


def _leap(cases: dict, direct: str):
    orch, provider = make_orchestrator(script(("generate_spec", LEAP_SPEC), ("generate_tests", cases),
                                              *[("generate_implementation", LEAP_RIGHT)] * 3,
                                              ("generate_implementation", direct),
                                              ("generate_implementation", LEAP_RIGHT)))
    return orch, provider, orch.synthesis_engine.synthesize_capability(LEAP_REQUEST)


def test_a_true_false_agreement_with_cases_of_both_answers_is_anchored_by_a_direct_answer():
    orch, provider, result = _leap(LEAP_ONE_WRONG, solve("True"))
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "1 model case(s) set aside" in " ".join(result["evidence"]["reasons"])
    assert "confirmed by a separate direct solution" in result["evidence"]["summary"]
    assert "is_leap_year(year=1980) == True" in result["tests"]  # the agreed value replaces the guess
    assert orch.get_tool_count() == 1


def test_a_true_false_agreement_is_not_anchored_by_a_direct_answer_that_differs():
    orch, _, result = _leap(LEAP_ONE_WRONG, solve("False"))
    assert not result["success"] and orch.get_tool_count() == 0
    assert "a direct solution of the request returned false" in result["error"]


def test_a_true_false_agreement_whose_passed_cases_all_say_true_is_anchored_only_if_it_answers_both_ways():
    """Every passed case says True, and code that returns True for any year passes them as well. Run on
    inputs varied from the cases' (2031, 1999, ...), the agreeing drafts answer False there and True
    elsewhere, all alike: no constant. With the direct answer on the request's own input, that anchors it."""
    cases = _leap_cases((2032, True), (2000, True), (2024, True), (1980, False))
    orch, _, result = _leap(cases, solve("True"))
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "is_leap_year(year=1980) == True" in result["tests"]


def test_a_true_false_agreement_that_answers_one_way_everywhere_is_not_anchored():
    """Drafts that say True for every year agree with each other and with the direct answer just as well,
    but nothing shows they tell a leap year from another year: nothing is verified."""
    cases = _leap_cases((2032, True), (2000, True), (2024, True), (1980, False))
    always = "```python\ndef is_leap_year(year: int) -> bool:\n    return True\n```"
    orch, _ = make_orchestrator(script(("generate_spec", LEAP_SPEC), ("generate_tests", cases),
                                       *[("generate_implementation", always)] * 3,
                                       ("generate_implementation", solve("True")),
                                       ("generate_implementation", always)))
    result = orch.synthesis_engine.synthesize_capability(LEAP_REQUEST)
    assert not result["success"] and orch.get_tool_count() == 0


# "What is 18% of 350?" as the embedded model specified it (2026-12-07): the percentage "as a decimal", so
# every draft multiplies, while the model's cases (and the request) give 18 for 18%.
PCT_SPEC = {"function_name": "calculate_percentage",
            "parameters": [{"name": "value", "type": "float", "description": "The value to take a percentage of."},
                           {"name": "percentage", "type": "float",
                            "description": "The percentage as a decimal (e.g., 18% is 0.18)."}],
            "return_type": "float", "docstring": "Calculates the given percentage of the provided value."}
PCT_CASES = {"cases": [{"args": {"value": v, "percentage": p}, "expected": e, "from_request": False}
                       for v, p, e in ((0, 20, 0.0), (100, 50, 50.0), (350, 25, 87.5), (200, 10, 20.0))]}
PCT_DRAFT = ("```python\ndef calculate_percentage(value: float, percentage: float) -> float:\n"
             "    return value * percentage\n```")
PCT_REPAIR = ("```python\ndef calculate_percentage(value: float, percentage: float) -> float:\n"
              "    return value * percentage / 100\n```")
PCT_REQUEST = "What is 18% of 350?"


def _percent(direct: str, repair: str):
    orch, provider = make_orchestrator(script(("generate_spec", PCT_SPEC), ("generate_tests", PCT_CASES),
                                              *[("generate_implementation", PCT_DRAFT)] * 3,
                                              ("extract_arguments", {"value": 350, "percentage": 18}),
                                              ("generate_implementation", direct),
                                              ("fix_implementation", repair)))
    return orch, provider, orch.synthesis_engine.synthesize_capability(PCT_REQUEST)


def test_an_agreement_that_the_cases_and_a_direct_answer_both_contradict_yields_to_a_repair_both_back():
    orch, provider, result = _percent(solve("350 * 18 / 100"), PCT_REPAIR)
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "/ 100" in result["code"] and orch.get_tool_count() == 1
    assert "a direct solution of the request returns 63.0" in " ".join(result["evidence"]["reasons"])
    assert "calculate_percentage(value=350, percentage=25) == pytest.approx(87.5)" in result["tests"]  # none set aside
    assert "test_calculate_percentage_request_answer" in result["tests"]  # the direct answer is a case now
    assert "chosen over independent drafts that agreed on another answer" in result["evidence"]["summary"]
    purposes = [c["purpose"] for c in provider.calls]
    assert purposes.count("generate_implementation") == 4 and purposes.count("fix_implementation") == 1
    repair = next(c for c in provider.calls if c["purpose"] == "fix_implementation")["messages"][-1]["content"]
    assert "as a decimal" not in repair  # the suspected misreading is not shown again
    assert "should return 63.0, what a direct solution of the request 'What is 18% of 350?' returns" in repair


def test_a_probe_outranks_a_model_case_on_the_same_input_written_with_other_number_types():
    from selfeng.arbitration import Case
    from selfeng.cases import merge
    probe = Case("p", {"value": 75.0, "percentage": 12.0}, None, "probe")
    guess = Case("g", {"value": 75, "percentage": 12}, 90.0, "model")
    assert merge([probe], [guess]) == [probe]
    assert len(merge([probe], [Case("h", {"value": 75.5, "percentage": 12}, 9.06, "model")])) == 2


def test_docstrings_are_left_out_of_code_shown_again():
    from selfeng.codeblocks import without_docstrings
    code = 'def f(x):\n    """Takes x as a decimal."""\n    return x * 2\n'
    assert "decimal" not in without_docstrings(code) and "return x * 2" in without_docstrings(code)
    assert without_docstrings('def f(x):\n    """only a docstring"""\n') == "def f(x):\n    pass\n"
    assert without_docstrings("def f(:") == "def f(:"


def test_a_repair_that_does_not_return_the_direct_answer_changes_nothing():
    # the repair passes the cases but returns 6.3 on the request's input: not what the direct answer says
    odd = ("```python\ndef calculate_percentage(value: float, percentage: float) -> float:\n"
           "    return value * percentage / 100 if value != 350 or percentage != 18 else 6.3\n```")
    orch, provider, result = _percent(solve("350 * 18 / 100"), odd)
    assert not result["success"] and orch.get_tool_count() == 0  # no agreement is anchored: nothing verified
    assert "a direct solution of the request returned 63.0" in result["error"]
    assert [c["purpose"] for c in provider.calls].count("fix_implementation") == 1


def test_a_zero_answer_to_a_zero_argument_is_no_anchor():
    from selfeng.anchors import says_something
    from selfeng.observations import Case
    assert not says_something(Case("t", {"value": 0, "percentage": 20}, 0.0, "model"))
    assert says_something(Case("t", {"value": 200, "percentage": 10}, 20.0, "model"))
    assert not says_something(Case("t", {"s": "abc"}, "abc", "model"))
