"""`ast.parse` and `ast.literal_eval` behind one process-wide lock.

CPython 3.11 keeps the AST constructor's recursion depth in interpreter-wide state, so two threads
parsing at once can fail with "SystemError: AST constructor recursion depth mismatch" (python/cpython
#106905; seen here on 3.11.7 when twenty workflow sessions ended at once). The web server, the job
runner and the workflow tracker parse tool code on several threads; parsing is short, so one lock costs
nothing measurable.
"""
from __future__ import annotations

import ast
import threading
from typing import Any

_LOCK = threading.Lock()


def parse(source: str, *args: Any, **kwargs: Any) -> ast.AST:
    with _LOCK:
        return ast.parse(source, *args, **kwargs)


def literal_eval(node_or_string: Any) -> Any:
    with _LOCK:
        return ast.literal_eval(node_or_string)
