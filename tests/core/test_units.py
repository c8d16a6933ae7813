"""Small pure pieces: argument fast path, code extraction, spec checks, evidence, config, scripts."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from selfeng.arguments import coerce_arguments, fast_path_arguments
from selfeng.codeblocks import extract_code, extract_json
from selfeng.config import ConfigError, env_var_table, load_settings
from selfeng.llm import LLMError
from selfeng.llm.recording import RecordingProvider, to_script
from selfeng.llm.scripted import ScriptedProvider
from selfeng.case_replies import pytest_code_from_reply, render_tests, type_schema
from selfeng.llm_client import normalize_spec
from selfeng.test_evidence import count_tests

REPO = Path(__file__).resolve().parents[2]
S = [{"name": "s", "type": "str"}]


@pytest.mark.parametrize("prompt,expected", [
    ("Reverse the string 'hello world'", {"s": "hello world"}),
    ('Reverse "Python"', {"s": "Python"}),
    ("Reverse it's 'a' and 'b'", None),
    ("Reverse hello", None),
])
def test_fast_path_strings(prompt, expected):
    assert fast_path_arguments(prompt, S) == expected


def test_fast_path_numbers_only_when_unambiguous():
    n = [{"name": "n", "type": "int"}]
    assert fast_path_arguments("factorial of 5", n) == {"n": 5}
    assert fast_path_arguments("factorial of 5 and 6", n) is None
    assert fast_path_arguments("factorial of 2.5", n) is None
    two = [{"name": "a", "type": "float"}, {"name": "b", "type": "float"}]
    assert fast_path_arguments("15% of 300", two) is None
    assert coerce_arguments({"n": "7"}, n) == {"n": 7}


def test_extract_code_fenced_bare_and_multi():
    assert extract_code("Here:\n```python\ndef f():\n    return 1\n```\nDone") == "def f():\n    return 1\n"
    assert extract_code("def f():\n    return 1") == "def f():\n    return 1\n"
    two = "```python\nimport math\n```\ntext\n```python\ndef g():\n    return math.pi\n```"
    assert "import math" in extract_code(two) and "def g" in extract_code(two)
    assert extract_json('Sure!\n```json\n{"a": 1}\n```') == {"a": 1}
    with pytest.raises(ValueError):
        extract_json("no json here")


def test_spec_normalisation_and_rejection():
    spec = normalize_spec({"function_name": "ReverseString", "parameters": [{"name": "s", "type": "str"}],
                           "return_type": "str", "docstring": "  Reverse\n a string. "})
    assert spec["function_name"] == "reverse_string" and spec["docstring"] == "Reverse a string."
    with pytest.raises(LLMError):
        normalize_spec({"function_name": "f", "parameters": [{"name": "1x"}], "return_type": "", "docstring": ""})
    with pytest.raises(LLMError):
        normalize_spec({"function_name": "f"})


def test_a_spec_that_promises_a_date_promises_its_iso_text():
    # cases can only write "2024-02-29"; a date-typed spec let draws return dates or midnight datetimes
    spec = normalize_spec({"function_name": "add_days", "return_type": "datetime.date", "docstring": "Add days.",
                           "parameters": [{"name": "start", "type": "date", "description": "first day"},
                                          {"name": "days", "type": "int", "description": "how many"}]})
    assert spec["return_type"] == "str" and spec["docstring"] == "Add days. The result is text in ISO format 'YYYY-MM-DD'."
    assert spec["parameters"][0] == {"name": "start", "type": "str",
                                     "description": "first day (text in ISO format 'YYYY-MM-DD')"}
    assert spec["parameters"][1]["type"] == "int" and spec["parameters"][1]["description"] == "how many"
    kept = normalize_spec({"function_name": "f", "parameters": [], "return_type": "list[date]", "docstring": "F."})
    assert kept["return_type"] == "list[date]" and kept["docstring"] == "F."


def test_cases_render_to_frozen_pytest_and_skip_unbindable():
    spec = normalize_spec({"function_name": "half", "parameters": [{"name": "x", "type": "float"}],
                           "return_type": "float", "docstring": "Half."})
    code = render_tests(spec, [{"args": {"x": 3}, "expected": 1.5}, {"args": {"y": 1}, "expected": 0},
                               {"args": {"x": 3}, "expected": 9}])
    assert count_tests(code) == 1 and "pytest.approx(1.5)" in code
    assert "from half import half" in code
    code2 = pytest_code_from_reply(spec, "```python\ndef test_a():\n    assert half(2) == 1\n```")
    assert code2.startswith("from half import half")
    assert type_schema("List[int]") == {"type": "array", "items": {"type": "integer"}}


def test_scripted_provider_by_purpose_and_exhaustion():
    p = ScriptedProvider([{"purpose": "a", "content": "1"}, {"purpose": "b", "content": "2"},
                          {"purpose": "a", "content": "3"}])
    assert p.complete([], purpose="a").text == "1"
    assert p.complete([], purpose="a").text == "3"
    with pytest.raises(LLMError, match="'a'"):
        p.complete([], purpose="a")
    assert p.complete([], purpose="b").text == "2"


def test_recording_turns_into_a_script(tmp_path):
    rec = RecordingProvider(ScriptedProvider([{"purpose": "generate_spec", "content": "{}"}]), tmp_path / "r.jsonl")
    rec.complete([{"role": "user", "content": "hi"}], purpose="generate_spec")
    line = json.loads((tmp_path / "r.jsonl").read_text())
    assert line["messages"][0]["content"] == "hi"
    assert to_script(tmp_path / "r.jsonl") == {"responses": [{"purpose": "generate_spec", "content": "{}"}]}


def test_settings_defaults_env_file_and_errors(tmp_path, monkeypatch):
    monkeypatch.delenv("SELFENG_DATA_DIR")
    monkeypatch.delenv("SELFENG_LLM_PROVIDER")
    s = load_settings(env={"HOME": str(tmp_path)}, env_file=tmp_path / "missing")
    assert s.llm_provider == "local" and s.sandbox_memory_mb == 512 and s.sandbox_timeout == 30
    assert s.data_dir == Path.home().resolve() / ".local/share/selfeng" or s.data_dir.name == "selfeng"
    (tmp_path / ".env").write_text("SELFENG_SANDBOX_TIMEOUT=5\nSELFENG_DATA_DIR=rel/dir\n")
    s = load_settings(env={}, env_file=tmp_path / ".env")
    assert s.sandbox_timeout == 5.0 and s.data_dir.is_absolute()
    s = load_settings(env={"SELFENG_SANDBOX_TIMEOUT": "7"}, env_file=tmp_path / ".env")
    assert s.sandbox_timeout == 7.0  # real environment beats .env
    with pytest.raises(ConfigError):
        load_settings(env={"SELFENG_LLM_PROVIDER": "nope"})
    with pytest.raises(ConfigError):
        load_settings(env={"SELFENG_SANDBOX_TIMEOUT": "soon"})


def test_readme_and_env_example_document_every_setting():
    readme = (REPO / "README.md").read_text()
    example = (REPO / ".env.example").read_text()
    for var, _, _ in env_var_table():
        assert f"`{var}`" in readme, f"{var} missing from the README's table"
        assert re.search(rf"^#?\s*{var}=", example, re.M), f"{var} missing from .env.example"


def test_public_api_is_importable_from_the_package():
    import selfeng
    from selfeng import (AgentOrchestrator, CapabilityRegistry, CapabilitySynthesisEngine,  # noqa: F401
                         CompositionPlanner, LLMClient, QueryPlanner, ResponseSynthesizer, SecureSandbox,
                         SessionMemoryManager, ToolExecutor, WorkflowTracker)
    assert AgentOrchestrator.__module__ == "selfeng.orchestrator"
    assert set(selfeng.__all__) >= {"AgentOrchestrator", "QueryPlanner", "CompositionPlanner", "WorkflowTracker"}


def test_orchestrator_exposes_seed_attribute_names():
    from tests.core.helpers import make_orchestrator
    orch, _ = make_orchestrator([])
    for attr in ("registry", "synthesis_engine", "executor", "sandbox", "llm_client", "memory_manager",
                 "response_synthesizer", "query_planner", "composition_planner", "workflow_tracker"):
        assert getattr(orch, attr) is not None, attr


def test_local_code_replies_end_when_the_function_block_closes():
    from selfeng.llm.local import _closed_fence
    assert not _closed_fence("```python\ndef f():\n    return 1\n")
    assert _closed_fence("```python\ndef f():\n    return 1\n```\n")
    assert not _closed_fence("```python\nimport math\n```\ntext\n")  # the function may follow in a second block
    assert _closed_fence("```python\nimport math\n```\nthen\n```python\ndef g():\n    return math.pi\n```\nMore")
    assert not _closed_fence("Sure! Here it is.\n")
