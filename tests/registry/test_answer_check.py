"""Routing by behaviour (answer_check): an uncertain candidate is run in the real sandbox on the values
the fit check mapped, and its answer compared with a direct solution of the request. The model is the
scripted provider; the registry, store, embedder and sandbox are real."""
from __future__ import annotations

import json

import pytest

from selfeng.capability_registry import CapabilityRegistry
from selfeng.llm.scripted import ScriptedProvider
from selfeng.llm_client import LLMClient
from selfeng.sandbox import SecureSandbox

PERCENT_OF = ("percent_of", [("percent", "float"), ("total", "float")], "float",
              "Compute the given percentage of a total amount.",
              "def percent_of(percent, total):\n    return percent / 100 * total\n")
SORT_DESC = ("sort_numbers_descending", [("numbers", "list[float]")], "list[float]",
             "Sort a list of numbers in descending order (largest first).",
             "def sort_numbers_descending(numbers):\n    return sorted(numbers, reverse=True)\n")
PERFECT_SQUARE = ("is_perfect_square", [("n", "int")], "bool", "Check whether an integer is a perfect square.",
                  "import math\n\ndef is_perfect_square(n):\n    return n >= 0 and math.isqrt(n) ** 2 == n\n")
CAPITALIZE = ("capitalize_words", [("text", "str")], "str", "Capitalize the first letter of every word.",
              "def capitalize_words(text):\n    return ' '.join(w[:1].upper() + w[1:] for w in text.split(' '))\n")
UPPER = ("to_uppercase", [("text", "str")], "str", "Write a text in capital letters (upper case).",
         "def to_uppercase(text):\n    return text.upper()\n")


def solve(value) -> str:
    return f"def solve():\n    return {value!r}\n"


@pytest.fixture
def library(settings, embedder):
    settings.ensure_dirs()
    provider = ScriptedProvider([])
    reg = CapabilityRegistry(LLMClient(provider, settings=settings), settings=settings, embedder=embedder,
                             sandbox=SecureSandbox(settings))
    for name, params, ret, doc, code in (PERCENT_OF, SORT_DESC, PERFECT_SQUARE, CAPITALIZE, UPPER):
        spec = {"function_name": name, "return_type": ret, "docstring": doc,
                "parameters": [{"name": p, "type": t, "description": ""} for p, t in params]}
        reg.add_tool(name, code, f"from {name} import {name}\n", doc, spec=spec)
    yield reg, provider
    reg.close()


def replies(provider, relation: str, arguments: dict, direct) -> None:
    provider.enqueue("check_tool_fit", json.dumps({"needed": "some_function", "relation": relation,
                                                   "arguments": arguments}))
    provider.enqueue("generate_implementation", solve(direct))


def test_a_paraphrase_the_model_refuses_is_taken_when_its_answer_is_the_requests(library):
    reg, provider = library
    request = "how much is twelve percent of 250"
    replies(provider, "different", {"percent": 12, "total": 250}, 30.0)
    tool = reg.search_tool(request)
    assert tool is not None and tool["name"] == "percent_of", reg.last_verdict
    assert tool["fit_arguments"] == {"percent": 12.0, "total": 250.0}
    assert "as a direct solution of the request does" in reg.last_verdict.reason
    assert provider.remaining() == 0  # one fit check and one direct solution, nothing more
    # The planner's question and the handler's are one: asked again, the verdict costs no model call.
    assert reg.search_tool(request)["name"] == "percent_of" and len(provider.calls) == 2
    reg.record_usage("percent_of", True)  # the candidates' scores move: the question is asked afresh
    provider.enqueue("check_tool_fit", json.dumps({"needed": "percent_of", "relation": "different",
                                                   "arguments": {"percent": 12, "total": 250}}))
    assert reg.search_tool(request)["name"] == "percent_of"  # (the direct answer is the checker's, kept)
    assert provider.remaining() == 0 and len(provider.calls) == 3


def test_a_percentage_read_on_the_other_scale_is_run_again(library):
    reg, provider = library
    request = "How much is a 20% tip on a 45 dollar bill?"
    replies(provider, "different", {"percent": 0.2, "total": 45}, 9.0)  # percent_of takes 20 for 20%
    tool = reg.search_tool(request)
    assert tool is not None and tool["name"] == "percent_of", reg.last_verdict
    assert tool["fit_arguments"] == {"percent": 20, "total": 45} and "read as 20" in reg.last_verdict.reason


