"""Verified must mean correct: the real sandbox, store and embedder, with the model scripted."""
from __future__ import annotations

from selfeng.sandbox import SecureSandbox

from .helpers import Recorder, make_orchestrator, script
from .test_cases_and_repairs import HUMANEVAL_0

ADD_SPEC = {"function_name": "add_one", "parameters": [{"name": "x", "type": "int", "description": "a number"}],
            "return_type": "int", "docstring": "Add one to x."}
ADD_CASES = {"cases": [{"args": {"x": x}, "expected": x + 1, "from_request": False} for x in (1, 5, 0, 10)]}


def add_one_wrong_at_10(value: int) -> str:
    return f"```python\ndef add_one(x: int) -> int:\n    return {value} if x == 10 else x + 1\n```"


def test_report_carries_observed_values_as_data():
    code = "def half(x):\n    if x < 0:\n        raise ValueError('negative')\n    return (x / 2, [x])\n"
    tests = ("from half import half\n\ndef test_a():\n    assert half(3) == (1.5, [3])\n\n"
             "def test_b():\n    assert half(-1) == 0\n")
    report = SecureSandbox().verify_tool("half", code, tests)
    calls = {t["nodeid"].split("::")[-1]: t["calls"] for t in report["tests"]}
    assert calls["test_a"][0]["value"] == {"$": "tuple", "v": [1.5, [3]]}
    assert calls["test_a"][0]["args"] == [3]
    assert calls["test_b"][0]["error"]["type"] == "ValueError"
    assert "negative" in calls["test_b"][0]["error"]["message"]


def test_an_exception_class_outside_builtins_is_reported_with_its_built_in_family():
    """statistics.median([]) raises StatisticsError, a ValueError: bad input, as agreement goes, not a bug
    (postfreeze-1207m: drafts of a median tool raised it on an empty list the model expected 0.0 for)."""
    code = "import statistics\n\ndef med(xs):\n    return statistics.median(xs)\n"
    tests = "from med import med\n\ndef test_empty():\n    assert med([]) == 0.0\n"
    report = SecureSandbox().verify_tool("med", code, tests)
    error = report["tests"][0]["calls"][0]["error"]
    assert error["type"] == "StatisticsError" and error["family"] == "ValueError"
    from selfeng.test_evidence import _observation
    assert not _observation(report["tests"][0]).weak


def test_stop_iteration_from_the_tool_fails_the_test_instead_of_ending_its_loop():
    code = "def f(x):\n    raise StopIteration\n"
    tests = ("from f_tool import f\n\ndef test_loop():\n    for got, want in zip(map(f, [1, 2]), [1, 2]):\n"
             "        assert got == want\n")
    report = SecureSandbox().verify_tool("f_tool", code, tests)
    assert not report["success"]
    assert report["tests"][0]["calls"][0]["error"]["type"] == "RuntimeError"


def test_the_issue_add_one_case_is_not_verified_and_nothing_is_registered():
    """Every implementation is right except on 10, each differently: no case may be dropped."""
    impls = [("generate_implementation", add_one_wrong_at_10(v)) for v in (99, 42, 7, 13)]
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", ADD_CASES), *impls))
    rec = Recorder()
    result = orch.process_request("Create a function that adds one to a number", callback=rec)
    assert not result["success"] and result["error_type"] == "synthesis_failed"
    assert orch.get_tool_count() == 0
    # The message says what was tried, which case and what each implementation returned.
    for text in ("4 attempt(s)", "test_add_one_case_4 expects 11", "greedy: 99", "sample 2: 42", "sample 3: 7",
                 "sample 4: 13"):
        assert text in result["error"], (text, result["error"])
    assert result["synthesis"]["tests_verified"] is False
    assert provider.remaining("generate_implementation") == 0


def test_two_independent_implementations_outvote_one_wrong_case_and_the_answer_says_so():
    cases = {"cases": ADD_CASES["cases"][:3] + [{"args": {"x": 10}, "expected": 12, "from_request": False}]}
    right = "```python\ndef add_one(x: int) -> int:\n    return x + 1\n```"
    orch, _ = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", cases),
                                       ("generate_implementation", right), ("generate_implementation", right),
                                       ("synthesize_response", "7 plus one is 8.")))
    result = orch.process_request("Add one to 7")
    assert result["success"] and result["tool_result"] == 8
    assert result["synthesis"]["dropped_tests"] == ["test_add_one_case_4"]
    assert ("verified by 4 of 5 cases; 1 case dropped: both independent implementations return 11, the case "
            "expected 12") in result["response"]
    tests = orch.registry.get_tool_by_name("add_one")["tests"]
    assert "add_one(x=7) == 8" in tests  # the request's input, answered by consensus


