"""Import a tool library kept in the seeds' layout: `DIR/tools/<name>.py` + `DIR/tools/test_<name>.py`,
optionally with the seeds' Chroma collection (`DIR/chroma_db`, or DIR itself) holding each tool's
docstring. Nothing is trusted: every tool is re-verified in the sandbox before it is registered, and
its vectors are re-made by selfeng's own embedder."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Callable

from ..names import is_valid_tool_name
from .base import ToolExistsError
from .. import pyparse


def _function_docstring(name: str, code: str) -> str:
    try:
        tree = pyparse.parse(code)
    except SyntaxError:
        return ""
    fns = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    fn = next((n for n in fns if n.name == name), fns[0] if fns else None)
    return " ".join((ast.get_docstring(fn) or "").split()) if fn else ""


def chroma_docstrings(directory: Path) -> dict[str, str]:
    """{tool name: docstring} from every Chroma collection found under `directory` (empty if none)."""
    found = [d for d in (directory / "chroma_db", directory) if (d / "chroma.sqlite3").is_file()]
    if not found:
        return {}
    import chromadb
    from chromadb.config import Settings
    client = chromadb.PersistentClient(path=str(found[0]), settings=Settings(anonymized_telemetry=False))
    out: dict[str, str] = {}
    for col in client.list_collections():
        col = client.get_collection(col.name if hasattr(col, "name") else str(col))
        got = col.get(include=["metadatas", "documents"])
        for i, meta, doc in zip(got["ids"], got["metadatas"] or [], got["documents"] or []):
            meta = meta or {}
            name = str(meta.get("name") or meta.get("tool_name") or i)
            text = doc or meta.get("docstring") or ""
            if text:
                out[name] = " ".join(str(text).split())
    return out


def import_seeds_library(directory: str | Path, registry, sandbox,
                         progress: Callable[[str], None] = lambda m: None) -> list[dict]:
    """Verify and register every tool of a seeds-layout library. Returns one report row per tool:
    status `registered`, `exists`, `failed` (verification) or `skipped` (no tests, unusable name)."""
    root = Path(directory)
    tools_dir = root / "tools" if (root / "tools").is_dir() else root
    docs = chroma_docstrings(root)
    report = []
    for code_path in sorted(tools_dir.glob("*.py")):
        name = code_path.stem
        if name.startswith("test_") or name == "__init__":
            continue
        test_path = tools_dir / f"test_{name}.py"
        row = {"tool": name}
        if not is_valid_tool_name(name):
            row.update(status="skipped", error="not a usable tool name")
        elif not test_path.is_file():
            row.update(status="skipped", error=f"no {test_path.name}: a tool is registered only once its tests pass")
        elif registry.get_tool_by_name(name) is not None:
            row.update(status="exists")
        else:
            code, tests = code_path.read_text(encoding="utf-8"), test_path.read_text(encoding="utf-8")
            verdict = sandbox.verify_tool(name, code, tests)
            if not verdict.get("success"):
                row.update(status="failed", error=verdict.get("error") or str(verdict.get("output", ""))[-500:])
            else:
                docstring = docs.get(name) or _function_docstring(name, code)
                try:
                    registry.add_tool(name, code, tests, docstring, tests_verified=True)
                    row.update(status="registered", tests_passed=verdict.get("tests_passed"))
                except ToolExistsError:  # another process registered it meanwhile
                    row.update(status="exists")
        progress(f"{name}: {row['status']}" + (f" ({row['error']})" if row.get("error") else ""))
        report.append(row)
    return report
