"""A verified tool's answer to the request, weighed against direct solutions of the request (real sandbox,
scripted model): a spec that answers another question passes every case written from it."""
from __future__ import annotations

from .helpers import make_orchestrator, script

REQUEST = "Include a 10% service charge on a bill of 85"
PARAMS = [{"name": "bill", "type": "float", "description": "the bill"},
          {"name": "percent", "type": "float", "description": "the service charge in percent"}]
# As the embedded model specified it (2026-12-07, postfreeze-1207f): the charge, not the bill with it.
CHARGE_SPEC = {"function_name": "calculate_service_charge", "parameters": PARAMS, "return_type": "float",
               "docstring": "The service charge on a bill."}
CHARGE_CASES = {"cases": [{"args": {"bill": b, "percent": p}, "expected": b * p / 100, "from_request": False}
                          for b, p in ((100.0, 10.0), (50.0, 20.0), (200.0, 5.0), (80.0, 25.0))]}
CHARGE = ("```python\ndef calculate_service_charge(bill: float, percent: float) -> float:\n"
          "    return bill * percent / 100\n```")
TOTAL_SPEC = {"function_name": "add_service_charge", "parameters": PARAMS, "return_type": "float",
              "docstring": "The bill with a service charge added."}
TOTAL_CASES = {"cases": [{"args": {"bill": b, "percent": p}, "expected": b * (1 + p / 100), "from_request": False}
                         for b, p in ((100.0, 10.0), (50.0, 20.0), (200.0, 5.0))]}
TOTAL = ("```python\ndef add_service_charge(bill: float, percent: float) -> float:\n"
         "    return bill * (1 + percent / 100)\n```")
ARGS = {"bill": 85, "percent": 10}


def solve(value: str) -> str:
    return f"```python\ndef solve():\n    return {value}\n```"


def _first(*rest):
    return script(("generate_spec", CHARGE_SPEC), ("generate_tests", CHARGE_CASES),
                  ("generate_implementation", CHARGE), ("generate_implementation", CHARGE),
                  ("extract_arguments", ARGS), *rest)


def test_direct_solutions_that_agree_against_a_verified_tool_get_its_spec_written_again():
    orch, provider = make_orchestrator(_first(
        ("generate_implementation", solve("85 * 1.10")), ("generate_implementation", solve("85 + 85 * 10 / 100")),
        ("generate_implementation", solve("round(85 * 1.1, 2)")),
        ("generate_spec", TOTAL_SPEC), ("generate_tests", TOTAL_CASES), ("extract_arguments", ARGS),
        ("generate_implementation", TOTAL), ("generate_implementation", TOTAL)))
    result = orch.synthesis_engine.synthesize_capability(REQUEST)
    assert result["success"] and result["tests_verified"], result.get("error")
    assert result["tool_name"] == "add_service_charge"
    assert "written again after direct solutions of the request returned 93.5" in result["evidence"]["summary"]
    assert "where the first design returned 8.5" in result["evidence"]["summary"]
    # the spec prompt was told both answers; the request's own input is a case of the new tool
    spec_prompts = [c for c in provider.calls if c["purpose"] == "generate_spec"]
    assert "93.5" in str(spec_prompts[1]) and "8.5" in str(spec_prompts[1])
    assert "add_service_charge(bill=85.0, percent=10.0) == pytest.approx(93.5" in result["tests"]
    assert result["request_arguments"] == ARGS
    assert orch.registry.get_tool_by_name("calculate_service_charge") is None
    assert provider.remaining() == 0


def test_a_direct_solution_that_gives_the_tools_answer_ends_the_count():
    orch, provider = make_orchestrator(_first(
        ("generate_implementation", solve("85 * 1.10")), ("generate_implementation", solve("85 * 10 / 100"))))
    result = orch.synthesis_engine.synthesize_capability(REQUEST)
    assert result["success"] and result["tool_name"] == "calculate_service_charge"
    assert "written again" not in result["evidence"]["summary"]
    assert not [c for c in provider.calls if c["purpose"] == "generate_spec"][1:]
    assert result["request_arguments"] == ARGS  # read once; the real run uses it (no second extraction)


def test_when_no_second_design_returns_their_answer_the_first_stands_and_says_what_they_returned():
    orch, _ = make_orchestrator(_first(
        ("generate_implementation", solve("85 * 1.10")), ("generate_implementation", solve("93.5")),
        ("generate_implementation", solve("93.5")),
        ("generate_spec", CHARGE_SPEC), ("generate_tests", CHARGE_CASES), ("extract_arguments", ARGS),
        ("generate_implementation", CHARGE), ("generate_implementation", CHARGE)))
    result = orch.synthesis_engine.synthesize_capability(REQUEST)
    assert result["success"] and result["tool_name"] == "calculate_service_charge"
    assert ("but direct solutions of the request return 93.5 where it returns 8.5, and no second design "
            "returned theirs") in result["evidence"]["summary"]
    assert orch.get_tool_count() == 1