def test_a_forgotten_import_is_added_without_a_model_call_and_stated_examples_win():
    body = ("    for i, a in enumerate(numbers):\n        for b in numbers[i + 1:]:\n"
            "            pass\n    return any(abs(a - b) < threshold for a, b in combinations(numbers, 2))\n")
    code = f"```python\ndef has_close_elements(numbers, threshold):\n{body}```"
    # The model's own first case contradicts the request's example ([1.0, 2.0, 3.0], 0.5) -> False.
    model = {"cases": [{"args": {"numbers": [1.0, 2.0, 3.0], "threshold": 0.5}, "expected": True, "from_request": True},
                       {"args": {"numbers": [1.0, 1.05], "threshold": 0.1}, "expected": True, "from_request": False},
                       {"args": {"numbers": [], "threshold": 1.0}, "expected": False, "from_request": False}]}
    orch, provider = make_orchestrator(script(("generate_tests", model), ("generate_implementation", code),
                                              ("generate_implementation", code)))
    result = orch.synthesis_engine.synthesize_capability(HUMANEVAL_0)
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "from itertools import combinations" in result["code"]
    assert "from typing import List" in result["code"]  # the request's own preamble
    purposes = [c["purpose"] for c in provider.calls]
    assert "generate_spec" not in purposes and "fix_implementation" not in purposes
    assert "has_close_elements(numbers=[1.0, 2.0, 3.0], threshold=0.5) == False" in result["tests"]
    assert result["evidence"]["stated_cases"] == 2


def test_a_crash_is_repaired_from_the_traceback():
    crash = "```python\ndef add_one(x: int) -> int:\n    return x + one\n```"
    right = "```python\ndef add_one(x: int) -> int:\n    return x + 1\n```"
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", ADD_CASES),
                                              ("generate_implementation", crash), ("generate_implementation", crash),
                                              ("generate_implementation", crash), ("fix_implementation", right)))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert result["tests_verified"], result.get("error")
    purposes = [c["purpose"] for c in provider.calls]
    # as many independent draws as an agreement needs come first: a repair fits whatever the cases say
    assert purposes.count("generate_implementation") == 3 and purposes[-1] == "fix_implementation"
    fix_prompt = [c for c in provider.calls if c["purpose"] == "fix_implementation"][0]["messages"][-1]["content"]
    assert "raised NameError" in fix_prompt and "name 'one' is not defined" in fix_prompt


def test_too_few_distinct_cases_are_asked_for_again():
    dup = {"cases": [{"args": {"x": 1}, "expected": 2, "from_request": False}] * 3}
    right = "```python\ndef add_one(x: int) -> int:\n    return x + 1\n```"
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", dup),
                                              ("generate_tests", ADD_CASES), ("generate_implementation", right),
                                              ("generate_implementation", right)))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert result["tests_verified"] and result["tests"].count("_case_") == 4
    asks = [c for c in provider.calls if c["purpose"] == "generate_tests"]
    assert len(asks) == 2
    # one case more than the floor (3) is asked for, so that one wrong expected value can still be dropped
    assert {a["json_schema"]["properties"]["cases"]["minItems"] for a in asks} == {4}


def test_an_experimental_tool_never_reads_as_verified():
    impls = [("generate_implementation", add_one_wrong_at_10(v)) for v in (99, 42, 7, 13)]
    orch, _ = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", ADD_CASES), *impls,
                                       ("synthesize_response", "It is 8.")), allow_experimental=True)
    result = orch.process_request("Add one to 7")
    assert result["success"] and result["experimental"]
    assert "EXPERIMENTAL" in result["response"] and "not verified" in result["response"]
    assert "verified by" not in result["response"]


def test_raw_pytest_from_a_code_writing_model_is_run_as_written_and_vacuous_tests_are_refused():
    raw = ("```python\nimport math\n\ndef test_small():\n    assert add_one(1) == 2\n\n"
           "def test_many():\n    for x in range(3):\n        assert add_one(x) == x + 1\n\n"
           "def test_float():\n    assert math.isclose(add_one(0.5), 1.5)\n```")
    right = "```python\ndef add_one(x: int) -> int:\n    return x + 1\n```"
    orch, _ = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", raw),
                                       ("generate_implementation", right), ("generate_implementation", right)))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert result["tests_verified"], result.get("error")
    assert "def test_many():" in result["tests"] and "import math" in result["tests"]
    vacuous = "```python\ndef test_a():\n    assert True\n```"
    # An unusable reply is asked for once more; twice vacuous, the request fails at the tests step.
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", vacuous),
                                              ("generate_tests", vacuous)))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert not result["success"] and result["step"] == "tests" and "check nothing" in result["error"]
    assert provider.remaining("generate_tests") == 0
    assert orch.get_tool_count() == 1  # the same library: only the first tool


