"""A paraphrase that retrieval misses is synthesised again; a library tool that passes every test of the
new one answers instead, and no duplicate is registered (`selfeng/behaviour_match.py`)."""
from __future__ import annotations

from tests.core.helpers import make_orchestrator, reverse_synthesis_script, script

BACKWARDS_SPEC = {"function_name": "spell_backwards",
                  "parameters": [{"name": "word", "type": "str", "description": "the word to spell"}],
                  "return_type": "str", "docstring": "Spell a word from its last letter to its first."}
BACKWARDS_CASES = {"cases": [{"args": {"word": "lion"}, "expected": "noil"},
                             {"args": {"word": "stressed"}, "expected": "desserts"},
                             {"args": {"word": "abc"}, "expected": "cba"},
                             {"args": {"word": "hello"}, "expected": "olleh"}]}
BACKWARDS_DRAWS = [("generate_implementation", "def spell_backwards(word: str) -> str:\n    return word[::-1]\n"),
                   ("generate_implementation",
                    "def spell_backwards(word: str) -> str:\n    return ''.join(reversed(word))\n")]
PARAPHRASE = "what is 'drawer' spelled back to front"


def test_a_paraphrase_synthesised_again_is_answered_by_the_tool_that_behaves_the_same():
    orch, provider = make_orchestrator(reverse_synthesis_script() + script(
        ("generate_spec", BACKWARDS_SPEC), ("generate_tests", BACKWARDS_CASES), *BACKWARDS_DRAWS,
        ("synthesize_response", "It is 'reward'.")))
    assert orch.process_request("Reverse the string 'hello world'")["tool_name"] == "reverse_string"
    assert orch.registry.search_tool(PARAPHRASE) is None  # below the floor: retrieval alone misses it

    second = orch.process_request(PARAPHRASE)
    assert second["success"] and second["synthesized"], second
    assert second["tool_name"] == "reverse_string" and second["tool_result"] == "reward"
    assert second["synthesis"]["existing_tool"] is True
    assert second["synthesis"]["written_tool_name"] == "spell_backwards"
    assert "reverse_string does the same" in second["response"] and "no duplicate" in second["response"]
    assert orch.registry.get_tool_by_name("spell_backwards") is None
    assert [t["name"] for t in orch.registry.get_all_tools()] == ["reverse_string"]
    assert PARAPHRASE in [q["query"] for q in orch.store.list_tool_queries("reverse_string")]
    assert provider.remaining() == 0


def test_a_tool_that_fails_one_of_the_new_tests_is_not_taken_for_the_new_one():
    upper_spec = {"function_name": "shout", "parameters": [{"name": "text", "type": "str", "description": ""}],
                  "return_type": "str", "docstring": "Return the text in capital letters."}
    upper_cases = {"cases": [{"args": {"text": "abc"}, "expected": "ABC"},
                             {"args": {"text": "Hi there"}, "expected": "HI THERE"},
                             {"args": {"text": "x1"}, "expected": "X1"},
                             {"args": {"text": "noon"}, "expected": "NOON"}]}
    orch, provider = make_orchestrator(reverse_synthesis_script() + script(
        ("generate_spec", upper_spec), ("generate_tests", upper_cases),
        ("generate_implementation", "def shout(text: str) -> str:\n    return text.upper()\n"),
        ("generate_implementation", "def shout(text: str) -> str:\n    return ''.join(c.upper() for c in text)\n"),
        ("synthesize_response", "QUIET PLEASE")))
    orch.process_request("Reverse the string 'hello world'")
    second = orch.process_request("Shout 'quiet please'")
    assert second["success"] and second["tool_name"] == "shout" and second["tool_result"] == "QUIET PLEASE"
    assert second["synthesis"]["existing_tool"] is False
    assert sorted(t["name"] for t in orch.registry.get_all_tools()) == ["reverse_string", "shout"]


def test_an_explicit_request_for_a_new_function_gets_one_even_when_a_tool_behaves_the_same():
    orch, provider = make_orchestrator(reverse_synthesis_script() + script(
        ("generate_spec", BACKWARDS_SPEC), ("generate_tests", BACKWARDS_CASES), *BACKWARDS_DRAWS))
    orch.process_request("Reverse the string 'hello world'")
    made = orch.process_request("Create a function that spells a word backwards")
    assert made["success"] and made["tool_name"] == "spell_backwards"
    assert orch.registry.get_tool_by_name("spell_backwards") is not None


def test_the_seeds_synthesis_result_describes_the_tool_that_answers():
    orch, provider = make_orchestrator(reverse_synthesis_script() + script(
        ("generate_spec", BACKWARDS_SPEC), ("generate_tests", BACKWARDS_CASES), *BACKWARDS_DRAWS))
    orch.process_request("Reverse the string 'hello world'")
    result = orch.synthesis_engine.synthesize_capability(PARAPHRASE)
    assert result["success"] and result["existing_tool"] and result["tool_name"] == "reverse_string"
    assert "def reverse_string" in result["code"] and result["code"] == result["tool_code"]
    assert result["spec"]["function_name"] == "reverse_string"
    assert result["written_tool_name"] == "spell_backwards"
    assert "spell_backwards(word='stressed')" in result["tests"]  # the evidence: the new tool's own tests
