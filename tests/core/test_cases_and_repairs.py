"""Where cases come from (stated examples, stubs in the request), hygiene of raw tests, import repair."""
from __future__ import annotations

import pytest

from selfeng.cases import merge, model_cases, stated_in, type_of_values
from selfeng.stated_examples import assignment_examples, doctest_examples, io_examples, written_examples
from selfeng.import_repair import add_imports, import_for
from selfeng.llm import LLMError
from selfeng.case_replies import cases_from_reply
from selfeng.request_spec import spec_from_request, with_preamble
from selfeng.test_evidence import vacuous_tests

HUMANEVAL_0 = '''Create a function:
from typing import List


def has_close_elements(numbers: List[float], threshold: float) -> bool:
    """ Check if in given list of numbers, are any two numbers closer to each other than
    given threshold.
    >>> has_close_elements([1.0, 2.0, 3.0], 0.5)
    False
    >>> has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3)
    True
    """
'''


def test_a_stub_in_the_request_is_the_spec_verbatim_with_its_examples():
    spec = spec_from_request(HUMANEVAL_0)
    assert spec["function_name"] == "has_close_elements"
    assert [(p["name"], p["type"]) for p in spec["parameters"]] == [("numbers", "List[float]"), ("threshold", "float")]
    assert spec["return_type"] == "bool" and spec["preamble"] == "from typing import List"
    assert ">>> has_close_elements([1.0, 2.0, 3.0], 0.5)" in spec["docstring"]
    cases = doctest_examples(spec["docstring"], "has_close_elements", ["numbers", "threshold"], "docstring")
    assert [(c.args, c.expected, c.trusted) for c in cases] == [
        ({"numbers": [1.0, 2.0, 3.0], "threshold": 0.5}, False, True),
        ({"numbers": [1.0, 2.8, 3.0, 4.0, 5.0, 2.0], "threshold": 0.3}, True, True)]
    assert with_preamble(spec, "def has_close_elements(n, t):\n    return False\n").startswith("from typing import List")
    assert spec["stub"] == HUMANEVAL_0.split(":\n", 1)[1].lstrip("\n")  # as written, for the draws to complete


def test_plain_requests_have_no_stub_spec():
    assert spec_from_request("Convert 5 miles to kilometers") is None
    assert spec_from_request("def f(x): return x + 1") is None  # a body, not a stub


def test_model_copied_examples_are_trusted_only_when_every_value_is_in_the_request():
    spec = {"function_name": "c_to_f", "parameters": [{"name": "c", "type": "float"}]}
    request = "Convert 30 °C to Fahrenheit, e.g. 25 °C is 77 °F"
    raw = [{"args": {"c": 25}, "expected": 77, "from_request": True},
           {"args": {"c": 30}, "expected": 86, "from_request": True},     # the answer is the model's guess
           {"args": {"c": 0}, "expected": 32, "from_request": False},
           {"args": {"x": 1}, "expected": 1, "from_request": False}]      # does not bind
    cases = model_cases(spec, raw, request)
    assert [(c.args["c"], c.source) for c in cases] == [(25, "request"), (30, "model"), (0, "model")]
    assert not stated_in("Is 7 prime?", {"n": 7}, True)
    # The input copied, the answer an empty guess: nothing of the answer is in the text to check.
    assert not stated_in("unique([5, 3, 5, 2]) -> [2, 3, 5]", {"l": [5, 3, 5, 2]}, {})
    assert not stated_in("unique([5, 3, 5, 2]) -> [2, 3, 5]", {"l": [5, 3, 5, 2]}, [])
    assert stated_in("unique([5, 3, 5, 2]) -> [2, 3, 5]", {"l": [5, 3, 5, 2]}, [2, 3, 5])
    assert merge(cases[:1], [cases[0].__class__("x", {"c": 25}, 99)])[0].expected == 77


def test_a_stated_value_is_read_from_a_place_of_its_own():
    # Seen on a fresh request: the model "copied" 0 °F -> 0.0, and the one 0 in the text is the input.
    request = "What is 0 degrees Fahrenheit in Celsius, rounded to 1 decimal place?"
    assert not stated_in(request, {"fahrenheit": 0}, 0.0)
    assert stated_in("f(5) = 5", {"x": 5}, 5) and not stated_in("f(5) is itself", {"x": 5}, 5)
    # A number inside a text input is part of the input, not an answer written beside it.
    assert not stated_in("What day of the month is 2024-01-15?", {"date": "2024-01-15"}, 15)
    assert stated_in("sum([5,3]) is 8", {"xs": [5, 3]}, 8)
    assert stated_in("12,500 plus 1 is 12,501", {"a": 12500, "b": 1}, 12501)


