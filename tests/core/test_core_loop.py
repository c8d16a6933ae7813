"""The core loop on the real pipeline (sandbox, store, embedder), with the model scripted."""
from __future__ import annotations

import json

import pytest

from tests.core.helpers import (REVERSE_CASES, REVERSE_CODE, REVERSE_SPEC, Recorder, make_orchestrator,
                                reverse_synthesis_script, script)


def test_synthesises_runs_in_sandbox_then_reuses_and_survives_restart(tmp_path):
    orch, provider = make_orchestrator(reverse_synthesis_script())
    rec = Recorder()
    first = orch.process_request("Reverse the string 'hello world'", callback=rec)
    assert first["success"], first
    assert first["synthesized"] is True and first["tool_name"] == "reverse_string"
    assert first["tool_result"] == "dlrow olleh"
    assert "dlrow olleh" in first["response"]
    # Stages arrive in order, each in_progress then complete.
    names = rec.names
    for a, b in [("searching", "no_tool_found"), ("no_tool_found", "entering_synthesis_mode"),
                 ("entering_synthesis_mode", "synthesis_step"), ("synthesis_complete", "executing"),
                 ("executing", "execution_complete"), ("execution_complete", "synthesizing_response"),
                 ("synthesizing_response", "complete")]:
        assert names.index(a) < names.index(b), (a, b, names)
    order = [s for s, st in rec.steps() if st == "complete"]
    assert order == ["specification", "tests", "implementation", "verification", "registration"]
    verification = [d for e, d in rec.events if e == "synthesis_step" and d["step"] == "verification"
                    and d["status"] == "complete"][0]
    assert verification["tests_passed"] == 4 and verification["tests_failed"] == 0
    assert first["usage"]["by_purpose"]["generate_spec"]["calls"] == 1
    assert first["usage"]["model_calls"] == 5  # spec, cases, two independent implementations, answer
    assert provider.remaining() == 0

    rec2 = Recorder()
    second = orch.process_request("Reverse 'Python'", callback=rec2)
    assert second["success"] and second["synthesized"] is False
    assert second["tool_name"] == "reverse_string" and second["tool_result"] == "nohtyP"
    assert "nohtyP" in second["response"]
    assert second["usage"]["model_calls"] == 0  # fast path: one str parameter, one quoted string
    assert "tool_found" in rec2.names and "entering_synthesis_mode" not in rec2.names

    # A new process on the same data directory still has and finds the tool.
    orch2, provider2 = make_orchestrator([])
    assert orch2.get_tool_count() == 1
    third = orch2.process_request("Please reverse 'abc'")
    assert third["tool_name"] == "reverse_string" and third["tool_result"] == "cba"
    assert third["usage"]["model_calls"] == 0


def test_tool_code_and_tests_are_stored_and_mirrored(tmp_path):
    orch, _ = make_orchestrator(reverse_synthesis_script())
    orch.process_request("Reverse the string 'hello world'")
    tool = orch.registry.get_tool_by_name("reverse_string")
    assert "return s[::-1]" in tool["code"]
    assert "from reverse_string import reverse_string" in tool["tests"]
    tools_dir = orch.settings.tools_dir
    assert (tools_dir / "reverse_string.py").read_text() == tool["code"]
    assert (tools_dir / "test_reverse_string.py").read_text() == tool["tests"]


def test_disputed_test_case_is_dropped_on_evidence_not_loosened():
    wrong = {"cases": REVERSE_CASES["cases"] + [{"args": {"s": "abc"}, "expected": "cab"}]}
    responses = script(("generate_spec", REVERSE_SPEC), ("generate_tests", wrong),
                       ("generate_implementation", REVERSE_CODE),
                       # the independent re-derivation, from the spec alone
                       ("generate_implementation", "def reverse_string(s):\n    return ''.join(reversed(s))\n"),
                       ("synthesize_response", "It is 'olleh'."))
    orch, provider = make_orchestrator(responses)
    rec = Recorder()
    result = orch.process_request("Reverse the string 'hello'", callback=rec)
    assert result["success"], result
    assert result["synthesis"]["dropped_tests"] == ["test_reverse_string_case_5"]
    tests = orch.registry.get_tool_by_name("reverse_string")["tests"]
    # The model's case on the request's own input ('hello') gave way to the probe: its answer is the two
    # implementations' consensus, not the model's guess.
    assert "'cab'" not in tests and "case_5" not in tests and "case_1" not in tests
    assert tests.count("_case_") == 3
    assert "reverse_string(s='hello') == 'olleh'" in tests
    # The second implementation saw only the spec.
    second_impl_prompt = [c for c in provider.calls if c["purpose"] == "generate_implementation"][1]
    assert "assert" not in second_impl_prompt["messages"][-1]["content"]