def test_the_other_order_is_refused_though_the_model_confirms_it(library):
    reg, provider = library
    replies(provider, "same", {"numbers": [10, -2, 33, 4]}, [-2, 4, 10, 33])
    # the model said it fits, so a second direct solution (sampled) is drawn before the run refuses
    provider.enqueue("generate_implementation", solve([-2, 4, 10, 33]))
    assert reg.search_tool("Sort the numbers 10, -2, 33, 4") is None  # sorted, as people read it: smallest first
    assert "returns [33, 10, 4, -2]" in reg.last_verdict.reason
    assert provider.remaining() == 0
    solves = [c for c in provider.calls if c["purpose"] == "generate_implementation"]
    assert [c["temperature"] > 0 for c in solves] == [False, True]


def test_a_wrong_direct_answer_meets_a_second_one_when_the_model_confirms(library):
    reg, provider = library
    replies(provider, "same", {"percent": 12, "total": 250}, 3.0)  # the greedy solve slipped a digit
    provider.enqueue("generate_implementation", solve(30.0))
    tool = reg.search_tool("how much is twelve percent of 250")
    assert tool is not None and tool["name"] == "percent_of", reg.last_verdict
    assert "as a second direct solution does (the first returned 3.0)" in reg.last_verdict.reason
    # without the model's word for it, one direct answer against the run refuses (no second draw)
    replies(provider, "different", {"percent": 15, "total": 80}, 1.2)
    assert reg.search_tool("how much is 15 percent of 80") is None and provider.remaining() == 0


def test_agreeing_on_true_or_false_says_nothing_so_the_models_reply_stands(library):
    reg, provider = library
    # is_perfect_square(28) and a direct "is 28 a perfect number?" both say False: no evidence of fit
    replies(provider, "different", {"n": 28}, False)
    assert reg.search_tool("Is 28 a perfect number?") is None
    assert "says little" in reg.last_verdict.reason and "does not fit" in reg.last_verdict.reason


def test_a_mapping_with_values_the_request_does_not_have_is_read_again_before_the_run(library):
    """The fit check's mapping is sloppy for the right tool: the executor's extraction, told what was wrong,
    reads the request's own values, and the run decides."""
    reg, provider = library
    provider.enqueue("check_tool_fit", json.dumps({"needed": "percent_of", "relation": "same",
                                                   "arguments": {"percent": 15, "total": 80}}))
    provider.enqueue("extract_arguments", json.dumps({"percent": 12, "total": 250}))
    provider.enqueue("generate_implementation", solve(30.0))
    tool = reg.search_tool("how much is twelve percent of 250")
    assert tool is not None and tool["fit_arguments"] == {"percent": 12.0, "total": 250.0}, reg.last_verdict
    assert "appears nowhere in the request" in provider.calls[1]["messages"][-1]["content"]


def test_a_tool_whose_parameters_the_model_can_only_fill_by_inventing_is_refused(library):
    """postfreeze held-out: `count_letter` for "contains only letters" with an invented letter='a' was
    taken on the model's word. Read again, the letter is still invented: no run, and no tool."""
    reg, provider = library
    reg.add_tool("count_letter", "def count_letter(text, letter):\n    return text.count(letter)\n",
                 "from count_letter import count_letter\n", "Count how often a letter occurs in a text.",
                 spec={"function_name": "count_letter", "return_type": "int",
                       "docstring": "Count how often a letter occurs in a text.",
                       "parameters": [{"name": "text", "type": "str", "description": ""},
                                      {"name": "letter", "type": "str", "description": ""}]})
    provider.enqueue("check_tool_fit", json.dumps({"needed": "count_letter", "relation": "same",
                                                   "arguments": {"text": "abc123", "letter": "'a'"}}))
    provider.enqueue("extract_arguments", json.dumps({"text": "abc123", "letter": "x"}))
    reg.search_tool("Check if 'abc123' contains only letters")
    assert reg.last_verdict.name != "count_letter"
    assert "the request does not give" in reg.last_verdict.reason, reg.last_verdict
    assert [c["purpose"] for c in provider.calls][-2:] == ["check_tool_fit", "extract_arguments"]