RAISE = "Raise 1200 by 4 percent"
RAISE_PARAMS = [{"name": "amount", "type": "float", "description": "the amount"},
                {"name": "percent", "type": "float", "description": "the percentage"}]
# As the embedded model specified it (2026-12-07, postfreeze-1207i): the increase, while its own cases and
# every direct solution said the raised amount.
INCREASE_SPEC = {"function_name": "increase_by_percentage", "parameters": RAISE_PARAMS, "return_type": "float",
                 "docstring": "Multiply the amount by the percentage as a decimal and return the result."}
RAISED_CASES = {"cases": [{"args": {"amount": a, "percent": p}, "expected": a * (1 + p / 100), "from_request": False}
                          for a, p in ((500.0, 10.0), (750.0, 20.0), (1000.0, 50.0), (200.0, 5.0))]}
INCREASE = ("```python\ndef increase_by_percentage(amount: float, percent: float) -> float:\n"
            "    return amount * percent / 100\n```")
RAISED_SPEC = {**INCREASE_SPEC, "function_name": "raise_by_percentage",
               "docstring": "The amount raised by the percentage."}
RAISED = ("```python\ndef raise_by_percentage(amount: float, percent: float) -> float:\n"
          "    return amount * (1 + percent / 100)\n```")
SOLVE = "write a function `solve()`"


def _raise_script(second_design: str):
    drafts = [{"purpose": "generate_implementation", "content": INCREASE, "match": "def increase_by_percentage"}
              for _ in range(4)]
    fixes = [{"purpose": "fix_implementation", "content": INCREASE}]
    solves = [{"purpose": "generate_implementation", "content": solve("1200 * 1.04"), "match": SOLVE}
              for _ in range(3)]
    redo = [{"purpose": "generate_implementation", "content": second_design, "match": "def raise_by_percentage"}
            for _ in range(3)]
    return script(("generate_spec", INCREASE_SPEC), ("generate_tests", RAISED_CASES),
                  ("extract_arguments", {"amount": 1200, "percent": 4}),
                  ("generate_spec", RAISED_SPEC), ("generate_tests", RAISED_CASES),
                  ("extract_arguments", {"amount": 1200, "percent": 4})) + drafts + fixes + solves + redo


def test_an_agreement_that_the_cases_and_direct_solutions_contradict_gets_its_spec_written_again():
    orch, provider = make_orchestrator(_raise_script(RAISED))
    result = orch.synthesis_engine.synthesize_capability(RAISE)
    assert result["success"] and result["tests_verified"], result.get("error")
    assert result["tool_name"] == "raise_by_percentage"
    assert "written again after direct solutions of the request returned 1248" in result["evidence"]["summary"]
    assert "raise_by_percentage(amount=1200.0, percent=4.0) == pytest.approx(1248" in result["tests"]
    assert orch.registry.get_tool_by_name("increase_by_percentage") is None


def test_when_the_second_design_fails_too_the_failure_says_what_direct_solutions_returned():
    orch, _ = make_orchestrator(_raise_script(RAISED.replace("(1 + percent / 100)", "percent / 100")))
    result = orch.synthesis_engine.synthesize_capability(RAISE)
    assert not result["success"]
    assert ("direct solutions of the request return 1248 where the agreeing implementations return 48; a "
            "second design was not verified either") in result["error"]
    assert orch.get_tool_count() == 0


def test_the_request_input_read_with_a_value_it_does_not_have_is_read_again_once_with_the_reason():
    from selfeng.config import load_settings
    from selfeng.llm.scripted import ScriptedProvider
    from selfeng.llm_client import LLMClient
    from selfeng.request_input import read_request_input

    # seen with the embedded model: "2%" read as 20, then, told so, as 2
    provider = ScriptedProvider(script(("extract_arguments", {"bill": 85, "percent": 100}),
                                       ("extract_arguments", {"bill": 85, "percent": 10})))
    client = LLMClient(provider, settings=load_settings())
    assert read_request_input(client, CHARGE_SPEC, None, REQUEST) == {"bill": 85.0, "percent": 10.0}
    second = provider.calls[1]["messages"][-1]["content"]
    assert "percent=100.0 appears nowhere in the request" in second
    # twice wrong: no input of its own, and no third call
    provider = ScriptedProvider(script(*[("extract_arguments", {"bill": 85, "percent": 100})] * 3))
    client = LLMClient(provider, settings=load_settings())
    assert read_request_input(client, CHARGE_SPEC, None, REQUEST) is None and provider.remaining() == 1