def test_raw_pytest_code_must_call_the_tool_and_assert_on_its_result():
    spec = {"function_name": "double", "parameters": [{"name": "x", "type": "int"}]}
    good = "```python\ndef test_a():\n    assert double(2) == 4\n\ndef test_b():\n    r = double(3)\n    assert r == 6\n```"
    assert "def test_a" in cases_from_reply(spec, good)
    for bad in ("def test_a():\n    assert True\n",
                "def test_a():\n    double(2)\n",
                "def test_a():\n    assert double(2) == 4\n\ndef test_b():\n    assert 1 == 1\n",
                "def test_a():\n    assert double(2) == double(2)\n"):
        with pytest.raises(LLMError, match="check nothing"):
            cases_from_reply(spec, f"```python\n{bad}```")
    assert vacuous_tests("x = 1\n", "double") == ["<no test functions>"]


def test_forgotten_standard_library_imports_are_named_by_the_library_itself():
    assert import_for("combinations") == "from itertools import combinations"
    assert import_for("Counter") == "from collections import Counter"
    assert import_for("math") == "import math"
    assert import_for("List") == "from typing import List"
    assert import_for("not_a_stdlib_name_at_all") is None
    assert import_for("antigravity") is None
    code = "def pairs(xs):\n    return list(combinations(xs, 2))\n"
    assert add_imports(code, {"combinations"}).startswith("from itertools import combinations\n")
    # Already imported: the NameError has another cause, so no blind fix.
    assert add_imports("from itertools import combinations\n" + code, {"combinations"}) is None


def test_tuples_stay_tuples_in_stated_and_model_cases():
    doc = ">>> sum_product([])\n(0, 1)\n>>> sum_product([1, 2, 3, 4])\n(10, 24)"
    stated = doctest_examples(doc, "sum_product", ["numbers"], "docstring")
    assert [c.expected for c in stated] == [(0, 1), (10, 24)]
    spec = {"function_name": "sum_product", "parameters": [{"name": "numbers", "type": "List[int]"}],
            "return_type": "Tuple[int, int]"}
    cases = model_cases(spec, [{"args": {"numbers": [2]}, "expected": [2, 2]}], "")
    assert cases[0].expected == (2, 2)


def test_float_tuples_compare_approximately_like_float_lists():
    from selfeng.arbitration import Case
    from selfeng.cases import render
    spec = {"function_name": "mean_and_sd", "parameters": [{"name": "xs", "type": "list"}]}
    code = render(spec, [Case("test_mean_and_sd_case_1", {"xs": [1, 2]}, (1.5, 0.5))])
    assert "pytest.approx((1.5, 0.5))" in code


def test_the_type_of_stated_values_is_read_for_stubs_without_a_return_annotation():
    assert type_of_values([[2, 5, 6], [1]]) == "list[int]"
    assert type_of_values([1, 2.5]) == "float" and type_of_values([True, False]) == "bool"
    assert type_of_values([(0, 1)]) == "tuple" and type_of_values([[], []]) == "list"
    assert type_of_values([1, "a"]) is None and type_of_values([]) is None and type_of_values([None]) is None


def test_a_case_reply_cut_off_by_the_token_limit_keeps_its_whole_cases():
    from selfeng.case_replies import cases_from_reply

    cut = ('{"cases": [{"args": {"s": "o o| .|"}, "expected": [4, 2, 1], "from_request": false},\n'
           '  {"args": {"s": "o"}, "expected": [4], "from_request": false}, {"args": {"s": "o o o o o o o o o')
    assert cases_from_reply({"function_name": "parse_music"}, cut) == [
        {"args": {"s": "o o| .|"}, "expected": [4, 2, 1], "from_request": False},
        {"args": {"s": "o"}, "expected": [4], "from_request": False}]


def test_examples_written_as_prose_are_read_in_every_common_notation():
    text = """Examples:
    for digits(235) == 15 and digits(4)  ==> 0
    encrypt('hi') returns 'lm'
    multiply(148, 412) should return 16.
    compare_one(1, "2,3") ➞ "2,3"
    even_odd(-12) => (1, 1)   # one even, one odd
    solve("ab") = "AB"
    """
    got = lambda name, params: [(c.args, c.expected) for c in written_examples(text, name, params, "request")]
    assert got("digits", ["n"]) == [({"n": 235}, 15), ({"n": 4}, 0)]
    assert got("encrypt", ["s"]) == [({"s": "hi"}, "lm")]
    assert got("multiply", ["a", "b"]) == [({"a": 148, "b": 412}, 16)]
    assert isinstance(got("multiply", ["a", "b"])[0][1], int)  # the full stop is not a decimal point
    assert got("compare_one", ["a", "b"]) == [({"a": 1, "b": "2,3"}, "2,3")]
    assert got("even_odd", ["num"]) == [({"num": -12}, (1, 1))]
    assert got("solve", ["s"]) == [({"s": "ab"}, "AB")]