def test_huge_integers_survive_the_verification_report():
    code = "import math\n\ndef fact(n):\n    return math.factorial(n)\n"
    tests = ("import math\nfrom fact_tool import fact\n\ndef test_big():\n    assert fact(1700) == math.factorial(1700)\n\n"
             "def test_wrong():\n    assert fact(1200) == 1\n")
    report = SecureSandbox().verify_tool("fact_tool", code, tests)
    assert report["tests_collected"] == 2 and report["tests_passed"] == 1, report["error"]
    calls = {t["nodeid"].split("::")[-1]: t["calls"][0] for t in report["tests"]}
    assert "digest" in calls["test_big"] and calls["test_big"]["chars"] > 4000
    assert len(str(calls["test_wrong"]["value"])) > 3000  # 1200! has 3176 digits and is kept as a value


RIGHT_ADD = "```python\ndef add_one(x: int) -> int:\n    return x + 1\n```"


TWO_WRONG = {"cases": [{"args": {"x": x}, "expected": want, "from_request": False}
                      for x, want in ((1, 2), (5, 7), (0, 1), (10, 12))]}


def test_model_cases_outvoted_by_three_agreeing_implementations_are_set_aside_and_the_answer_says_so():
    """Two model cases are wrong: no single drop can settle it. Three independent implementations agree on
    every input and pass the other cases, so the two are set aside and the agreed values take their place."""
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", TWO_WRONG),
                                              *[("generate_implementation", RIGHT_ADD)] * 3))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert result["tests_verified"], result.get("error")
    assert result["dropped_tests"] == []
    evidence = result["evidence"]
    assert evidence["summary"].startswith("verified by the agreement of 3 independent implementations on every "
                                          "input and by 2 of 4 cases; 2 model case(s) set aside: three return 6 "
                                          "where the case expected 7"), evidence["summary"]
    assert [d["case"] for d in evidence["set_aside"]] == ["test_add_one_case_2", "test_add_one_case_4"]
    # The registered tests carry the agreed values, never the model's wrong ones.
    assert "x=10) == 12" not in result["tests"] and "x=10) == 11" in result["tests"]
    assert "def test_add_one_case_4_agreed" in result["tests"]
    purposes = [c["purpose"] for c in provider.calls]
    assert purposes.count("generate_implementation") == 3 and purposes.count("generate_tests") == 1
    tool = orch.registry.get_tool_by_name("add_one")
    assert tool["tests_verified"] and not tool["experimental"]


def test_a_whole_float_and_the_int_it_equals_are_one_behaviour():
    """`x + 1.0` and `x + 1` return 11.0 and 11: the same answer to every test (`11.0 == 11`), so the three
    drafts are one agreement of three, not a group of two and a group of one (days between two dates, as
    `.days` and as seconds / 86400, failed this way)."""
    as_float = "```python\ndef add_one(x: int) -> float:\n    return x + 1.0\n```"
    orch, _ = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", TWO_WRONG),
                                       ("generate_implementation", as_float),
                                       *[("generate_implementation", RIGHT_ADD)] * 2))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert result["tests_verified"], result.get("error")
    assert result["evidence"]["summary"].startswith("verified by the agreement of 3 independent implementations")


def test_two_agreeing_implementations_do_not_outvote_a_case_set():
    """Two votes drop at most one case; setting several aside takes SELFENG_SYNTHESIS_AGREEMENT (3)."""
    other = "```python\ndef add_one(x: int) -> int:\n    return 9 if x == 5 else x + 1\n```"
    orch, _ = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", TWO_WRONG),
                                       *[("generate_implementation", RIGHT_ADD)] * 2,
                                       *[("generate_implementation", other)] * 2))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert not result["success"] and result["step"] == "verification"
    assert "test_add_one_case_2 expects 7; returned: greedy: 6; sample 2: 6; sample 3: 9" in result["error"]
    assert orch.get_tool_count() == 0


def test_agreeing_wrong_implementations_never_outvote_a_stated_example():
    """Four implementations agree on x + 2; the request's `>>>` example says 2 for 1: nothing is verified."""
    plus_two = "```python\ndef add_one(x: int) -> int:\n    return x + 2\n```"
    orch, _ = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", ADD_CASES),
                                       *[("generate_implementation", plus_two)] * 4,
                                       *[("fix_implementation", plus_two)] * 2))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one\n>>> add_one(1)\n2")
    assert not result["success"] and result["step"] == "verification"
    assert "set aside" not in result["error"] and orch.get_tool_count() == 0


def test_a_stub_without_a_return_annotation_gets_cases_typed_by_its_examples():
    """HumanEval/34 has `def unique(l: list):`; unconstrained, the model wrote {} for every expected list."""
    stub = ('Create a function:\n\ndef unique(l: list):\n    """Return sorted unique elements in a list\n'
            '    >>> unique([5, 3, 5, 2, 3, 3, 9, 0, 123])\n    [0, 2, 3, 5, 9, 123]\n    """\n')
    cases = {"cases": [{"args": {"l": [2, 1, 2]}, "expected": [1, 2], "from_request": False},
                       {"args": {"l": []}, "expected": [], "from_request": False}]}
    code = "```python\ndef unique(l: list):\n    return sorted(set(l))\n```"
    orch, provider = make_orchestrator(script(("generate_tests", cases), ("generate_implementation", code),
                                              ("generate_implementation", code)))
    result = orch.synthesis_engine.synthesize_capability(stub)
    assert result["tests_verified"], result.get("error")
    schema = [c for c in provider.calls if c["purpose"] == "generate_tests"][0]["json_schema"]
    assert schema["properties"]["cases"]["items"]["properties"]["expected"] == {
        "type": "array", "items": {"type": "integer"}}
    assert result["spec"]["return_type"] in ("Any", None, "")  # the spec itself stays the stub's


