"""Expected values the model computes with a Python expression, run in the real sandbox."""
from __future__ import annotations

from selfeng import computed_cases
from selfeng.arbitration import Case
from selfeng.sandbox import SecureSandbox

from selfeng.cases import model_cases
from selfeng.config import load_settings
from selfeng.llm.scripted import ScriptedProvider
from selfeng.llm_client import LLMClient

from .helpers import script

GALLONS_SPEC = {"function_name": "gallons_to_liters",
                "parameters": [{"name": "gallons", "type": "float", "description": "US gallons"}],
                "return_type": "float", "docstring": "Convert US gallons to liters."}


def _case(name, args, expected, compute, source="model"):
    return Case(name, args, expected, source, compute=compute)


def test_cases_asked_with_compute_carry_it_and_the_sandbox_computes_their_values():
    """The variant `benchmarks/bench_case_accuracy.py` measures (not the engine's default: it cost twice the
    time per case set and was no more accurate). The model's literal values are slips of arithmetic; its
    formula, run in the sandbox, gives the exact value."""
    reply = {"cases": [
        {"args": {"gallons": 3.0}, "compute": "3 * 3.785411784", "expected": 11.35, "from_request": False},
        {"args": {"gallons": 0.0}, "compute": "", "expected": 0.0, "from_request": False}]}
    provider = ScriptedProvider(script(("generate_tests", reply)))
    client = LLMClient(provider, settings=load_settings())
    raw = client.generate_test_cases(GALLONS_SPEC, "How many liters are in 3 US gallons?", compute=True)
    cases = computed_cases.with_computed_values(SecureSandbox(), GALLONS_SPEC, model_cases(GALLONS_SPEC, raw, ""))
    assert [c.expected for c in cases] == [3 * 3.785411784, 0.0]
    ask = provider.calls[0]
    fields = list(ask["json_schema"]["properties"]["cases"]["items"]["properties"])
    assert fields.index("compute") < fields.index("expected")  # the formula first, the value follows it
    assert "write compute before expected" in ask["messages"][-1]["content"]


def test_expressions_run_in_one_sandbox_call_and_bad_ones_keep_the_literal():
    spec = {"return_type": "str"}
    cases = [
        _case("a", {"d": "2024-01-15", "n": 45},  "2024-03-01",
              "str(date.fromisoformat(d) + timedelta(days=n))"),
        _case("b", {"d": "2000-01-01", "n": 0}, "Friday", "datetime.date(2000, 1, 1).strftime('%A')"),
        _case("c", {"d": "2000-01-01", "n": 0}, "Friday", "datetime(2000, 1, 1).strftime('%A')"),
        _case("d", {"d": "x", "n": 1}, "kept", "undefined_name + 1"),       # NameError: the literal stays
        _case("e", {"d": "x", "n": 1}, "kept", "n * 2"),                    # an int for a str: stays
        _case("f", {"d": "x", "n": 1}, "kept", "'literal'"),                # a literal computes nothing
        _case("g", {"d": "x", "n": 1}, "stated", "d.upper()", source="request"),  # stated: never replaced
    ]
    got = {c.name: c.expected for c in computed_cases.with_computed_values(SecureSandbox(), spec, cases)}
    assert got == {"a": "2024-02-29", "b": "Saturday", "c": "Saturday", "d": "kept", "e": "kept",
                   "f": "kept", "g": "stated"}


def test_computed_values_take_the_declared_type():
    cases = [_case("a", {"xs": [3, 1, 2]}, [1, 2], "sorted(xs)"),
             _case("b", {"xs": [1, 2, 2]}, {}, "set(xs)"),
             _case("c", {"xs": [4]}, 0, "sum(xs) / 2")]
    sandbox = SecureSandbox()
    as_list = computed_cases.with_computed_values(sandbox, {"return_type": "list[int]"}, cases[:2])
    assert [c.expected for c in as_list] == [[1, 2, 3], [1, 2]]  # a set is read back as a sorted list
    as_tuple = computed_cases.with_computed_values(sandbox, {"return_type": "Tuple[int, ...]"}, cases[:1])
    assert as_tuple[0].expected == (1, 2, 3)
    as_int = computed_cases.with_computed_values(sandbox, {"return_type": "int"}, cases[2:])
    assert as_int[0].expected == 2 and isinstance(as_int[0].expected, int)  # 2.0 counts as the int 2


def test_a_runaway_expression_costs_only_the_computed_values(monkeypatch):
    monkeypatch.setattr(computed_cases, "COMPUTE_SECONDS", 2)
    cases = [_case("a", {"n": 1}, 5, "n + 1"), _case("b", {"n": 1}, 7, "sum(range(10 ** 12))")]
    got = computed_cases.with_computed_values(SecureSandbox(), {"return_type": "int"}, cases)
    assert [c.expected for c in got] == [5, 7]
