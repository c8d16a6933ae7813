"""Sandbox overhead: run_tool vs a plain python subprocess, verify_tool vs plain `python -m pytest`.

Usage: python benchmarks/bench_sandbox.py [--runs 30] [--verify-runs 12]
Targets: run_tool median <= 60 ms; verify_tool median <= 1.15x plain pytest on the same files.
Both sides write the same files to a fresh temporary directory per run, so only isolation differs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from selfeng.config import load_settings  # noqa: E402
from selfeng.sandbox import SecureSandbox  # noqa: E402

CODE = '''\
def word_stats(text: str, top: int = 3) -> dict:
    """Count words and return the most frequent ones."""
    from collections import Counter
    words = [w.strip(".,!?").lower() for w in text.split()]
    words = [w for w in words if w]
    return {"count": len(words), "top": Counter(words).most_common(top)}
'''
TESTS = '''\
import pytest
from word_stats import word_stats

def test_counts_words():
    assert word_stats("a b a")["count"] == 3

def test_top_words():
    assert word_stats("x y x z x y", top=2)["top"] == [("x", 3), ("y", 2)]

def test_punctuation_is_stripped():
    assert word_stats("Hi, hi! HI.")["top"] == [("hi", 3)]

def test_empty_text():
    assert word_stats("") == {"count": 0, "top": []}

@pytest.mark.parametrize("n", [1, 2, 5])
def test_top_limit(n):
    assert len(word_stats("a b c d e f", top=n)["top"]) == n
'''
ARGS = {"text": "the cat and the hat and the bat", "top": 2}
PLAIN_CALL = ("import json, sys\nsys.path.insert(0, '.')\nfrom word_stats import word_stats\n"
              "print(json.dumps(word_stats(**json.loads(sys.argv[1]))))")


def _paired(a, b, runs: int) -> tuple[list[float], list[float]]:
    """Alternate a and b so both see the same machine load; wall milliseconds of each."""
    a(), b()  # warm caches once
    wall_a, wall_b = [], []
    for _ in range(runs):
        for fn, wall in ((a, wall_a), (b, wall_b)):
            t = time.perf_counter()
            fn()
            wall.append((time.perf_counter() - t) * 1000)
    return wall_a, wall_b


def _in_fresh_dir(files: dict[str, str], cmd: list[str], env: dict | None = None) -> None:
    d = tempfile.mkdtemp(prefix="selfeng-bench-")
    try:
        for name, content in files.items():
            Path(d, name).write_text(content)
        subprocess.run(cmd, cwd=d, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    finally:
        shutil.rmtree(d)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--verify-runs", type=int, default=12)
    opts = ap.parse_args()

    data = tempfile.mkdtemp(prefix="selfeng-bench-data-")
    sb = SecureSandbox(load_settings(env={"SELFENG_DATA_DIR": data}, env_file=os.devnull))
    check = sb.run_tool("word_stats", CODE, ARGS)
    assert check["success"], check
    verdict = sb.verify_tool("word_stats", CODE, TESTS)
    assert verdict["success"], verdict

    py = sys.executable
    med = statistics.median
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    ws, wp = _paired(lambda: sb.run_tool("word_stats", CODE, ARGS),
                             lambda: _in_fresh_dir({"word_stats.py": CODE},
                                                   [py, "-B", "-c", PLAIN_CALL, json.dumps(ARGS)]), opts.runs)
    print(f"run_tool     median {med(ws):6.1f} ms  plain python subprocess {med(wp):6.1f} ms  "
          f"overhead {med(ws) - med(wp):+6.1f} ms  (paired median {med(x - y for x, y in zip(ws, wp)):+.1f} ms)"
          f"  ({opts.runs} runs; target <= 60 ms)")

    files = {"word_stats.py": CODE, "test_word_stats.py": TESTS}
    pytest_cmd = [py, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_word_stats.py"]
    no_plugins = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    for label, env in (("plain pytest", None), ("plain pytest, no plugin autoload", no_plugins)):
        ws, wp = _paired(lambda: sb.verify_tool("word_stats", CODE, TESTS),
                                 lambda: _in_fresh_dir(files, pytest_cmd, env), opts.verify_runs)
        print(f"verify_tool  median {med(ws):6.1f} ms  {label} {med(wp):6.1f} ms  ratio {med(ws) / med(wp):.2f}x"
              f"  (paired median ratio {med(x / y for x, y in zip(ws, wp)):.2f}x)"
              f"  ({opts.verify_runs} runs; target <= 1.15x)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