IS_HAPPY = ('Create a function:\n\ndef is_happy(s):\n    """You are given a string s.\n    A string is happy if its '
            'length is at least 3 and every 3 consecutive letters are distinct\n    For example:\n'
            '    is_happy(a) => False\n    is_happy(abcd) => True\n    """\n')


def test_an_untyped_stub_gets_its_cases_typed_by_the_model_and_keeps_its_own_signature():
    """HumanEval/80: with nothing to hold `s` to a type, the model wrote dicts for it, every implementation
    failed every case with a KeyError, and no tool was made although the code was right."""
    cases = {"cases": [{"args": {"s": s}, "expected": want, "from_request": False}
                       for s, want in (("abcd", True), ("aabb", False), ("xyy", False), ("adb", True))]}
    code = ("```python\ndef is_happy(s):\n    return len(s) >= 3 and all(len(set(s[i:i + 3])) == 3 "
            "for i in range(len(s) - 2))\n```")
    orch, provider = make_orchestrator(script(("infer_types", {"s": "str", "return": "bool"}),
                                              ("generate_tests", cases), ("generate_implementation", code),
                                              ("generate_implementation", code)))
    result = orch.synthesis_engine.synthesize_capability(IS_HAPPY)
    assert result["tests_verified"], result.get("error")
    ask = [c for c in provider.calls if c["purpose"] == "infer_types"][0]
    assert "You are given a string s." in ask["messages"][-1]["content"]
    case_schema = [c for c in provider.calls if c["purpose"] == "generate_tests"][0]["json_schema"]
    fields = case_schema["properties"]["cases"]["items"]["properties"]
    assert fields["args"]["properties"]["s"] == {"type": "string"} and fields["expected"] == {"type": "boolean"}
    # the implementations are asked for the stub as written
    draws = [c for c in provider.calls if c["purpose"] == "generate_implementation"]
    assert all(IS_HAPPY.split(":\n", 1)[1].strip("\n") in d["messages"][-1]["content"] for d in draws)
    assert [d["temperature"] for d in draws][:2] == [0.0, 0.7]  # the sample completes the same stub
    assert result["spec"]["parameters"][0]["type"] in ("Any", None, "")


def test_a_type_reply_that_is_not_one_of_the_choices_leaves_the_cases_untyped():
    cases = {"cases": [{"args": {"s": s}, "expected": want, "from_request": False}
                       for s, want in (("abcd", True), ("aabb", False), ("xyy", False))]}
    code = "```python\ndef is_happy(s):\n    return len(s) >= 3 and len(set(s[:3])) == 3 and s != 'xyzx'\n```"
    orch, provider = make_orchestrator(script(("infer_types", {"s": "string of letters", "return": "bool"}),
                                              ("generate_tests", cases), ("generate_implementation", code),
                                              ("generate_implementation", code)))
    result = orch.synthesis_engine.synthesize_capability(IS_HAPPY)
    assert result["tests_verified"], result.get("error")
    case_schema = [c for c in provider.calls if c["purpose"] == "generate_tests"][0]["json_schema"]
    assert case_schema["properties"]["cases"]["items"]["properties"]["args"]["properties"]["s"] == {}


def test_a_module_that_fails_to_import_on_a_typing_name_gets_the_import():
    """`-> Any` copied from a signature, with no import: the module fails at collection, before any call."""
    code = "```python\ndef add_one(x: int) -> Any:\n    return x + 1\n```"
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", ADD_CASES),
                                              ("generate_implementation", code), ("generate_implementation", code)))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert result["tests_verified"], result.get("error")
    assert result["code"].startswith("from typing import Any")
    assert "fix_implementation" not in [c["purpose"] for c in provider.calls]


def test_agreement_on_a_bool_never_sets_a_case_set_aside():
    """Two wrong bool cases against four agreeing implementations: every value is a bool, so the agreement
    has no anchor outside the code (a real value that some case confirms) and sets nothing aside."""
    spec = {"function_name": "is_even", "parameters": [{"name": "x", "type": "int", "description": "a number"}],
            "return_type": "bool", "docstring": "Whether x is even."}
    cases = {"cases": [{"args": {"x": x}, "expected": want, "from_request": False}
                       for x, want in ((2, True), (3, False), (4, False), (6, False))]}
    right = "```python\ndef is_even(x: int) -> bool:\n    return x % 2 == 0\n```"
    orch, provider = make_orchestrator(script(("generate_spec", spec), ("generate_tests", cases),
                                              *[("generate_implementation", right)] * 4))
    result = orch.synthesis_engine.synthesize_capability("Create a function that tells whether a number is even")
    assert not result["success"] and orch.get_tool_count() == 0
    assert [c["purpose"] for c in provider.calls].count("generate_tests") == 1
    assert "set aside" not in result["error"] and "returned: greedy: true; sample 2: true" in result["error"]
    assert "4 independent implementations agree on every input, but none of the cases" in result["error"]