def test_dispute_never_drops_below_minimum_tests():
    cases = {"cases": [{"args": {"s": "ab"}, "expected": "ab"}, {"args": {"s": "hello"}, "expected": "olleh"},
                       {"args": {"s": "xyz"}, "expected": "xyz"}]}
    responses = script(("generate_spec", REVERSE_SPEC), ("generate_tests", cases),
                       ("generate_implementation", REVERSE_CODE), ("generate_implementation", REVERSE_CODE),
                       ("fix_implementation", REVERSE_CODE))
    orch, _ = make_orchestrator(responses, synthesis_min_tests=3)
    rec = Recorder()
    result = orch.process_request("Reverse the string 'hello'", callback=rec)
    assert not result["success"]
    assert result["error_type"] == "synthesis_failed"
    assert orch.get_tool_count() == 0
    assert ("synthesis_failed" in rec.names) and ("error" in rec.names)


def test_repair_loop_sends_failure_report_and_fixes():
    crash = "def reverse_string(s: str) -> str:\n    return s.reverse()\n"
    # a lone repair needs two informative cases besides 'hello' (the request's own input, a probe)
    cases = {"cases": REVERSE_CASES["cases"] + [{"args": {"s": "abc"}, "expected": "cba"}]}
    responses = script(("generate_spec", REVERSE_SPEC), ("generate_tests", cases),
                       ("generate_implementation", crash), ("generate_implementation", crash),
                       ("generate_implementation", crash), ("fix_implementation", REVERSE_CODE), ("synthesize_response", "Done: 'olleh'"))
    orch, provider = make_orchestrator(responses)
    result = orch.process_request("Reverse the string 'hello'")
    assert result["success"] and result["tool_result"] == "olleh"
    fix_prompt = [c for c in provider.calls if c["purpose"] == "fix_implementation"][0]["messages"][-1]["content"]
    # The repair sees the failing case, what was expected and what the code returned.
    # ('hello' is the request's own input: a probe with no expected value, so it is not shown.)
    assert "s='hello world'" in fix_prompt and '"dlrow olleh"' in fix_prompt
    assert "raised AttributeError" in fix_prompt
    assert result["synthesis"]["attempts"] == 4  # three independent draws, then the repair


def test_all_attempts_failing_registers_nothing_by_default():
    bad = "def reverse_string(s: str) -> str:\n    return s.upper()\n"
    responses = script(("generate_spec", REVERSE_SPEC), ("generate_tests", REVERSE_CASES),
                       ("generate_implementation", bad), ("generate_implementation", bad),
                       ("generate_implementation", bad), ("fix_implementation", bad))
    orch, _ = make_orchestrator(responses)
    result = orch.process_request("Reverse the string 'hello'")
    assert not result["success"] and "verification" in result["error"]
    assert orch.get_tool_count() == 0


def test_experimental_registration_only_when_allowed_and_flagged():
    bad = "def reverse_string(s: str) -> str:\n    return s.upper()\n"
    responses = script(("generate_spec", REVERSE_SPEC), ("generate_tests", REVERSE_CASES),
                       ("generate_implementation", bad), ("generate_implementation", bad),
                       ("generate_implementation", bad), ("fix_implementation", bad), ("synthesize_response", "HELLO"))
    orch, _ = make_orchestrator(responses, allow_experimental=True)
    result = orch.process_request("Reverse the string 'hello'")
    tool = orch.registry.get_tool_by_name("reverse_string")
    assert tool["experimental"] and not tool["tests_verified"]
    assert result["experimental"] is True and "EXPERIMENTAL" in result["response"]


@pytest.mark.parametrize("prompt,session", [("", "s1"), ("   ", "s1"), ("x" * 5000, "s1"),
                                            ("Reverse 'abc'", "../etc/passwd")])
def test_bad_requests_get_clear_errors_and_store_nothing(prompt, session):
    orch, provider = make_orchestrator([])
    rec = Recorder()
    result = orch.process_request(prompt, session_id=session, callback=rec)
    assert not result["success"] and result["error_type"] == "invalid_request"
    assert rec.names == ["error"]
    assert not orch.store.session_exists(session)
    assert orch.memory_manager.get_recent_messages(session) == []
    assert provider.calls == []


