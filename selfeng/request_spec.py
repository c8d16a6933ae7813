"""A request that already contains a Python function stub is its own spec, kept verbatim.

"Create a function:\\n def has_close_elements(numbers: List[float], threshold: float) -> bool: \"\"\"...>>> ...\"\"\""
says more than any one-sentence spec a model would write: the exact name, types, the whole docstring and
its examples. Asking the model to restate it only loses information.
"""
from __future__ import annotations

import ast
import inspect
import re
from . import pyparse

_CODE_START = re.compile(r"^(from\s+\S+\s+import\s|import\s|def\s|@|class\s)", re.M)


def spec_from_request(request: str) -> dict | None:
    """The spec of the last stub (a def whose body is only a docstring or `...`) in the request, or None.

    Code before it (imports, helper functions) is kept as `preamble`: implementations may rely on it.
    The code as the user wrote it is kept as `stub`: implementations are drawn by completing it, the
    form a code model has seen most, rather than from the spec re-rendered (a de-indented docstring
    under a bare `def` line draws worse code: HumanEval/148).
    """
    parsed = _parse_code(request)
    if parsed is None:
        return None
    module, source = parsed
    stubs = [n for n in module.body if isinstance(n, ast.FunctionDef) and _is_stub(n)]
    if not stubs:
        return None
    fn = stubs[-1]
    doc = inspect.cleandoc(ast.get_docstring(fn, clean=False) or "")
    if not doc or fn.args.vararg or fn.args.kwarg or fn.args.posonlyargs or fn.args.kwonlyargs:
        return None
    params = [{"name": a.arg, "type": ast.unparse(a.annotation) if a.annotation else "Any", "description": ""}
              for a in fn.args.args]
    preamble = [ast.unparse(n) for n in module.body if n is not fn and not _is_stub(n)]
    return {"function_name": fn.name, "parameters": params,
            "return_type": ast.unparse(fn.returns) if fn.returns else "Any", "docstring": doc,
            "preamble": "\n\n".join(preamble), "stub": source.strip("\n") + "\n"}


def _parse_code(request: str) -> tuple[ast.Module, str] | None:
    """The request's code (from its first line that starts code to the end) and that source text."""
    for m in _CODE_START.finditer(request):
        try:
            return pyparse.parse(request[m.start():]), request[m.start():]
        except SyntaxError:
            continue
    return None


def _is_stub(node: ast.AST) -> bool:
    if not isinstance(node, ast.FunctionDef):
        return False
    body = list(node.body)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return all(isinstance(s, ast.Pass) or (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                                           and s.value.value is Ellipsis) for s in body)


def with_preamble(spec: dict, code: str) -> str:
    """The implementation with the request's own imports and helpers in front (its own definitions win)."""
    preamble = (spec.get("preamble") or "").strip()
    return f"{preamble}\n\n\n{code}" if preamble else code