def test_a_case_the_model_says_it_copied_is_not_trusted_when_the_examples_were_read_exactly():
    """HumanEval/15: the model wrote string_sequence(1) == '0' and flagged it "from the request"; both its
    values do appear in the prompt. The prompt's `>>>` examples were already read as they are, so the
    flag is a guess, and two agreeing implementations may drop the case."""
    stub = ("Create a function:\n\ndef string_sequence(n: int) -> str:\n"
            '    """Return a string of space-delimited numbers from 0 to n inclusive.\n'
            "    >>> string_sequence(0)\n    '0'\n    >>> string_sequence(5)\n    '0 1 2 3 4 5'\n    \"\"\"\n")
    cases = {"cases": [{"args": {"n": 1}, "expected": "0", "from_request": True},
                       {"args": {"n": 2}, "expected": "0 1 2", "from_request": False},
                       {"args": {"n": 3}, "expected": "0 1 2 3", "from_request": False}]}
    code = "```python\ndef string_sequence(n: int) -> str:\n    return ' '.join(str(i) for i in range(n + 1))\n```"
    orch, _ = make_orchestrator(script(("generate_tests", cases), *[("generate_implementation", code)] * 2))
    result = orch.synthesis_engine.synthesize_capability(stub)
    assert result["tests_verified"], result.get("error")
    assert result["dropped_tests"] == ["test_string_sequence_case_1"]
    assert "(2 stated in the request)" in result["evidence"]["summary"]


def test_a_greedy_draw_that_defines_another_function_is_replaced_by_a_sample():
    helper_only = "```python\ndef plus_one(x: int) -> int:\n    return x + 1\n```"
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", ADD_CASES),
                                              ("generate_implementation", helper_only),
                                              *[("generate_implementation", RIGHT_ADD)] * 2))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert result["tests_verified"], result.get("error")
    draws = [c for c in provider.calls if c["purpose"] == "generate_implementation"]
    assert len(draws) == 3 and draws[1]["temperature"] > 0


def test_a_stub_without_parameter_annotations_gets_case_inputs_typed_by_its_examples():
    """HumanEval/31 has `def is_prime(n):`; unconstrained, the model passed {"value": 6} as n."""
    stub = ('Create a function:\n\ndef is_prime(n):\n    """Return true if a given number is prime.\n'
            '    >>> is_prime(6)\n    False\n    >>> is_prime(101)\n    True\n    """\n')
    cases = {"cases": [{"args": {"n": 7}, "expected": True, "from_request": False},
                       {"args": {"n": 9}, "expected": False, "from_request": False}]}
    code = ("```python\ndef is_prime(n):\n    return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))\n```")
    orch, provider = make_orchestrator(script(("generate_tests", cases), *[("generate_implementation", code)] * 2))
    result = orch.synthesis_engine.synthesize_capability(stub)
    assert result["tests_verified"], result.get("error")
    item = [c for c in provider.calls if c["purpose"] == "generate_tests"][0]["json_schema"]["properties"][
        "cases"]["items"]["properties"]
    assert item["args"]["properties"]["n"] == {"type": "integer"} and item["expected"] == {"type": "boolean"}
    assert "def is_prime(n):" in [c for c in provider.calls if c["purpose"] == "generate_implementation"][0][
        "messages"][-1]["content"]  # the code is still written from the stub as it is


def test_implementations_are_shown_the_code_a_stub_comes_with():
    """HumanEval/38: decode_cyclic is written against encode_cyclic, defined above it in the prompt."""
    stub = ("Create a function:\n\ndef shift(s: str) -> str:\n    return s[1:] + s[:1]\n\n\n"
            'def unshift(s: str) -> str:\n    """Undo shift.\n    >>> unshift("bca")\n    \'abc\'\n    """\n')
    cases = {"cases": [{"args": {"s": "ab"}, "expected": "ba", "from_request": False},
                       {"args": {"s": "xyz"}, "expected": "zxy", "from_request": False}]}
    code = "```python\ndef unshift(s: str) -> str:\n    return s[-1:] + s[:-1]\n```"
    orch, provider = make_orchestrator(script(("generate_tests", cases), *[("generate_implementation", code)] * 2))
    result = orch.synthesis_engine.synthesize_capability(stub)
    assert result["tests_verified"], result.get("error")
    prompt = [c for c in provider.calls if c["purpose"] == "generate_implementation"][0]["messages"][-1]["content"]
    assert "def shift(s: str) -> str:\n    return s[1:] + s[:1]\n\n\ndef unshift(s: str) -> str:" in prompt
    assert result["code"].startswith("def shift(s: str) -> str:")