def test_a_new_tool_gets_usage_views_after_the_answer_and_the_request_does_not_pay_for_them():
    examples = ["spell 'stressed' backwards", "write 'hello' back to front", "flip 'stop' around",
                "show 'abc' reversed"]
    orch, provider = make_orchestrator(reverse_synthesis_script() + script(
        ("example_requests", json.dumps({"requests": examples}))), usage_views=4)
    first = orch.process_request("Reverse the string 'hello world'")
    assert first["success"] and first["synthesized"] and first["usage"]["model_calls"] == 5
    assert orch.registry.wait_for_usage_views(timeout=60)
    assert provider.remaining() == 0
    queries = [q["query"] for q in orch.store.list_tool_queries("reverse_string")]
    assert queries[0] == "Reverse the string 'hello world'" or "Reverse the string 'hello world'" in queries
    assert set(examples) <= set(queries)


def test_explicit_request_forces_synthesis_under_a_new_name():
    orch, _ = make_orchestrator(reverse_synthesis_script())
    orch.process_request("Reverse the string 'hello world'")
    spec2 = dict(REVERSE_SPEC, docstring="Reverse a string, another take.")
    responses = script(("generate_spec", spec2), ("generate_tests", REVERSE_CASES),
                       ("generate_implementation", REVERSE_CODE.replace("reverse_string", "reverse_string_v2")),
                       ("generate_implementation", REVERSE_CODE.replace("reverse_string", "reverse_string_v2")))
    orch2, _ = make_orchestrator(responses)
    rec = Recorder()
    result = orch2.process_request("Create a function that reverses strings", callback=rec)
    assert result["success"] and result["synthesized"] and result["tool_name"] == "reverse_string_v2"
    assert "searching" not in rec.names
    assert orch2.get_tool_count() == 2
    assert "return s[::-1]" in orch2.registry.get_tool_by_name("reverse_string")["code"]


def test_argument_mismatch_falls_back_to_synthesis_once():
    orch, _ = make_orchestrator(reverse_synthesis_script())
    orch.process_request("Reverse the string 'hello world'")
    # The found tool takes one string; the model's arguments never bind, so selfeng builds a better fit.
    pair_spec = {"function_name": "reverse_string_pair",
                 "parameters": [{"name": "a", "type": "str", "description": "first"},
                                {"name": "b", "type": "str", "description": "second"}],
                 "return_type": "str", "docstring": "Reverse two strings and join them with a space."}
    cases = {"cases": [{"args": {"a": "ab", "b": "cd"}, "expected": "ba dc"},
                       {"args": {"a": "", "b": ""}, "expected": " "},
                       {"args": {"a": "x", "b": "yz"}, "expected": "x zy"}]}
    code = "def reverse_string_pair(a: str, b: str) -> str:\n    return a[::-1] + ' ' + b[::-1]\n"
    responses = script(*[("extract_arguments", {"a": "ab", "b": "cd"})] * 3,
                       ("generate_spec", pair_spec), ("generate_tests", cases),
                       ("generate_implementation", code), ("generate_implementation", code),
                       ("extract_arguments", {"a": "ab", "b": "cd"}),
                       ("synthesize_response", "ba dc"))
    orch2, provider = make_orchestrator(responses)
    result = orch2.process_request("Reverse the strings 'ab' and 'cd'")
    assert result["success"], result
    assert result["synthesized"] and result["tool_name"] == "reverse_string_pair"
    assert result["tool_result"] == "ba dc"


def test_a_time_is_never_run_through_a_speed_converter():
    """"How many seconds are in 3 hours?" once reused the km/h-to-m/s tool and answered 0.83: the hours went
    into `kilometers_per_hour`. The executor refuses such arguments, with no model call, so the request is
    synthesised instead (the orchestrator's argument-mismatch fallback)."""
    orch, provider = make_orchestrator([])
    name = "convert_kilometers_per_hour_to_meters_per_second"
    spec = {"function_name": name, "parameters": [{"name": "kilometers_per_hour", "type": "float", "description": ""}],
            "return_type": "float", "docstring": "Convert a speed from kilometers per hour to meters per second."}
    orch.registry.add_tool(name, f"def {name}(kilometers_per_hour: float) -> float:\n    return kilometers_per_hour / 3.6\n",
                           "", spec["docstring"], spec=spec)
    tool = orch.registry.get_tool_by_name(name)
    refused = orch.executor.execute_with_retry(tool, "How many seconds are in 3 hours?")
    assert refused["error_type"] == "argument_mismatch" and refused["error"].startswith("role:"), refused
    assert "takes a speed" in refused["error"] and provider.calls == []
    ran = orch.executor.execute_with_retry(tool, "Convert 90 km/h to m/s")
    assert ran["success"] and ran["result"] == 25.0, ran