def test_the_direct_answer_is_kept_for_the_synthesis_that_follows_a_refusal(library):
    reg, provider = library
    request = "Sort the numbers 10, -2, 33, 4"
    replies(provider, "different", {"numbers": [10, -2, 33, 4]}, [-2, 4, 10, 33])
    reg.search_tool(request)
    assert reg.answer_check.known(request) == (True, [-2, 4, 10, 33])
    provider.enqueue("check_tool_fit", json.dumps({"needed": "sort_ascending", "relation": "different",
                                                   "arguments": {"numbers": [10, -2, 33, 4]}}))
    assert reg.search_tool(request) is None  # asked again (e.g. by the planner): no second solution
    assert sum(c["purpose"] == "generate_implementation" for c in provider.calls) == 1


def test_off_by_setting(settings, embedder):
    settings.routing_answer_check = False
    reg = CapabilityRegistry(LLMClient(ScriptedProvider([]), settings=settings), settings=settings,
                             embedder=embedder, sandbox=SecureSandbox(settings))
    assert reg.answer_check is None
    reg.close()


def test_after_a_refusal_the_runner_up_is_taken_only_on_its_own_run(library):
    reg, provider = library
    request = "write 'quiet please' with capital letters"
    assert [c["name"] for c in reg.search_candidates(request, k=2)] == ["to_uppercase", "capitalize_words"]
    replies(provider, "different", {"text": "'quiet please'"}, "Quiet Please")  # quotes and all, as the model passes it
    provider.enqueue("check_tool_fit", json.dumps({"needed": "capitalize", "relation": "different",
                                                   "arguments": {"text": "quiet please"}}))
    tool = reg.search_tool(request)
    assert tool is not None and tool["name"] == "capitalize_words", reg.last_verdict
    assert "returns \"QUIET PLEASE\"" in reg.last_verdict.reason and provider.remaining() == 0
    assert sum(c["purpose"] == "generate_implementation" for c in provider.calls) == 1  # one direct answer

    # a runner-up whose run gives another answer than two direct solutions is not taken, whatever the
    # model says of it ("same": the second, sampled solution is asked too)
    provider.enqueue("check_tool_fit", json.dumps({"needed": "upper", "relation": "different",
                                                   "arguments": {"text": "quiet please"}}))
    provider.enqueue("check_tool_fit", json.dumps({"needed": "capitalize", "relation": "same",
                                                   "arguments": {"text": "quiet please"}}))
    provider.enqueue("generate_implementation", solve("quiet please!"))
    provider.enqueue("generate_implementation", solve("QUIET PLEASE!"))
    assert reg.search_tool("give 'quiet please' capital letters") is None and provider.remaining() == 0


def test_a_count_of_one_or_zero_says_little(settings):
    from selfeng.answer_check import AnswerChecker
    settings.ensure_dirs()
    provider = ScriptedProvider([{"purpose": "generate_implementation", "content": solve(1)},
                                 {"purpose": "generate_implementation", "content": solve(7)}])
    check = AnswerChecker(LLMClient(provider, settings=settings), SecureSandbox(settings))
    count_words = {"name": "count_words", "parameters": [{"name": "text", "type": "str"}],
                   "code": "def count_words(text):\n    return len(text.split())\n"}
    # a wrong direct answer (1) and an unrelated tool (one word) agree: no evidence either way
    assert check('How many consonants are in the word "strength"?', count_words, {"text": "strength"}).fits is None
    # where they differ, the tool is refused
    assert check('How many consonants are in "strength"?', count_words, {"text": "strength"}).fits is False


def test_a_pick_from_the_input_or_a_close_constant(settings):
    from selfeng.answer_check import AnswerChecker
    settings.ensure_dirs()
    provider = ScriptedProvider([{"purpose": "generate_implementation", "content": solve(8)},
                                 {"purpose": "generate_implementation", "content": solve(8 * 0.621371)}])
    check = AnswerChecker(LLMClient(provider, settings=settings), SecureSandbox(settings))
    find_min = {"name": "find_min", "parameters": [{"name": "numbers", "type": "list[float]"}],
                "code": "def find_min(numbers):\n    return min(numbers)\n"}
    # a wrong direct answer that is one of the request's values, and a tool that picks one: no evidence
    assert check("smallest number that both 8 and 12 divide into", find_min, {"numbers": [8, 12]}).fits is None
    km_to_miles = {"name": "km_to_miles", "parameters": [{"name": "km", "type": "float"}],
                   "code": "def km_to_miles(km):\n    return km / 1.609344\n"}
    # the direct solution's rounded factor (0.621371) is the same computation
    assert check("I ran 8 km, how far is that in miles", km_to_miles, {"km": 8}).fits is True


