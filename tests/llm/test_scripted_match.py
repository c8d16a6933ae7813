"""The scripted provider's `match`: an entry answers only a call whose messages contain its string."""
from selfeng.llm.scripted import ScriptedProvider, ScriptExhausted

import pytest


def test_match_picks_the_entry_for_this_request_whatever_the_order():
    p = ScriptedProvider([{"purpose": "generate_spec", "match": "vowels", "content": "V"},
                          {"purpose": "generate_spec", "match": "reverse", "content": "R"},
                          {"purpose": "generate_spec", "content": "any"}])
    ask = lambda text: p.complete([{"role": "user", "content": text}], purpose="generate_spec").text  # noqa: E731
    assert ask("please reverse 'abc'") == "R"
    assert ask("count the vowels") == "V"
    assert ask("count the vowels again") == "any"  # unmatched entries still answer anything
    with pytest.raises(ScriptExhausted):
        ask("reverse")