def test_usage_and_timings_reported():
    orch, _ = make_orchestrator(reverse_synthesis_script())
    result = orch.process_request("Reverse the string 'hello world'")
    u = result["usage"]
    assert set(u) >= {"model_calls", "prompt_tokens", "completion_tokens", "model_seconds", "by_purpose"}
    assert set(u["by_purpose"]) == {"generate_spec", "generate_tests", "generate_implementation",
                                    "synthesize_response"}
    assert {"search_s", "synthesis_s", "execution_s", "total_s"} <= set(result["timings"])
    json.dumps(result)  # the whole result is JSON-serialisable (selfeng ask --json relies on it)


def test_model_chosen_name_that_shadows_stdlib_is_renamed_before_tests_are_written():
    spec = {"function_name": "statistics", "parameters": [{"name": "values", "type": "list", "description": "numbers"}],
            "return_type": "float", "docstring": "Mean of a list of numbers."}
    cases = {"cases": [{"args": {"values": [1, 2, 3]}, "expected": 2.0}, {"args": {"values": [4]}, "expected": 4.0},
                       {"args": {"values": [1, 2]}, "expected": 1.5}]}
    code = "def statistics_tool(values: list) -> float:\n    return sum(values) / len(values)\n"
    orch, provider = make_orchestrator(script(("generate_spec", spec), ("generate_tests", cases),
                                              ("generate_implementation", code),
                                              ("generate_implementation", code),
                                              ("extract_arguments", {"values": [2, 4]}),
                                              ("synthesize_response", "The mean is 3.0")))
    result = orch.process_request("Compute the mean of the numbers 2 and 4")
    assert result["success"], result
    assert result["tool_name"] == "statistics_tool" and result["tool_result"] == 3.0
    assert (orch.settings.tools_dir / "statistics_tool.py").exists()
    assert not (orch.settings.tools_dir / "statistics.py").exists()
    impl_prompt = [c for c in provider.calls if c["purpose"] == "generate_implementation"][0]["messages"][-1]["content"]
    assert "def statistics_tool(" in impl_prompt


def test_a_reused_tool_that_leaves_an_input_of_the_request_unused_is_not_the_answer():
    """reverse_string('Python') for a request that also gives 'Java' would answer another question."""
    orch, provider = make_orchestrator(reverse_synthesis_script())
    orch.process_request("Reverse the string 'hello world'")
    # The (scripted) model says the tool fits and takes only the first string.
    provider.enqueue("check_tool_fit", json.dumps({"needed": "reverse_string", "relation": "same",
                                                   "arguments": {"s": "Python"}}))
    provider.enqueue("extract_arguments", json.dumps({"s": "Python"}))
    rec = Recorder()
    result = orch.process_request("Reverse 'Python' followed by 'Java'", callback=rec)
    assert "tool_found" in rec.names and "entering_synthesis_mode" in rec.names
    assert result.get("tool_result") != "nohtyP"


