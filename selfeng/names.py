"""Tool-name validation. Names come from an LLM and become file names and import names, so they are
checked before anything touches the disk or the database."""
from __future__ import annotations

import keyword
import re
import sys

_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
MAX_NAME_LEN = 64

# A tool module is imported by name in the sandbox next to its tests: shadowing a stdlib or builtin
# module (json, os, …) or a pytest file pattern would break imports or get collected as tests.
_RESERVED = set(sys.stdlib_module_names) | set(sys.builtin_module_names) | {"conftest", "pytest", "selfeng"}


class InvalidToolName(ValueError):
    """The name cannot be used for a tool."""


def validate_tool_name(name: object) -> str:
    """Return `name` if it is a usable tool name, else raise InvalidToolName saying why."""
    if not isinstance(name, str):
        raise InvalidToolName(f"tool name must be a string, got {type(name).__name__}")
    if not name or len(name) > MAX_NAME_LEN:
        raise InvalidToolName(f"tool name must be 1-{MAX_NAME_LEN} characters: {name!r}")
    if not _SNAKE.match(name):
        raise InvalidToolName(f"tool name must be a snake_case identifier (a-z, 0-9, _): {name!r}")
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        raise InvalidToolName(f"tool name {name!r} is a Python keyword")
    if name in _RESERVED:
        raise InvalidToolName(f"tool name {name!r} would shadow a standard-library or reserved module")
    # pytest collects test_*.py / *_test.py files and functions named test*; the tool's function,
    # imported into its test module, must not be mistaken for a test.
    if name.startswith("test") or name.endswith("_test"):
        raise InvalidToolName(f"tool name {name!r} would be collected by pytest as a test")
    return name


def is_valid_tool_name(name: object) -> bool:
    try:
        validate_tool_name(name)
    except InvalidToolName:
        return False
    return True