def spec_reply(name: str, docstring: str, params: list[tuple[str, str]], ret: str) -> str:
    return json.dumps({"function_name": name, "docstring": docstring, "return_type": ret,
                       "parameters": [{"name": p, "type": t, "description": ""} for p, t in params]})


def restated_sort(provider, order: str, answer: list) -> None:
    """The spec the model writes for a sorting request in its own words, then the fit check and the
    direct solution for the candidate that spec finds."""
    first, last = ("largest", "smallest") if order == "descending" else ("smallest", "largest")
    provider.enqueue("generate_spec", spec_reply(f"sort_numbers_{order}", f"Sort a list of numbers from {first} "
                                                 f"to {last}.", [("numbers", "list[float]")], "list[float]"))
    replies(provider, "same", {"numbers": [4, 19, 7]}, answer)


def test_a_request_in_nobody_s_words_is_found_by_its_restated_need_and_taken_on_its_run(library):
    """Nothing clears the floor for the request's own words; the spec the model writes for it names the
    tool's job, the library is searched with that, and the tool is taken because its run gives the direct
    solution's answer. The spec is kept for a synthesis of the same request."""
    reg, provider = library
    request = "rank 4, 19, 7 so that the biggest comes first and the smallest comes last"
    restated_sort(provider, "descending", [19, 7, 4])
    tool = reg.search_tool(request)
    assert tool is not None and tool["name"] == "sort_numbers_descending", reg.last_verdict
    assert "restated as a function" in reg.last_verdict.reason
    assert reg.restated_spec(request)["function_name"] == "sort_numbers_descending"


def test_a_restated_candidate_whose_run_disagrees_is_refused_and_the_spec_kept_for_synthesis(library):
    reg, provider = library
    request = "rank 4, 19, 7 so that the smallest comes first and the biggest comes last"
    restated_sort(provider, "ascending", [4, 7, 19])
    assert reg.search_tool(request) is None
    assert reg.restated_spec(request)["function_name"] == "sort_numbers_ascending"
    # reading the kept spec back asks the model nothing
    assert sum(c["purpose"] == "generate_spec" for c in provider.calls) == 1


def test_without_a_sandbox_nothing_is_restated(settings, embedder):
    provider = ScriptedProvider([])
    reg = CapabilityRegistry(LLMClient(provider, settings=settings), settings=settings, embedder=embedder)
    name, params, ret, doc, code = SORT_DESC
    reg.add_tool(name, code, f"from {name} import {name}\n", doc, spec={
        "function_name": name, "return_type": ret, "docstring": doc,
        "parameters": [{"name": p, "type": t, "description": ""} for p, t in params]})
    assert reg.search_tool("rank 4, 19, 7 so that the biggest comes first") is None
    assert provider.calls == []
    reg.close()


def test_a_candidate_the_model_names_instead_is_taken_only_on_its_own_run(library):
    """The fit check of the best candidate names another plausible one (postfreeze-1207s took count_words
    for "which word … has the most letters" that way). Its run refuses it here, and the best candidate's
    own run gives the direct solution's answer."""
    reg, provider = library
    request = "write 'quiet please' with capital letters"
    provider.enqueue("check_tool_fit", json.dumps({"needed": "capitalize_words", "relation": "different",
                                                   "arguments": {"text": "quiet please"}}))
    provider.enqueue("check_tool_fit", json.dumps({"needed": "capitalize_words", "relation": "same",
                                                   "arguments": {"text": "quiet please"}}))
    provider.enqueue("generate_implementation", solve("QUIET PLEASE"))
    provider.enqueue("generate_implementation", solve("QUIET PLEASE"))  # the sampled second opinion
    tool = reg.search_tool(request)
    assert tool is not None and tool["name"] == "to_uppercase", reg.last_verdict
    assert "the candidate the model named did not" in reg.last_verdict.reason
    assert provider.remaining() == 0
