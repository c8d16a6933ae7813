"""Thin wrapper over `selfeng eval` for the benchmarks folder: the same tables and JSON.

    .venv/bin/python benchmarks/bench_eval.py humaneval [--every 4] [--limit N] [--json out.json]
    .venv/bin/python benchmarks/bench_eval.py requests [--split holdout] [--json out.json]   # the shipped set
"""
from __future__ import annotations

import sys
from pathlib import Path

from selfeng.cli import main

REQUESTS = Path(__file__).resolve().parent / "requests" / "requests.json"

if __name__ == "__main__":
    argv = sys.argv[1:] or ["humaneval"]
    if argv[0] == "requests" and (len(argv) == 1 or argv[1].startswith("-")):
        argv = ["requests", str(REQUESTS), *argv[1:]]
    sys.exit(main(["eval", *argv]))