def test_examples_written_as_prose_in_a_stub_are_stated_cases_that_outrank_an_agreement():
    """The later half of HumanEval writes `f(x) == y` / `f(x) returns y`, not `>>>`; those are the user's."""
    stub = ('Create a function:\n\ndef add_one(x: int) -> int:\n    """Add one to x.\n    For example:\n'
            '    add_one(1) == 2\n    add_one(41) returns 42\n    """\n')
    plus_two = "```python\ndef add_one(x: int) -> int:\n    return x + 2\n```"
    agreeing_cases = {"cases": [{"args": {"x": x}, "expected": x + 2, "from_request": False} for x in (0, 5, 9)]}
    orch, _ = make_orchestrator(script(("generate_tests", agreeing_cases),
                                       *[("generate_implementation", plus_two)] * 4, ("fix_implementation", plus_two)))
    result = orch.synthesis_engine.synthesize_capability(stub)
    assert not result["success"] and orch.get_tool_count() == 0  # the model's cases all agree with the bug
    assert "add_one_stated_1 expects 2" in result["error"]
    right = "```python\ndef add_one(x: int) -> int:\n    return x + 1\n```"
    orch, _ = make_orchestrator(script(("generate_tests", ADD_CASES), *[("generate_implementation", right)] * 2))
    result = orch.synthesis_engine.synthesize_capability(stub)
    assert result["tests_verified"], result.get("error")
    assert result["evidence"]["stated_cases"] == 2 and "add_one(x=41) == 42" in result["tests"]


def test_two_draws_that_miss_the_function_are_followed_by_a_third():
    """HumanEval/132: the greedy draw and the first sample both defined something else."""
    helper_only = "```python\ndef plus_one(x: int) -> int:\n    return x + 1\n```"
    orch, provider = make_orchestrator(script(("generate_spec", ADD_SPEC), ("generate_tests", ADD_CASES),
                                              *[("generate_implementation", helper_only)] * 2,
                                              *[("generate_implementation", RIGHT_ADD)] * 2))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds one")
    assert result["tests_verified"], result.get("error")
    assert [c["purpose"] for c in provider.calls].count("generate_implementation") == 4


def test_input_output_examples_and_wrapped_model_answers_verify_an_untyped_stub():
    """HumanEval/68's layout: `Input:`/`Output:` examples, a stub with no annotations, and model cases whose
    every answer came back as `{"result": ...}`. The examples are stated cases and the wrappers are read
    through, so two agreeing implementations are checked against real values."""
    stub = ('Create a function:\n\ndef evens(arr):\n    """Return the even values of arr, in order.\n'
            '    Example 1:\n        Input: [4,2,3]\n        Output: [4, 2]\n'
            '    Example 2:\n        Input: [1, 3]\n        Output: []\n    """\n')
    cases = {"cases": [{"args": {"arr": [6, 7, 8]}, "expected": {"result": [6, 8]}, "from_request": False},
                       {"args": {"arr": [0]}, "expected": {"result": [0]}, "from_request": False}]}
    code = "```python\ndef evens(arr):\n    return [x for x in arr if x % 2 == 0]\n```"
    orch, provider = make_orchestrator(script(("generate_tests", cases), *[("generate_implementation", code)] * 2))
    result = orch.synthesis_engine.synthesize_capability(stub)
    assert result["tests_verified"], result.get("error")
    assert result["dropped_tests"] == [] and "(2 stated in the request)" in result["evidence"]["summary"]
    assert "assert evens(arr=[6, 7, 8]) == [6, 8]" in result["tests"]


DAYS_SPEC = {"function_name": "add_days",
             "parameters": [{"name": "date_str", "type": "str", "description": "a date, YYYY-MM-DD"},
                            {"name": "days", "type": "int", "description": "days to add"}],
             "return_type": "str", "docstring": "The date `days` days after `date_str`, as YYYY-MM-DD."}
DAYS_CASES = {"cases": [{"args": {"date_str": d, "days": n}, "expected": want, "from_request": False}
                        for d, n, want in (("2024-01-15", 45, "2024-02-29"), ("2023-12-31", 1, "2024-01-01"),
                                           ("2024-03-01", -1, "2024-02-29"))]}