def test_examples_written_as_a_trailing_comment_or_in_json_words_are_read():
    text = """    square(2)  # returns 4
    is_power(8, 2) => true
    lookup('k') # => null
    """
    got = lambda name, params: [(c.args, c.expected) for c in written_examples(text, name, params, "request")]
    assert got("square", ["n"]) == [({"n": 2}, 4)]
    assert got("is_power", ["x", "base"]) == [({"x": 8, "base": 2}, True)]
    assert got("lookup", ["key"]) == [({"key": "k"}, None)]


def test_examples_that_name_every_parameter_then_state_the_answer_are_read():
    text = """Write factorial(n). For n = 5, the result should be 120.
    add(a, b): for a = 2 and b = 3 the answer is 5
    For word = "level", then the return value is True
    """
    got = lambda name, params: [(c.args, c.expected) for c in assignment_examples(text, name, params, "request")]
    assert got("factorial", ["n"]) == [({"n": 5}, 120)]
    assert got("add", ["a", "b"]) == [({"a": 2, "b": 3}, 5)]
    assert got("is_palindrome", ["word"]) == [({"word": "level"}, True)]


def test_assignments_that_do_not_bind_every_parameter_are_not_cases():
    text = """For x = 3, the output should be 9.
    For a = 2 the result is 4
    For N = 1000, the sum of digits will be 1 the output should be "1".
    for i = 0 in range(3): total = 2
    """
    assert assignment_examples(text, "add", ["a", "b"], "request") == []  # a free name; only a of (a, b)
    assert assignment_examples(text, "solve", ["N"], "request") == []  # a clause between value and answer
    assert assignment_examples(text, "step", ["i"], "request") == []  # code, not an answer


def test_prose_that_is_not_a_stated_value_is_not_a_case():
    text = """fruit_distribution("5 apples", 19) -> 19 - 5 = 14
    f(3) is prime.  See f(x) for details; my_f(2) == 3 and f(1, 2) == 3
    >>> g([1, 2]) == [2, 1]
    """
    assert written_examples(text, "fruit_distribution", ["s", "n"], "request") == []  # a worked sum
    assert written_examples(text, "f", ["x"], "request") == []  # prose, a free name, a call that does not bind
    assert written_examples('find_max(["a"]) == ""aaa"', "find_max", ["words"], "request") == []  # a typo
    stated = doctest_examples(text, "g", ["xs"], "docstring")  # a doctest stating its answer on its line
    assert [(c.args, c.expected) for c in stated] == [({"xs": [1, 2]}, [2, 1])]
    raw = '''    >>> h(1)\n    "21"\n    """\n'''  # a raw stub: the output line is followed by the closing quotes
    assert [(c.args, c.expected) for c in doctest_examples(raw, "h", ["x"], "docstring")] == [({"x": 1}, "21")]


def test_a_dict_argument_with_keys_of_mixed_types_is_a_case_like_any_other():
    """HumanEval/95 passes {"a": "apple", 8: "banana"}: such keys cannot be sorted for comparing inputs."""
    doc = '>>> check({"a": "apple", 8: "banana"})\nFalse\n>>> check({"a": 1})\nTrue'
    stated = doctest_examples(doc, "check", ["d"], "docstring")
    assert [c.expected for c in merge(stated, stated)] == [False, True]


UNTYPED = {"function_name": "f", "parameters": [{"name": "n", "type": None}], "return_type": None, "docstring": ""}


def test_wrapped_values_from_an_untyped_stub_are_unwrapped_when_every_case_wraps_them():
    """HumanEval/84, /120, /160: with no type to hold them to, the model wrote `{"type": "string", "value":
    "1"}`, `{"[4, 4]": [4, 4]}` or `{"result": 9}` for every answer."""
    typed = [{"args": {"n": 1}, "expected": {"type": "string", "value": "1"}},
             {"args": {"n": 6}, "expected": {"type": "string", "value": "110"}}]
    assert [c.expected for c in model_cases(UNTYPED, typed, "")] == ["1", "110"]
    keyed = [{"args": {"n": [4, 4]}, "expected": {"[4, 4]": [4, 4]}},
             {"args": {"n": [2]}, "expected": {"[2]": [2]}, "from_request": False}]
    assert [c.expected for c in model_cases(UNTYPED, keyed, "")] == [[4, 4], [2]]
    echoed = [{"args": {"n": 2}, "expected": {"result": 9, "from_request": True}}]
    assert model_cases(UNTYPED, echoed, "")[0].expected == 9


