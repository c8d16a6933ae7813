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
import re
import sys
from . import pyparse

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
        tree = pyparse.parse(code)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((a.asname or a.name.split(".")[0]) == name for a in node.names):
                return True
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
    return False


# A module and the class of the same name inside it (`datetime.datetime`): writing one for the other is the
# attribute error a small model makes most, and its message names both sides of the fix.
_MODULE_LACKS = re.compile(r"module '([a-z_]\w*)' has no attribute '([A-Za-z_]\w*)'")
_CLASS_LACKS = re.compile(r"type object '([a-z_]\w*)\.\1' has no attribute '([A-Za-z_]\w*)'")


def fix_module_class_mixup(code: str, messages: list[str]) -> str | None:
    """`code` with `M.X` written as it was meant, or None. "module 'datetime' has no attribute 'strptime'":
    the class `datetime.datetime` has it, so `datetime.strptime` becomes `datetime.datetime.strptime`.
    "type object 'datetime.datetime' has no attribute 'timedelta'" (the class imported under the module's
    name): the module has it, so `datetime.timedelta` becomes `timedelta`, imported from the module. Only
    for standard-library modules this file may import, and only when the other side really has the name."""
    fixed = code
    for message in messages:
        for pattern, to_class in ((_MODULE_LACKS, True), (_CLASS_LACKS, False)):
            m = pattern.search(message)
            if m is None or m.group(1) not in _EXPORTERS:
                continue
            module_name, attr = m.groups()
            module = importlib.import_module(module_name)
            cls = getattr(module, module_name, None)
            if not isinstance(cls, type):
                continue
            if to_class and hasattr(cls, attr):
                fixed = re.sub(rf"(?<![\w.]){module_name}\.{attr}\b", f"{module_name}.{module_name}.{attr}", fixed)
            elif not to_class and hasattr(module, attr) and not _defines(fixed, attr):
                fixed = f"from {module_name} import {attr}\n" + re.sub(
                    rf"(?<![\w.]){module_name}\.{attr}\b", attr, fixed)
    return fixed if fixed != code else None


_UNDEFINED_NAME = re.compile(r"NameError: name '([A-Za-z_]\w*)' is not defined")


def fix_from_error(code: str, error: str) -> str | None:
    """`code` fixed from one run's error text ("NameError: name 'gcd' is not defined", or a module/class
    mix-up's AttributeError), or None when the error is not one of those two."""
    m = _UNDEFINED_NAME.search(error)
    if m:
        return add_imports(code, {m.group(1)})
    return fix_module_class_mixup(code, [error]) if "AttributeError" in error else None
