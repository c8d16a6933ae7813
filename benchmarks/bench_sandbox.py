"""Sandbox overhead per backend: run_tool vs a plain python subprocess, verify_tool vs plain pytest,
and the Docker backend against bubblewrap on the same files.

Usage: python benchmarks/bench_sandbox.py [--backend bwrap|docker|both] [--runs 30] [--verify-runs 12]
                                          [--build-image]
Targets: bwrap run_tool median <= 60 ms and verify_tool <= 1.15x plain pytest; docker warm run_tool
<= 150 ms and verify_tool <= 2x bwrap (paired, alternating, median).
Both sides write the same files to a fresh temporary directory per run, so only isolation differs.
"Warm" docker figures wait (untimed) for a pre-started container before each request; the back-to-back
figure does not wait, so it includes waiting for the pool to refill.
--build-image removes this recipe's image and cached root filesystem and times build_image() from
scratch (as on a fresh machine, engine running). The docker backend needs an engine: DOCKER_HOST, the
default socket, or `python -m selfeng.sandbox.docker_engine start`.
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


def _paired(a, b, runs: int, before=None) -> tuple[list[float], list[float]]:
    """Alternate a and b so both see the same machine load; wall milliseconds of each.

    `before` runs (untimed) ahead of each call of a, e.g. to wait for a warm container."""
    (before or (lambda: None))()
    a(), b()  # warm caches once
    wall_a, wall_b = [], []
    for _ in range(runs):
        (before or (lambda: None))()
        for fn, wall in ((a, wall_a), (b, wall_b)):
            t = time.perf_counter()
            fn()
            wall.append((time.perf_counter() - t) * 1000)
    return wall_a, wall_b


def _timed(fn, runs: int, before=None) -> list[float]:
    out = []
    for _ in range(runs):
        (before or (lambda: None))()
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _in_fresh_dir(files: dict[str, str], cmd: list[str], env: dict | None = None) -> None:
    d = tempfile.mkdtemp(prefix="selfeng-bench-")
    try:
        for name, content in files.items():
            Path(d, name).write_text(content)
        subprocess.run(cmd, cwd=d, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    finally:
        shutil.rmtree(d)


def _sandbox(backend: str, data: str) -> SecureSandbox:
    sb = SecureSandbox(load_settings(env={"SELFENG_DATA_DIR": data, "SELFENG_SANDBOX": backend},
                                     env_file=os.devnull))
    check = sb.run_tool("word_stats", CODE, ARGS)
    assert check["success"], check
    verdict = sb.verify_tool("word_stats", CODE, TESTS)
    assert verdict["success"], verdict
    return sb


def bench_bwrap(sb: SecureSandbox, opts) -> None:
    py, med = sys.executable, statistics.median
    ws, wp = _paired(lambda: sb.run_tool("word_stats", CODE, ARGS),
                     lambda: _in_fresh_dir({"word_stats.py": CODE},
                                           [py, "-B", "-c", PLAIN_CALL, json.dumps(ARGS)]), opts.runs)
    print(f"bwrap  run_tool     median {med(ws):6.1f} ms  plain python subprocess {med(wp):6.1f} ms  "
          f"overhead {med(ws) - med(wp):+6.1f} ms  (paired median {med(x - y for x, y in zip(ws, wp)):+.1f} ms)"
          f"  ({opts.runs} runs; target <= 60 ms)")
    files = {"word_stats.py": CODE, "test_word_stats.py": TESTS}
    pytest_cmd = [py, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_word_stats.py"]
    no_plugins = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    for label, env in (("plain pytest", None), ("plain pytest, no plugin autoload", no_plugins)):
        ws, wp = _paired(lambda: sb.verify_tool("word_stats", CODE, TESTS),
                         lambda: _in_fresh_dir(files, pytest_cmd, env), opts.verify_runs)
        print(f"bwrap  verify_tool  median {med(ws):6.1f} ms  {label} {med(wp):6.1f} ms  "
              f"ratio {med(ws) / med(wp):.2f}x  (paired median ratio {med(x / y for x, y in zip(ws, wp)):.2f}x)"
              f"  ({opts.verify_runs} runs; target <= 1.15x)")


def bench_docker(sd: SecureSandbox, sb: SecureSandbox | None, opts) -> None:
    py, med = sys.executable, statistics.median
    warm = lambda: sd.backend.wait_ready(1)  # noqa: E731 - untimed: a pre-started container is there
    wd, wp = _paired(lambda: sd.run_tool("word_stats", CODE, ARGS),
                     lambda: _in_fresh_dir({"word_stats.py": CODE},
                                           [py, "-B", "-c", PLAIN_CALL, json.dumps(ARGS)]), opts.runs, warm)
    print(f"docker run_tool     warm median {med(wd):6.1f} ms  plain python subprocess {med(wp):6.1f} ms  "
          f"({opts.runs} runs; target <= 150 ms)")
    b2b = _timed(lambda: sd.run_tool("word_stats", CODE, ARGS), opts.runs)
    print(f"docker run_tool     back-to-back median {med(b2b):6.1f} ms, max {max(b2b):.1f} ms "
          f"(no waiting for the pool of {len(sd.backend._pool().ready) or 'its'} containers)")
    if sb is not None:
        wd, wb = _paired(lambda: sd.verify_tool("word_stats", CODE, TESTS),
                         lambda: sb.verify_tool("word_stats", CODE, TESTS), opts.verify_runs, warm)
        print(f"docker verify_tool  warm median {med(wd):6.1f} ms  bwrap {med(wb):6.1f} ms  "
              f"ratio {med(wd) / med(wb):.2f}x  (paired median ratio {med(x / y for x, y in zip(wd, wb)):.2f}x)"
              f"  ({opts.verify_runs} runs; target <= 2x)")
    files = {"word_stats.py": CODE, "test_word_stats.py": TESTS}
    pytest_cmd = [py, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_word_stats.py"]
    no_plugins = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    wd, wp = _paired(lambda: sd.verify_tool("word_stats", CODE, TESTS),
                     lambda: _in_fresh_dir(files, pytest_cmd, no_plugins), opts.verify_runs, warm)
    print(f"docker verify_tool  warm median {med(wd):6.1f} ms  plain pytest, no plugin autoload {med(wp):6.1f} ms  "
          f"ratio {med(wd) / med(wp):.2f}x  ({opts.verify_runs} runs)")


def bench_build(sd: SecureSandbox) -> None:
    from selfeng.sandbox import docker_image
    backend = sd.backend
    from selfeng.sandbox.docker import close_pools
    close_pools()
    subprocess.run([*backend.docker, "rmi", "-f", backend.image], capture_output=True)
    cached = Path(backend.settings.cache_dir) / "docker" / f"rootfs-{docker_image.recipe_hash()}.tar"
    cached.unlink(missing_ok=True)
    backend._image_checked = False
    t = time.perf_counter()
    sd.build_image()
    print(f"docker build_image() from scratch: {time.perf_counter() - t:.1f} s "
          f"(mmdebstrap + docker import; {cached.stat().st_size / 1e6:.0f} MB root filesystem)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=["bwrap", "docker", "both"], default="bwrap")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--verify-runs", type=int, default=12)
    ap.add_argument("--build-image", action="store_true")
    opts = ap.parse_args()

    data = tempfile.mkdtemp(prefix="selfeng-bench-data-")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    sb = _sandbox("bwrap", data) if opts.backend in ("bwrap", "both") else None
    if sb is not None:
        bench_bwrap(sb, opts)
    if opts.backend in ("docker", "both"):
        sd = _sandbox("docker", data)
        if opts.build_image:
            bench_build(sd)
        bench_docker(sd, sb, opts)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
