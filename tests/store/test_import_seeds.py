"""`selfeng import-seeds-library DIR`: a library in the seeds' layout (tools/NAME.py + tools/test_NAME.py,
with or without the seeds' Chroma collection) is re-verified in the real sandbox, tool by tool; only
tools whose tests pass are registered."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from selfeng.capability_registry import CapabilityRegistry
from selfeng.config import load_settings

REPO = Path(__file__).resolve().parents[2]

GOOD = ("def double_number(x: int) -> int:\n    \"\"\"Double an integer.\"\"\"\n    return 2 * x\n",
        "from double_number import double_number\n\ndef test_two():\n    assert double_number(2) == 4\n\n"
        "def test_zero():\n    assert double_number(0) == 0\n")
WRONG = ("def triple_number(x: int) -> int:\n    return 2 * x\n",
         "from triple_number import triple_number\n\ndef test_two():\n    assert triple_number(2) == 6\n")


def _library(root: Path, with_chroma: bool) -> Path:
    tools = root / "tools"
    tools.mkdir(parents=True)
    for name, (code, tests) in (("double_number", GOOD), ("triple_number", WRONG)):
        (tools / f"{name}.py").write_text(code)
        (tools / f"test_{name}.py").write_text(tests)
    (tools / "untested_tool.py").write_text("def untested_tool():\n    return 1\n")
    if with_chroma:
        import chromadb
        from chromadb.config import Settings
        client = chromadb.PersistentClient(path=str(root / "chroma_db"), settings=Settings(anonymized_telemetry=False))
        col = client.create_collection("tools")
        col.add(ids=["double_number"], documents=["Multiply a whole number by two and return it."],
                metadatas=[{"name": "double_number", "file_path": "tools/double_number.py"}],
                embeddings=[[0.1] * 8])
    return root


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox runs as root")
@pytest.mark.parametrize("with_chroma", [False, True], ids=["files", "files+chroma"])
def test_import_verifies_each_tool_then_registers(tmp_path, store_backend, with_chroma):
    lib = _library(tmp_path / "seeds", with_chroma)
    r = subprocess.run([sys.executable, "-m", "selfeng", "import-seeds-library", str(lib)], cwd=REPO,
                       capture_output=True, text=True, timeout=300, env=dict(os.environ))
    report = {row["tool"]: row for row in json.loads(r.stdout)}
    assert r.returncode == 1  # not everything imported
    assert report["double_number"]["status"] == "registered" and report["double_number"]["tests_passed"] == 2
    assert report["triple_number"]["status"] == "failed"
    assert report["untested_tool"]["status"] == "skipped"
    reg = CapabilityRegistry(settings=load_settings())
    assert reg.store.tool_names() == ["double_number"]
    doc = reg.get_tool_by_name("double_number")["docstring"]
    assert doc == ("Multiply a whole number by two and return it." if with_chroma else "Double an integer.")
    assert reg.search_candidates("double a number", k=1)[0]["name"] == "double_number"
    reg.close()
    again = subprocess.run([sys.executable, "-m", "selfeng", "import-seeds-library", str(lib)], cwd=REPO,
                           capture_output=True, text=True, timeout=300, env=dict(os.environ))
    assert {row["tool"]: row["status"] for row in json.loads(again.stdout)}["double_number"] == "exists"
