"""One library, many processes, on every store: the index sees other processes' tools, registration is
atomic under kill -9 at each step, a name race ends in "exists", and concurrent registrations and
executions lose nothing and duplicate nothing. Every process here is a real separate interpreter."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from selfeng.capability_registry import CapabilityRegistry
from selfeng.config import load_settings
from selfeng.store import ToolExistsError
from selfeng.store.base import REGISTRATION_STEPS
from tests.store._workers import tool_code

REPO = Path(__file__).resolve().parents[2]
VIEWS = ("name", "doc", "full")


def _worker(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tests.store._workers", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture
def settings(store_backend):
    s = load_settings()
    s.ensure_dirs()
    return s


@pytest.fixture
def registry(settings, embedder):
    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    yield reg
    reg.close()


def test_index_never_misses_a_tool_registered_while_it_loads(settings, embedder):
    """The audit's race: another process registers between our read of the tools and of the version."""
    other = CapabilityRegistry(settings=settings, embedder=embedder)
    mine = CapabilityRegistry(settings=settings, embedder=embedder)
    real_list = mine.store.list_tools
    fired = []

    def list_then_race():
        rows = real_list()
        if not fired:  # the other process commits right after we listed the tools
            fired.append(other.add_tool("add_seven", *tool_code("add_seven", 7)))
        return rows

    mine.store.list_tools = list_then_race
    mine._load_index()
    mine.store.list_tools = real_list
    assert "add_seven" not in mine.index.names          # the load itself could not see it...
    found = [c["name"] for c in mine.search_candidates("add seven to an integer", k=3)]
    assert found[0] == "add_seven"                      # ...the next request does
    mine.add_tool("add_eight", *tool_code("add_eight", 8))
    assert {"add_seven", "add_eight"} <= set(mine.index.names)
    for reg in (mine, other):
        reg.close()


def test_own_registration_after_anothers_reloads(settings, embedder):
    a = CapabilityRegistry(settings=settings, embedder=embedder)
    b = CapabilityRegistry(settings=settings, embedder=embedder)
    a.add_tool("add_two", *tool_code("add_two", 2))
    b.add_tool("add_three", *tool_code("add_three", 3))   # b's bump jumps by two: b reloads
    assert set(b.index.names) == {"add_two", "add_three"}
    assert b.search_candidates("add two to an integer", k=1)[0]["name"] == "add_two"
    a.close()
    b.close()


def test_name_race_is_a_clear_exists(settings, embedder):
    """Both passed the name check; the store decides, and the loser gets ToolExistsError (a ValueError,
    which the synthesis engine reports as a failed step, not an internal error)."""
    a = CapabilityRegistry(settings=settings, embedder=embedder)
    b = CapabilityRegistry(settings=settings, embedder=embedder)
    real = b.store.register_tool

    def after_rival(*args, **kw):
        a.add_tool("add_four", *tool_code("add_four", 4))  # the rival commits first
        return real(*args, **kw)

    b.store.register_tool = after_rival
    with pytest.raises(ToolExistsError, match="already exists") as info:
        b.add_tool("add_four", *tool_code("add_four", 4))
    assert isinstance(info.value, ValueError)
    b.store.register_tool = real
    assert b.store.tool_names() == ["add_four"]
    assert b.search_candidates("add four to an integer", k=1)[0]["name"] == "add_four"
    a.close()
    b.close()


@pytest.mark.parametrize("step", REGISTRATION_STEPS)
def test_kill_at_each_registration_step_leaves_nothing_or_a_complete_tool(settings, embedder, step):
    before = CapabilityRegistry(settings=settings, embedder=embedder)
    v0 = int(before.store.get_meta("library_version") or 0)
    before.close()
    r = _worker("register", "add_five", env={"SELFENG_TEST_KILL_AT": step})
    assert r.returncode == -9, (r.returncode, r.stderr[-2000:])
    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    reg.cleanup_orphaned_tools()  # what every start does (AgentOrchestrator.__init__)
    row = reg.store.get_tool("add_five")
    code_path, test_path = settings.tools_dir / "add_five.py", settings.tools_dir / "test_add_five.py"
    vectors = reg.store.load_tool_vectors(embedder.name).get("add_five", {})
    version = int(reg.store.get_meta("library_version") or 0)
    committed = REGISTRATION_STEPS.index(step) >= REGISTRATION_STEPS.index("commit")
    if committed:
        assert row is not None and set(vectors) == set(VIEWS) and version == v0 + 1
        assert code_path.read_text() == row["code"] and test_path.read_text() == row["tests"]
        assert reg.search_candidates("add five to an integer", k=1)[0]["name"] == "add_five"
    else:
        assert row is None and vectors == {} and version == v0
        assert not code_path.exists() and not test_path.exists()
        reg.add_tool("add_five", *tool_code("add_five", 1))   # the name is free again
    reg.close()


def test_twenty_concurrent_registrations_and_executions(settings, embedder):
    """4 processes x 5 threads, each its own registry: 3 own tools each, all racing for one shared name;
    each new tool runs once in the real sandbox from its stored code, every run logged into one session."""
    procs = [subprocess.Popen([sys.executable, "-m", "tests.store._workers", "storm", f"w{w}", "5", "3",
                               "add_shared", "storm-session"], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for w in range(4)]
    outs = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr[-3000:]
        outs.append(json.loads(stdout.strip().splitlines()[-1]))
    assert [e for o in outs for e in o["errors"]] == []
    registered = [n for o in outs for n in o["registered"]]
    assert len(registered) == len(set(registered)) == 20 * 3 + 1      # exactly one winner for the shared name
    assert sum(o["exists"] for o in outs) == 19
    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    names = reg.store.tool_names()
    assert sorted(names) == sorted(registered) and not [n for n in names if "_v" in n]
    assert set(reg.store.load_tool_vectors(embedder.name)) == set(names)
    assert int(reg.store.get_meta("library_version")) == len(names)   # one bump per registration, none lost
    runs = reg.store.get_executions(session_id="storm-session")
    assert len(runs) == 60 and sorted(r["execution_order"] for r in runs) == list(range(60))
    assert all(r["success"] and r["outputs"] == 10 + int(r["tool_name"].rsplit("_n", 1)[1]) for r in runs)
    shared = reg.store.get_tool("add_shared")
    assert shared["usage_count"] == shared["success_count"] == 20
    assert set(reg.index.names) == set(names)
    reg.close()


def test_name_race_during_synthesis_is_reported_as_exists_not_internal_error(store_backend):
    """The whole request: synthesis passes its name check, a rival process registers the same name
    before the commit; the answer says the tool exists, and nothing is duplicated."""
    from tests.core.helpers import make_orchestrator, reverse_synthesis_script
    orch, _ = make_orchestrator(reverse_synthesis_script())
    rival = CapabilityRegistry(settings=load_settings(), embedder=orch.registry.embedder)
    real = orch.registry.store.register_tool

    def rival_first(*args, **kw):
        rival.add_tool("reverse_string", "def reverse_string(s: str) -> str:\n    return s[::-1]\n",
                       "from reverse_string import reverse_string\n\ndef test_r():\n    assert reverse_string('ab') == 'ba'\n",
                       "Reverse the characters of a string.")
        return real(*args, **kw)

    orch.registry.store.register_tool = rival_first
    result = orch.process_request("Reverse the string 'hello world'")
    text = json.dumps(result, default=str)
    assert "already exists" in text, text[:2000]
    assert result.get("error_type") != "internal_error" and "Internal error" not in text
    assert orch.registry.store.tool_names() == ["reverse_string"]
    rival.close()
