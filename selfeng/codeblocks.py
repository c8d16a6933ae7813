"""Pull Python code and JSON out of model replies, which may be fenced or bare."""
from __future__ import annotations

import ast
import json
import re

from . import pyparse

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.S)


def extract_code(reply: str, function_name: str | None = None) -> str:
    """Return the Python code in `reply`: the fenced python block(s) if any, else the whole reply.

    Several python blocks (some models split imports and the function) are joined in order. With
    `function_name`, blocks that only echo tests (no definition of the function) are left out.
    """
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(reply)]
    py = [b for lang, b in blocks if lang in ("python", "py", "python3", "")]
    if function_name and any(defines_function(b, function_name) for b in py):
        py = [b for b in py if defines_function(b, function_name)
              or not re.search(r"^\s*(def test_|from " + re.escape(function_name) + r" import)", b, re.M)]
    if py:
        code = "\n\n".join(b.strip("\n") for b in py)
    else:
        code = reply
    return code.strip() + "\n"


def extract_json(reply: str):
    """Parse a JSON value from `reply`, tolerating fences and prose around one object or array."""
    text = reply.strip()
    m = _FENCE.search(text)
    if m:
        text = m.group(2).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    for opener, closer in (("{", "}"), ("[", "]")):
        start, end = text.find(opener), text.rfind(closer)
        if start != -1 and end > start:
            try:
                return json.loads(text[start:end + 1])
            except json.JSONDecodeError:
                continue
    raise ValueError(f"reply is not JSON: {reply[:200]!r}")


def defines_function(code: str, name: str) -> bool:
    try:
        tree = pyparse.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name for n in tree.body)


def without_docstrings(code: str) -> str:
    """`code` with its functions' and classes' docstrings left out (comments go too: it is re-printed from
    the syntax tree). Unparseable code is returned as it is."""
    try:
        tree = pyparse.parse(code)
    except SyntaxError:
        return code
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body and \
                isinstance(node.body[0], ast.Expr) and isinstance(getattr(node.body[0], "value", None), ast.Constant) \
                and isinstance(node.body[0].value.value, str):
            node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree) + "\n"
