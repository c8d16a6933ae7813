"""Fixing a forgotten standard-library import without a model call.

Small models often write `combinations(...)` or `math.sqrt(...)` and forget the import; a repair round
with the model rarely adds it. The name tells us the import: a standard-library module name
(`sys.stdlib_module_names`), or a public name exported by one of the standard library's general-purpose
computation modules below. A name exported by more than one of them is ambiguous and left alone.
"""
from __future__ import annotations

import ast
import functools
import importlib
import sys

# The standard library's general-purpose computation modules, from the Python docs' "Numeric and
# Mathematical Modules", "Functional Programming Modules", "Data Types" and "Text Processing" chapters.
# Modules with side effects on import, I/O or OS access are not in it: a fix must never import those.
_EXPORTERS = ("itertools", "functools", "operator", "collections", "heapq", "bisect", "math", "statistics",
              "fractions", "decimal", "string", "re", "datetime", "calendar", "typing", "textwrap",
              "unicodedata", "copy", "enum", "dataclasses", "difflib")
_NEVER_IMPORT = {"antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "webbrowser", "pydoc"}


@functools.lru_cache(maxsize=1)
def _exported() -> dict[str, str]:
    owners: dict[str, set[str]] = {}
    for module_name in _EXPORTERS:
        module = importlib.import_module(module_name)
        public = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for name in public:
            if not name.startswith("_") and not isinstance(getattr(module, name, None), type(sys)):
                owners.setdefault(name, set()).add(module_name)
    for mods in owners.values():
        if len(mods) > 1:  # typing's Counter, Deque, ... are documented deprecated aliases of the real classes
            mods.discard("typing")
    return {name: next(iter(mods)) for name, mods in owners.items() if len(mods) == 1}


def import_for(name: str) -> str | None:
    """The import line that defines `name`, or None when the standard library does not say unambiguously."""
    if name in sys.stdlib_module_names and not name.startswith("_") and name not in _NEVER_IMPORT:
        return f"import {name}"
    module = _exported().get(name)
    return f"from {module} import {name}" if module else None


def add_imports(code: str, names: set[str]) -> str | None:
    """`code` with imports for `names` added at the top, or None if any name cannot be resolved."""
    lines = []
    for name in sorted(names):
        line = import_for(name)
        if line is None or _defines(code, name):
            return None
        lines.append(line)
    return "\n".join(lines) + "\n" + code if lines else None


def _defines(code: str, name: str) -> bool:
    """Already imported or defined at top level: the NameError has another cause (a scope bug)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) == name for a in node.names):
                return True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
    return False
