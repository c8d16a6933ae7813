"""Routing through the real executor, sandbox and orchestrator (scripted model): arguments must come
from the request, unit roles are enforced before a run, and a session reuses its last tool only for an
explicit repeat."""
from __future__ import annotations

import json

from selfeng.config import load_settings
from selfeng.executor import ToolExecutor
from selfeng.llm.scripted import ScriptedProvider
from selfeng.llm_client import LLMClient
from tests.core.helpers import Recorder, make_orchestrator, reverse_synthesis_script

C2F = {"name": "celsius_to_fahrenheit", "signature": "celsius_to_fahrenheit(celsius: float) -> float",
       "parameters": [{"name": "celsius", "type": "float"}], "docstring": "Convert Celsius to Fahrenheit.",
       "code": "def celsius_to_fahrenheit(celsius: float) -> float:\n    return celsius * 9 / 5 + 32\n"}
SORT = {"name": "sort_numbers_descending", "signature": "sort_numbers_descending(numbers: list[float]) -> list[float]",
        "parameters": [{"name": "numbers", "type": "list[float]"}], "docstring": "Sort numbers, largest first.",
        "code": "def sort_numbers_descending(numbers):\n    return sorted(numbers, reverse=True)\n"}


def executor(responses=()):
    settings = load_settings()
    provider = ScriptedProvider(list(responses))
    return ToolExecutor(LLMClient(provider, settings=settings), settings=settings), provider


def test_value_labelled_in_another_unit_never_runs():
    ex, provider = executor()
    run = ex.execute_with_retry(C2F, "Convert 212 degrees Fahrenheit to Celsius")
    assert not run["success"] and run["error_type"] == "argument_mismatch"
    assert "fahrenheit" in run["error"] and provider.calls == []


def test_an_example_in_the_other_unit_does_not_stop_the_run_of_the_stated_input():
    ex, _ = executor([{"purpose": "extract_arguments", "content": json.dumps({"celsius": 30})}])
    run = ex.execute_with_retry(C2F, "What's 30 degrees Celsius in Fahrenheit? For example 25 °C is 77 °F.")
    assert run["success"] and run["result"] == 86.0, run["error"]


def test_invented_argument_is_refused_and_reextracted():
    invented = json.dumps({"numbers": [1, 2, 3]})
    ex, provider = executor([{"purpose": "extract_arguments", "content": invented},
                             {"purpose": "extract_arguments", "content": json.dumps({"numbers": [10, -2, 33, 4]})}])
    run = ex.execute_with_retry(SORT, "Sort 10, -2, 33, 4 from largest to smallest")
    assert run["success"] and run["result"] == [33, 10, 4, -2]
    second = [c for c in provider.calls if c["purpose"] == "extract_arguments"][1]
    assert "appears nowhere in the request" in second["messages"][-1]["content"]


TIP = {"name": "calculate_tip", "signature": "calculate_tip(bill: float, tip_percentage: str) -> float",
       "parameters": [{"name": "bill", "type": "float"}, {"name": "tip_percentage", "type": "str"}],
       "docstring": "The tip on a bill, the percentage written like '18%'.",
       "code": "def calculate_tip(bill, tip_percentage):\n    return bill * float(tip_percentage.strip('%')) / 100\n"}


def test_a_request_value_wrapped_in_code_is_that_value_and_costs_no_second_call():
    wrapped = json.dumps({"bill": 50, "tip_percentage": "strconv(18)"})
    ex, provider = executor([{"purpose": "extract_arguments", "content": wrapped}])
    run = ex.execute_with_retry(TIP, "Leave an 18% tip on a 50 dollar meal: how much is the tip?")
    assert run["success"] and run["result"] == 9.0 and run["arguments"]["tip_percentage"] == "18%"
    assert len(provider.calls) == 1
    # a made-up value with none of the request's own inside is still refused
    ex, _ = executor([{"purpose": "extract_arguments", "content": json.dumps({"bill": 50, "tip_percentage": "x%"})}] * 3)
    run = ex.execute_with_retry(TIP, "Leave an 18% tip on a 50 dollar meal: how much is the tip?")
    assert not run["success"] and "appears nowhere in the request" in run["error"]


def test_the_extraction_reads_the_parameter_descriptions_the_code_was_written_from():
    rate = {"name": "add_vat", "signature": "add_vat(amount: float, rate: float) -> float",
            "parameters": [{"name": "amount", "type": "float", "description": "the net amount"},
                           {"name": "rate", "type": "float", "description": "the VAT rate as a decimal (0.2 for 20%)"}],
            "docstring": "The amount with VAT added.",
            "code": "def add_vat(amount, rate):\n    return amount * (1 + rate)\n"}
    ex, provider = executor([{"purpose": "extract_arguments", "content": json.dumps({"amount": 35, "rate": 0.2})}])
    run = ex.execute_with_retry(rate, "Add 20% VAT to 35")
    assert run["success"] and run["result"] == 42.0
    assert "rate: the VAT rate as a decimal (0.2 for 20%)" in provider.calls[0]["messages"][-1]["content"]


def test_fit_check_arguments_are_used_without_another_call():
    ex, provider = executor()
    tool = {**SORT, "fit_arguments": {"numbers": [10, -2, 33, 4]}}
    run = ex.execute_with_retry(tool, "Sort 10, -2, 33, 4 from largest to smallest")
    assert run["success"] and run["result"] == [33, 10, 4, -2] and provider.calls == []


def test_session_reuses_the_last_tool_only_for_an_explicit_repeat():
    orch, provider = make_orchestrator(reverse_synthesis_script())
    sid = orch.memory_manager.start_session()
    assert orch.process_request("Reverse the string 'hello world'", session_id=sid)["tool_name"] == "reverse_string"
    provider.enqueue("extract_arguments", json.dumps({"s": "abc"}))  # a follow-up reads its context
    again = orch.process_request("again with 'abc'", session_id=sid)
    assert again["tool_name"] == "reverse_string" and again["tool_result"] == "cba"
    rec = Recorder()
    other = orch.process_request("is it a palindrome too?", session_id=sid, callback=rec)
    # No tool fits and this is no repeat: synthesis is tried (and fails: nothing scripted), never reverse_string.
    assert other["tool_name"] != "reverse_string" and "entering_synthesis_mode" in rec.names