def test_the_datetime_module_written_for_its_class_is_fixed_from_the_traceback_without_a_model_call():
    """`import datetime` then `datetime.strptime(...)`: "module 'datetime' has no attribute 'strptime'" names
    the fix; and the converse, the class imported under the module's name, then `datetime.timedelta`."""
    module_for_class = ("```python\nimport datetime\n\ndef add_days(date_str: str, days: int) -> str:\n"
                        "    d = datetime.strptime(date_str, '%Y-%m-%d') + datetime.timedelta(days=days)\n"
                        "    return d.strftime('%Y-%m-%d')\n```")
    class_for_module = module_for_class.replace("import datetime\n", "from datetime import datetime\n")
    orch, provider = make_orchestrator(script(("generate_spec", DAYS_SPEC), ("generate_tests", DAYS_CASES),
                                              ("generate_implementation", module_for_class),
                                              ("generate_implementation", class_for_module)))
    result = orch.synthesis_engine.synthesize_capability("Create a function that adds days to a date")
    assert result["success"] and result["tests_verified"], result.get("error")
    assert "datetime.datetime.strptime(" in result["code"] or "from datetime import timedelta" in result["code"]
    assert "fix_implementation" not in [c["purpose"] for c in provider.calls]


def test_a_module_class_mixup_is_fixed_only_when_the_other_side_has_the_name():
    from selfeng.import_repair import fix_module_class_mixup
    code = "import datetime\ndef f(s):\n    return datetime.strptime(s, '%Y')\n"
    assert "datetime.datetime.strptime(" in fix_module_class_mixup(
        code, ["module 'datetime' has no attribute 'strptime'"])
    assert fix_module_class_mixup(code, ["module 'datetime' has no attribute 'no_such_name'"]) is None
    assert fix_module_class_mixup(code, ["module 'os' has no attribute 'strptime'"]) is None  # not ours to import
    assert fix_module_class_mixup(code, ["'NoneType' object has no attribute 'x'"]) is None


LARGEST_SPEC = {"function_name": "largest", "return_type": "list", "docstring": "The k largest numbers of arr, ascending.",
                "parameters": [{"name": "arr", "type": "list", "description": "numbers"},
                               {"name": "k", "type": "int", "description": "how many"}]}
LARGEST_CASES = {"cases": [{"args": {"arr": [3, 1, 2], "k": 2}, "expected": [2, 3], "from_request": False},
                           {"args": {"arr": [5, 4], "k": 1}, "expected": [5], "from_request": False},
                           {"args": {"arr": [1, 2, 3], "k": 3}, "expected": [1, 2, 3], "from_request": False}]}
# Both pass every case; only the second is right for k = 0, where `[-0:]` is the whole list.
LARGEST_WRONG = "```python\ndef largest(arr: list, k: int) -> list:\n    return sorted(arr)[-k:]\n```"
LARGEST_RIGHT = "```python\ndef largest(arr: list, k: int) -> list:\n    return sorted(arr)[len(arr) - k:]\n```"


def test_two_draws_that_pass_every_case_but_differ_off_them_are_settled_by_a_third():
    orch, provider = make_orchestrator(script(
        ("generate_spec", LARGEST_SPEC), ("generate_tests", LARGEST_CASES), ("generate_implementation", LARGEST_WRONG),
        ("generate_implementation", LARGEST_RIGHT), ("generate_implementation", LARGEST_RIGHT)))
    result = orch.synthesis_engine.synthesize_capability("Create a function that returns the k largest numbers")
    assert result["tests_verified"] and result["attempts"] == 3
    assert "len(arr) - k" in result["code"]
    assert provider.remaining("generate_implementation") == 0


def test_two_draws_that_differ_off_the_cases_with_no_draw_left_verify_nothing():
    orch, _ = make_orchestrator(script(
        ("generate_spec", LARGEST_SPEC), ("generate_tests", LARGEST_CASES), ("generate_implementation", LARGEST_WRONG),
        ("generate_implementation", LARGEST_RIGHT)), synthesis_max_attempts=2)
    result = orch.synthesis_engine.synthesize_capability("Create a function that returns the k largest numbers")
    assert not result["success"] and orch.get_tool_count() == 0
    assert "greedy and sample 2 pass the same cases but disagree off them" in result["error"]
    assert "given arr=[3, 1, 2], k=0 they return [1, 2, 3] and return []" in result["error"]


def test_a_parameter_the_request_gives_no_value_to_is_left_out_of_the_spec():
    """"What day of the week was 1999-12-31?" designed with a locale nobody asked about: its cases then
    expected 'Vendredi' and 'Freitag', and no implementation could agree with them."""
    spec = {"function_name": "day_of_week", "return_type": "str",
            "docstring": "The weekday of a date, in the given locale.",
            "parameters": [{"name": "date_str", "type": "str", "description": "YYYY-MM-DD"},
                           {"name": "locale", "type": "str", "description": "language"}]}
    cases = {"cases": [{"args": {"date_str": d}, "expected": w, "from_request": False}
                       for d, w in (("2000-01-01", "Saturday"), ("2024-02-29", "Thursday"), ("1970-01-01", "Thursday"))]}
    code = ("```python\nimport datetime\n\ndef day_of_week(date_str: str) -> str:\n"
            "    return datetime.date.fromisoformat(date_str).strftime('%A')\n```")
    orch, provider = make_orchestrator(script(("generate_spec", spec), ("generate_tests", cases),
                                              *[("generate_implementation", code)] * 2))
    result = orch.synthesis_engine.synthesize_capability("What day of the week was 1999-12-31?")
    assert result["tests_verified"], result.get("error")
    assert [p["name"] for p in result["spec"]["parameters"]] == ["date_str"]
    later = [c["messages"][-1]["content"] for c in provider.calls if c["purpose"] != "generate_spec"]
    assert all("locale:" not in text and "locale," not in text for text in later)