def test_a_function_that_returns_dicts_keeps_them():
    """Real mapping answers vary in shape across cases; a declared dict type is never unwrapped."""
    varied = [{"args": {"n": "a"}, "expected": {"a": 1}}, {"args": {"n": ""}, "expected": {}},
              {"args": {"n": "a b"}, "expected": {"a": 1, "b": 1}}]
    assert [c.expected for c in model_cases(UNTYPED, varied, "")] == [{"a": 1}, {}, {"a": 1, "b": 1}]
    one_key = [{"args": {"n": "a"}, "expected": {"a": 1}}, {"args": {"n": "bb"}, "expected": {"b": 2}}]
    spec = dict(UNTYPED, return_type="Dict[str, int]")
    assert [c.expected for c in model_cases(spec, one_key, "")] == [{"a": 1}, {"b": 2}]
    spec = dict(UNTYPED, return_type="int")  # a dict for an int can only be a wrapper; plain values stay
    assert [c.expected for c in model_cases(spec, [{"args": {"n": 1}, "expected": {"value": 2}},
                                                  {"args": {"n": 2}, "expected": 3}], "")] == [2, 3]


def test_wrapped_inputs_are_unwrapped_only_under_one_key_throughout():
    wrapped = [{"args": {"n": {"value": 6}}, "expected": False}, {"args": {"n": {"value": 7}}, "expected": True}]
    assert [c.args for c in model_cases(UNTYPED, wrapped, "")] == [{"n": 6}, {"n": 7}]
    small_dicts = [{"args": {"n": {"a": 1}}, "expected": 1}, {"args": {"n": {"b": 2}}, "expected": 2}]
    assert [c.args for c in model_cases(UNTYPED, small_dicts, "")] == [{"n": {"a": 1}}, {"n": {"b": 2}}]


def test_input_output_examples_are_read_in_their_common_layouts():
    text = """Example 1:
        Input: [4,2,3]
        Output: [2, 1]
        Explanation: 2 has the smallest even value.
    Example 2:
        Input: arr = [111,21,3], k = 2
        Output: 132 # sum of 111 + 21
        Input:
            grid : [[0,1], [1,1]]
            k : 1
        Output: 3
    """
    one = io_examples(text, "pluck", ["arr"], "request")
    assert [(c.args, c.expected) for c in one] == [({"arr": [4, 2, 3]}, [2, 1])]
    two = io_examples(text, "add_elements", ["arr", "k"], "request")
    assert [(c.args, c.expected) for c in two] == [({"arr": [111, 21, 3], "k": 2}, 132)]
    assert [(c.args, c.expected) for c in io_examples(text, "g", ["grid", "k"], "request")] == [
        ({"grid": [[0, 1], [1, 1]], "k": 1}, 3)]


def test_input_output_prose_that_is_not_an_example_is_not_a_case():
    text = "Input: a list of numbers\nOutput: their sum\nInput: [1, 2]\nOutput: the total, 3"
    assert io_examples(text, "total", ["numbers"], "request") == []
    assert io_examples("Input: x = 3\nOutput: 9", "square", ["n"], "request") == []  # another parameter


def test_a_parenthesised_single_value_among_tuple_examples_is_a_one_element_tuple():
    """HumanEval/148 writes bf("Earth", "Mercury") ==> ("Venus") next to examples that return tuples."""
    text = ('bf("Jupiter", "Neptune") ==> ("Saturn", "Uranus")\nbf("Earth", "Mercury") ==> ("Venus")\n')
    got = written_examples(text, "bf", ["a", "b"], "request")
    assert [c.expected for c in got] == [("Saturn", "Uranus"), ("Venus",)]
    alone = written_examples('f("Earth") ==> ("Venus")', "f", ["a"], "request")
    assert [c.expected for c in alone] == ["Venus"]  # no tuple examples: parentheses only group


def test_the_implementer_sees_what_the_spec_says_about_each_input():
    """Shown only the docstring, every implementation of an hours-between tool parsed '%Y-%m-%d %H:%M:%S'
    although the spec's parameters said 'HH:MM': the descriptions reach the implementation and repair
    prompts, except those that only repeat the parameter's name."""
    from selfeng.config import load_settings
    from selfeng.llm.scripted import ScriptedProvider
    from selfeng.llm_client import LLMClient
    from tests.core.helpers import script
    spec = {"function_name": "hours_between", "return_type": "float",
            "docstring": "Hours between two times of one day.",
            "parameters": [{"name": "start", "type": "str", "description": "The start time in the format 'HH:MM'"},
                           {"name": "end", "type": "str", "description": "The end"}]}
    code = "```python\ndef hours_between(start, end):\n    return 0.0\n```"
    provider = ScriptedProvider(script(("generate_implementation", code), ("fix_implementation", code)))
    client = LLMClient(provider, settings=load_settings())
    client.generate_implementation(spec)
    client.fix_implementation(spec, "", "def hours_between(start, end):\n    return 0\n", "- fails")
    for call in provider.calls:
        prompt = call["messages"][-1]["content"]
        assert "start: The start time in the format 'HH:MM'" in prompt
        assert "end: The end" not in prompt
