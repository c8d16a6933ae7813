"""The routing benchmark's library runs real code (bench_retrieval --answer-check): every tool's source
must match its signature and give hand-worked answers (check_routing_tools_code.py)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_every_routing_tool_has_working_code():
    script = Path(__file__).with_name("check_routing_tools_code.py")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert run.stdout.strip().endswith("ok 97 tools")