MEDIAN_SPEC = {"function_name": "median", "return_type": "float", "docstring": "The median of a list of numbers.",
               "parameters": [{"name": "numbers", "type": "list[float]", "description": "the numbers"}]}
LIBRARY_MEDIAN = "```python\nimport statistics\n\ndef median(numbers: list) -> float:\n" \
                 "    return statistics.median(numbers)\n```"
HAND_MEDIAN = ("```python\ndef median(numbers: list) -> float:\n    if not numbers:\n"
               "        raise ValueError('no numbers')\n    s = sorted(numbers)\n    m = len(s) // 2\n"
               "    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2\n```")


def test_a_library_error_and_a_value_error_on_the_same_bad_input_are_one_behaviour():
    """postfreeze-1207m: two drafts raised statistics.StatisticsError on an empty list and the third a
    ValueError, so no three agreed; with a second wrong model case no one-case drop could help either.
    StatisticsError is a ValueError, so the three agree and outvote both model cases."""
    cases = {"cases": [{"args": {"numbers": xs}, "expected": want, "from_request": False}
                       for xs, want in (([1, 3, 2], 2), ([4, 1, 3, 2], 2.5), ([3, 9, 4, 7, 5], 6.0), ([], 0.0),
                                        ([7], 7))]}
    orch, _ = make_orchestrator(script(("generate_spec", MEDIAN_SPEC), ("generate_tests", cases),
                                       ("generate_implementation", LIBRARY_MEDIAN),
                                       ("generate_implementation", LIBRARY_MEDIAN),
                                       ("generate_implementation", HAND_MEDIAN)))
    result = orch.synthesis_engine.synthesize_capability("Create a function that returns the median of numbers")
    assert result["tests_verified"], result.get("error")
    assert [d["case"] for d in result["evidence"]["set_aside"]] == ["test_median_case_3", "test_median_case_4"]
    # (on `[]`, which is empty, any bad-input error is one behaviour anyway: `error_key`)
    assert "three raise an error on empty input where the case expected 0.0" in result["evidence"]["summary"]


INDEX_MEDIAN = ("```python\ndef median(numbers: list) -> float:\n    s = sorted(numbers)\n    m = len(s) // 2\n"
                "    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2\n```")
UNSORTED_MEDIAN = ("```python\ndef median(numbers: list) -> float:\n    m = len(numbers) // 2\n"
                   "    return numbers[m] if len(numbers) % 2 else (numbers[m - 1] + numbers[m]) / 2\n```")


def test_any_bad_input_error_on_an_empty_input_is_one_behaviour():
    """postfreeze-1207o: two drafts agreed on 80 for "72, 88, 95 and 64" and on every other input, but on
    `[]` one raised IndexError (`s[m - 1]`) and the other ValueError, so they never counted as agreeing.
    On an input with nothing in it, either error refuses it: the two agree and, with a direct solution of
    the request that returns 80, outvote the unsorted drafts and the model's wrong cases."""
    cases = {"cases": [{"args": {"numbers": xs}, "expected": want, "from_request": False}
                       for xs, want in (([1, 3, 2], 2), ([4, 1, 3, 2], 2.5), ([3, 9, 4, 7, 5], 6.0), ([], 0.0),
                                        ([7], 7))]}
    solve = {"purpose": "generate_implementation", "match": "solve()",
             "content": "```python\ndef solve():\n    return (72 + 88) / 2\n```"}
    orch, _ = make_orchestrator([solve] * 3 + script(
        ("generate_spec", MEDIAN_SPEC), ("generate_tests", cases),
        ("generate_implementation", UNSORTED_MEDIAN), ("generate_implementation", INDEX_MEDIAN),
        ("generate_implementation", HAND_MEDIAN), ("generate_implementation", UNSORTED_MEDIAN),
        *[("fix_implementation", UNSORTED_MEDIAN)] * 2, ("extract_arguments", {"numbers": [72, 88, 95, 64]})))
    result = orch.synthesis_engine.synthesize_capability("My four test scores were 72, 88, 95 and 64; what's "
                                                         "their median?")
    assert result["tests_verified"], result.get("error")
    assert "raise an error on empty input where the case expected 0.0" in result["evidence"]["summary"]
    probe = next(c for c in result["tests"].split("def ")[1:] if "72" in c)
    assert "== pytest.approx(80.0)" in probe
