"""Session memory, the CLI, and the seed tools, on the real pipeline."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.core.helpers import Recorder, make_orchestrator, reverse_synthesis_script

REPO = Path(__file__).resolve().parents[2]


def test_history_neither_forces_synthesis_nor_pollutes_search():
    orch, provider = make_orchestrator(reverse_synthesis_script())
    sid = orch.memory_manager.start_session()
    orch.process_request("Create a function to reverse text, e.g. 'hello world'", session_id=sid)
    rec = Recorder()
    r = orch.process_request("Reverse 'Python'", session_id=sid, callback=rec)
    # "Create a function" is in the history, yet this request searches and reuses.
    assert r["tool_name"] == "reverse_string" and not r["synthesized"]
    assert "searching" in rec.names
    search_queries = [d["query"] for e, d in rec.events if e == "searching"]
    assert search_queries == ["Reverse 'Python'"]
    msgs = orch.memory_manager.get_recent_messages(sid)
    assert [m["role"] for m in msgs] == ["user", "assistant", "user", "assistant"]


def test_follow_up_uses_history_for_arguments():
    orch, provider = make_orchestrator(reverse_synthesis_script())
    sid = orch.memory_manager.start_session()
    orch.process_request("Reverse the string 'hello world'", session_id=sid)
    provider.enqueue("extract_arguments", json.dumps({"s": "stressed"}))
    r = orch.process_request("now do the same for stressed", session_id=sid)
    assert r["success"] and r["tool_name"] == "reverse_string" and r["tool_result"] == "desserts"
    call = [c for c in provider.calls if c["purpose"] == "extract_arguments"][-1]
    assert "hello world" in call["messages"][-1]["content"]  # the context reached the model


def test_recent_messages_window_is_ten():
    orch, _ = make_orchestrator([])
    sid = orch.memory_manager.start_session("abc-1")
    for i in range(14):
        orch.memory_manager.append_message(sid, "user" if i % 2 == 0 else "assistant", f"m{i}")
    msgs = orch.memory_manager.get_recent_messages(sid)
    assert [m["content"] for m in msgs] == [f"m{i}" for i in range(4, 14)]
    assert "m3" not in orch.memory_manager.build_prompt_with_context(sid, "next")


def test_seed_tools_verify_in_sandbox_and_answer():
    from selfeng.seed_tools import SEED_TOOLS, install_seed_tools
    orch, provider = make_orchestrator([])
    report = install_seed_tools(orch)
    assert [r["status"] for r in report] == ["registered"] * len(SEED_TOOLS), report
    assert orch.get_tool_count() == 6
    provider.enqueue("extract_arguments", json.dumps({"percentage": 15, "base": 300}))
    r = orch.process_request("What is 15 percent of 300?")
    assert r["tool_name"] == "calculate_percentage" and r["tool_result"] == 45.0
    r = orch.process_request("Calculate the factorial of 5")
    assert r["tool_name"] == "calculate_factorial" and r["tool_result"] == 120
    r = orch.process_request("Calculate profit margins from products.csv")
    assert r["tool_name"] == "calculate_profit_margins", r
    assert r["tool_result"]["average_margin_percent"] == 37.5
    assert install_seed_tools(orch)[0]["status"] == "exists"


def _cli(args, tmp_path, script_entries=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFENG_")}
    env.update(SELFENG_DATA_DIR=str(tmp_path / "cli-data"), SELFENG_LLM_PROVIDER="scripted",
               SELFENG_ENV_FILE=str(tmp_path / "none.env"))
    if script_entries is not None:
        p = tmp_path / "script.json"
        p.write_text(json.dumps({"responses": script_entries}))
        env["SELFENG_SCRIPT"] = str(p)
    return subprocess.run([sys.executable, "-m", "selfeng", *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_cli_ask_json_then_tools_commands(tmp_path):
    r = _cli(["ask", "--json", "Reverse the string 'hello world'"], tmp_path, reverse_synthesis_script())
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["tool_result"] == "dlrow olleh" and result["synthesized"]
    assert "specification" in r.stderr and "verification" in r.stderr  # live stage lines
    r = _cli(["tools", "list"], tmp_path, [])
    assert "reverse_string" in r.stdout and "1 tool(s)" in r.stdout
    r = _cli(["tools", "show", "reverse_string"], tmp_path, [])
    assert "return s[::-1]" in r.stdout and "def test_" in r.stdout
    r = _cli(["tools", "delete", "reverse_string"], tmp_path, [])
    assert r.returncode == 0
    r = _cli(["tools", "show", "reverse_string"], tmp_path, [])
    assert r.returncode == 1 and "no tool named" in r.stderr


def test_cli_chat_session(tmp_path):
    env_script = reverse_synthesis_script()
    p = tmp_path / "script.json"
    p.write_text(json.dumps({"responses": env_script}))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELFENG_")}
    env.update(SELFENG_DATA_DIR=str(tmp_path / "d"), SELFENG_LLM_PROVIDER="scripted", SELFENG_SCRIPT=str(p),
               SELFENG_ENV_FILE=str(tmp_path / "none.env"))
    r = subprocess.run([sys.executable, "-m", "selfeng", "chat"], input="Reverse the string 'hello world'\n"
                       "Reverse 'Python'\nexit\n", env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "dlrow olleh" in r.stdout and "nohtyP" in r.stdout
    assert "found tool reverse_string" in r.stdout


def test_data_paths_are_confined_to_the_data_folder():
    from selfeng.seed_tools import install_seed_tools
    orch, provider = make_orchestrator([])
    install_seed_tools(orch)
    for outside in ("../selfeng.db.csv", "/etc/passwd.csv"):
        r = orch.process_request(f"Calculate profit margins from {outside}")
        assert not r["success"] and r["error_type"] == "sandbox_violation", r
        assert not r["synthesized"] and "data" in r["response"].lower()
    # A file-like string is only a path for path-like parameters.
    r = orch.process_request("Reverse the string 'notes.txt'")
    assert r["success"] and r["tool_result"] == "txt.seton"


def test_cli_seed_installs_verified_seed_tools(tmp_path):
    r = _cli(["seed"], tmp_path, [])
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert [x["status"] for x in report] == ["registered"] * 6
    assert "tests passed in the sandbox" in r.stderr
    assert (tmp_path / "cli-data" / "data" / "products.csv").exists()
    r = _cli(["tools", "list"], tmp_path, [])
    assert "6 tool(s)" in r.stdout and "calculate_profit_margins" in r.stdout
    r = _cli(["seed"], tmp_path, [])
    assert [x["status"] for x in json.loads(r.stdout)] == ["exists"] * 6