def test_invented_parameters_are_those_the_request_has_no_value_for():
    from selfeng.arguments import invented_parameters, request_values

    def spec(*params):
        return [{"name": n, "type": t} for n, t in params]
    assert invented_parameters(spec(("day", "str"), ("language", "str"), ("as_local_time", "bool")),
                               "Which weekday is 2031-07-04?") == ["language", "as_local_time"]
    assert invented_parameters(spec(("yards", "float"), ("meters", "float")), "Turn 40 yards into meters?") == \
        ["meters"]
    # values in other forms than digits: a number word, an ordinal, a month name, a list's numbers as one
    assert request_values("Put [7, -1, 40] in reverse order, then add nine") == ["[7, -1, 40]", "9.0"]
    assert invented_parameters(spec(("base", "int"), ("exponent", "int")), "Raise 6 to the third power") == []
    assert invented_parameters(spec(("month", "str"), ("year", "int")), "How many days has March 1999?") == []
    # a setting the request names in words, and a request that describes a function, keep theirs
    assert invented_parameters(spec(("miles", "float"), ("rounding_decimals", "int"), ("unit", "str")),
                               "Convert 8 miles to km, rounded to 1 decimals") == ["unit"]
    assert invented_parameters(spec(("text", "str"), ("letter", "str"), ("case_sensitive", "bool")),
                               "How often does the letter 'o' occur in 'foo boo'") == ["case_sensitive"]
    assert invented_parameters(spec(("hours", "float"), ("seconds_per_hour", "int")),
                               "How many seconds in 4.5 hours?") == ["seconds_per_hour"]
    assert invented_parameters(spec(("n", "int"), ("base", "int")), "Write a function that sums digits") == []
    # a data file's filters are plain words no count sees
    assert invented_parameters(spec(("path", "str"), ("status", "str")), "How many orders in o.json are late?") == []


def test_numbers_listed_in_prose_are_one_value_for_a_sequence_parameter():
    from selfeng.arguments import invented_parameters

    def spec(*params):
        return [{"name": n, "type": t} for n, t in params]
    ask = "What is the difference between the largest and smallest of 4, 19, 11 and 2?"
    assert invented_parameters(spec(("numbers", "list[int]"), ("tolerance", "float")), ask) == ["tolerance"]
    assert invented_parameters(spec(("a", "int"), ("b", "int"), ("c", "int"), ("d", "int")), ask) == []
    assert invented_parameters(spec(("numbers", "list"), ("k", "int")), "The 2 largest of 4, 19, 11, 7") == []
    assert invented_parameters(spec(("values", "list"), ("x", "int")), "Is 3 between 1 and 5?") == []


def test_a_value_wrapped_in_code_around_one_request_value_is_unwrapped():
    from selfeng.arguments import unwrapped_literals

    def spec(*params):
        return [{"name": n, "type": t} for n, t in params]
    lamp = "What is the price of an 80 dollar lamp after a 20% discount?"
    params = spec(("price", "float"), ("discount_percentage", "float"))
    assert unwrapped_literals({"price": 80, "discount_percentage": "math.floor(20/100*80)"}, params, lamp) == \
        {"price": 80.0, "discount_percentage": 20.0}
    assert unwrapped_literals({"text": 'reverse("abc")'}, spec(("text", "str")), "Reverse 'abc'") == {"text": "abc"}
    # two request values inside, or none: nothing to choose, so the value stays (and grounding refuses it)
    assert unwrapped_literals({"expr": "3+4"}, spec(("expr", "str")), "Add 3 and 4") == {"expr": "3+4"}
    assert unwrapped_literals({"n": "x"}, spec(("n", "str")), "Add 3 and 4") == {"n": "x"}


def test_unused_literals_are_the_inputs_no_argument_carries():
    from selfeng.arguments import unused_literals
    assert unused_literals("Count how many times the letter 's' appears in 'mississippi'",
                           {"text": "mississippi"}) == ["'s'"]
    assert unused_literals("How many days are there between 2024-01-01 and 2024-12-25?",
                           {"date": "2024-01-01"}) == ["2024-12-25"]
    assert unused_literals("How many days are there between 2024-01-01 and 2024-12-25?",
                           {"start": "2024-01-01", "end": "2024-12-25"}) == []
    assert unused_literals("What is 15% of 240?", {"percent": 0.15, "value": 240}) == []
    assert unused_literals("Sort [12, 4, 56] from largest to smallest", {"numbers": [12, 4, 56]}) == []
    assert unused_literals("Convert 5 miles to km, rounded to 2 decimals", {"miles": 5}) == ["2"]
    assert unused_literals("What time is 10:30 plus 45 minutes?", {"time": "10:30", "minutes": 45}) == []


def test_a_spec_written_while_routing_is_the_one_the_synthesis_starts_from():
    """Routing restates a request nothing matched as a spec (`restated_need`); the synthesis of the same
    request uses that spec, so the model writes it once."""
    orch, provider = make_orchestrator(reverse_synthesis_script())
    request = "Reverse the string 'hello world'"
    assert orch.registry.restated_spec(request, ask=True)["function_name"] == "reverse_string"
    result = orch.synthesis_engine.synthesize_capability(request)
    assert result["success"], result.get("error")
    assert [c["purpose"] for c in provider.calls].count("generate_spec") == 1
