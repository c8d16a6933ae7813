"""The seed tools: hand-written, but verified in the sandbox like any other before registration."""
from __future__ import annotations

import shutil
from importlib import resources
from typing import Callable

from .store import ToolExistsError
from . import pyparse

SEED_TOOLS = ["calculate_percentage", "reverse_string", "calculate_factorial", "celsius_to_fahrenheit",
              "calculate_square_root", "calculate_profit_margins"]
# Data files a seed tool's tests read (written beside the tests) and that users can name in requests.
SEED_DATA = {"calculate_profit_margins": ["products.csv"]}


def _read(name: str) -> str:
    return resources.files("selfeng.seed_data").joinpath(name).read_text(encoding="utf-8")


def _docstring(code: str) -> str:
    import ast
    for node in pyparse.parse(code).body:
        if isinstance(node, ast.FunctionDef):
            return " ".join((ast.get_docstring(node) or "").split())
    return ""


def install_seed_tools(orchestrator=None, progress: Callable[[str], None] = lambda m: None) -> list[dict]:
    """Verify each seed tool in the sandbox, then register it. Existing tools are left alone."""
    if orchestrator is None:
        from .orchestrator import AgentOrchestrator
        orchestrator = AgentOrchestrator()
    registry, sandbox, settings = orchestrator.registry, orchestrator.sandbox, orchestrator.settings
    settings.ensure_dirs()
    for files in SEED_DATA.values():
        for f in files:
            target = settings.files_dir / f
            if not target.exists():
                with resources.as_file(resources.files("selfeng.seed_data").joinpath(f)) as src:
                    shutil.copyfile(src, target)
    report = []
    for name in SEED_TOOLS:
        if registry.get_tool_by_name(name) is not None:
            report.append({"tool": name, "status": "exists"})
            progress(f"{name}: already registered")
            continue
        code, tests = _read(f"{name}.py"), _read(f"test_{name}.py")
        data = {f: _read(f) for f in SEED_DATA.get(name, [])}
        v = sandbox.verify_tool(name, code, tests, data_files=data or None)
        if not v.get("success"):
            report.append({"tool": name, "status": "failed", "error": v.get("error") or v.get("output", "")[-500:]})
            progress(f"{name}: verification FAILED")
            continue
        try:
            registry.add_tool(name, code, tests, _docstring(code), tests_verified=True)
        except ToolExistsError:
            # Another process (a second `selfeng seed`, a server seeding itself) registered it since
            # our check: the same seed tool, so "exists" is the whole answer, never an error.
            report.append({"tool": name, "status": "exists"})
            progress(f"{name}: registered meanwhile by another process")
            continue
        report.append({"tool": name, "status": "registered", "tests_passed": v.get("tests_passed")})
        progress(f"{name}: {v.get('tests_passed')} tests passed in the sandbox, registered")
    return report
