"""run_tool happy paths and error classification, data paths, backend selection."""
from __future__ import annotations

import os

import pytest

from selfeng.config import load_settings
from selfeng.sandbox import DataPathError, SandboxError, SecureSandbox
from selfeng.sandbox import bwrap

ADD = "def add(a: int, b: int = 0) -> int:\n    return a + b\n"


def test_run_returns_result(sandbox):
    r = sandbox.run_tool("add", ADD, {"a": 2, "b": 40})
    assert r["success"] is True
    assert r["result"] == 42
    assert r["error"] is None and r["error_type"] is None
    assert r["duration_ms"] > 0


def test_run_captures_stdout_apart_from_result(sandbox):
    code = "def shout(word):\n    print('log line', word)\n    return word.upper()\n"
    r = sandbox.run_tool("shout", code, {"word": "hi"})
    assert r["result"] == "HI"
    assert "log line hi" in r["stdout"]


@pytest.mark.parametrize("arguments", [{"a": 1, "c": 2}, {}, {"b": 2}])
def test_argument_mismatch(sandbox, arguments):
    r = sandbox.run_tool("add", ADD, arguments)
    assert r["success"] is False
    assert r["error_type"] == "argument_mismatch"
    assert "add(a: int, b: int = 0)" in r["error"]


def test_type_error_inside_the_body_is_a_runtime_error(sandbox):
    code = "def f(x):\n    return x + 'a'\n"
    r = sandbox.run_tool("f", code, {"x": 1})
    assert r["error_type"] == "runtime_error"
    assert "TypeError" in r["error"]


def test_runtime_error(sandbox):
    r = sandbox.run_tool("div", "def div(a, b):\n    return a / b\n", {"a": 1, "b": 0})
    assert r["success"] is False
    assert r["error_type"] == "runtime_error"
    assert "ZeroDivisionError" in r["error"]


def test_import_error_and_sys_exit_are_runtime_errors(sandbox):
    r = sandbox.run_tool("f", "import no_such_module_xyz\ndef f():\n    return 1\n", {})
    assert r["error_type"] == "runtime_error" and "ModuleNotFoundError" in r["error"]
    r = sandbox.run_tool("g", "import sys\ndef g():\n    sys.exit(0)\n", {})
    assert r["success"] is False and r["error_type"] == "runtime_error" and "SystemExit" in r["error"]


def test_os_exit_without_result_is_a_runtime_error(sandbox):
    r = sandbox.run_tool("g", "import os\ndef g():\n    os._exit(0)\n", {})
    assert r["success"] is False and r["error_type"] == "runtime_error"
    assert "without a result" in r["error"]


def test_results_are_converted_to_json(sandbox):
    code = ("import datetime\n"
            "def f():\n"
            "    return {'t': (1, 2), 's': {3, 1, 2}, 1: 'int key', 'd': datetime.date(2024, 1, 2),"
            " 'nan': float('nan')}\n")
    r = sandbox.run_tool("f", code, {})
    assert r["success"] is True
    res = r["result"]
    assert res["t"] == [1, 2] and res["s"] == [1, 2, 3] and res["1"] == "int key"
    assert res["d"] == "2024-01-02"
    assert res["nan"] != res["nan"]  # NaN survives the trip


def test_unserialisable_result_is_reported(sandbox):
    r = sandbox.run_tool("f", "def f():\n    return object()\n", {})
    assert r["success"] is False
    assert r["error_type"] == "runtime_error"
    assert "not JSON-serialisable" in r["error"]


def test_unserialisable_arguments_are_refused(sandbox):
    r = sandbox.run_tool("add", ADD, {"a": object()})
    assert r["error_type"] == "argument_mismatch"


def test_timeout_kills_fast(sandbox):
    r = sandbox.run_tool("spin", "def spin():\n    while True:\n        pass\n", {}, timeout=1)
    assert r["success"] is False
    assert r["error_type"] == "timeout"
    assert r["duration_ms"] < 10_000  # generous containment bound, not a speed goal


def test_cpu_limit_is_reported_as_timeout(settings):
    settings.sandbox_cpu_seconds = 1
    r = SecureSandbox(settings).run_tool("spin", "def spin():\n    while True:\n        pass\n", {}, timeout=20)
    assert r["error_type"] == "timeout"
    assert "CPU time limit" in r["error"]


def test_extra_modules_are_importable(sandbox):
    helper = "def double(x):\n    return 2 * x\n"
    code = "from double import double\n\ndef quad(x):\n    return double(double(x))\n"
    r = sandbox.run_tool("quad", code, {"x": 3}, extra_modules={"double": helper})
    assert r["result"] == 12


@pytest.mark.parametrize("name", ["os", "json", "conftest", "pytest", "not-an-identifier", "run_harness"])
def test_names_that_would_shadow_modules_are_refused(sandbox, name):
    with pytest.raises(ValueError):
        sandbox.run_tool(name, "def f():\n    return 1\n", {})


def test_tools_read_user_files_by_checked_path(sandbox, settings):
    (settings.files_dir / "sales.csv").write_text("region,amount\nnorth,3\nsouth,4\n")
    path = sandbox.check_data_path("sales.csv")
    assert path == settings.files_dir / "sales.csv"
    code = ("import csv\n"
            "def total(csv_path):\n"
            "    with open(csv_path) as f:\n"
            "        return sum(int(r['amount']) for r in csv.DictReader(f))\n")
    r = sandbox.run_tool("total", code, {"csv_path": str(path)})
    assert r["result"] == 7


def test_data_path_checks(sandbox, settings, tmp_path):
    (settings.files_dir / "sub").mkdir()
    (settings.files_dir / "sub" / "a.json").write_text("{}")
    assert sandbox.check_data_path("sub/a.json") == settings.files_dir / "sub" / "a.json"
    assert sandbox.check_data_path(str(settings.files_dir / "sub" / "a.json")).is_file()
    assert sandbox.check_data_path("data/sub/a.json") == settings.files_dir / "sub" / "a.json"
    outside = tmp_path / "outside.csv"
    outside.write_text("x\n")
    for bad in ["../outside.csv", "../../outside.csv", "sub/../../selfeng.db", str(outside), "/etc/passwd",
                "missing.csv", "sub"]:
        with pytest.raises(DataPathError):
            sandbox.check_data_path(bad)
    (settings.files_dir / "link.csv").symlink_to(outside)
    with pytest.raises(DataPathError):
        sandbox.check_data_path("link.csv")  # a symlink out of the data directory is outside


def test_unknown_backend_raises_sandbox_error(tmp_path):
    s = load_settings(env={"SELFENG_DATA_DIR": str(tmp_path)}, env_file=os.devnull, sandbox_backend="nope")
    with pytest.raises(SandboxError, match="unknown sandbox backend"):
        SecureSandbox(s)


@pytest.mark.backends("bwrap")
def test_missing_bwrap_raises_sandbox_error_naming_the_package(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(bwrap, "SEARCH_PATH", str(tmp_path))  # a directory without bwrap
    with pytest.raises(SandboxError, match="apt-get install bubblewrap"):
        SecureSandbox(settings)


@pytest.mark.backends("docker")
def test_missing_docker_engine_raises_sandbox_error_saying_how_to_start_one(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    monkeypatch.setattr("selfeng.sandbox.docker_engine.DEFAULT_SOCKET", str(tmp_path / "none.sock"))
    with pytest.raises(SandboxError, match="docker_engine start"):
        SecureSandbox(settings)


@pytest.mark.backends("docker")
def test_the_seeds_image_api(sandbox):
    from selfeng.sandbox.docker_image import image_tag
    assert sandbox.ensure_image_exists() is False  # built once per recipe hash, then reused
    assert sandbox.backend.image == image_tag() and image_tag().startswith("selfeng-sandbox:")


@pytest.mark.backends("bwrap")
def test_sandbox_setup_failure_raises_instead_of_running_unsandboxed(settings):
    sb = SecureSandbox(settings)
    sb.backend.bins["setpriv"] = "/nonexistent/setpriv"  # a broken installation: bwrap cannot exec it
    with pytest.raises(SandboxError, match="failed to start"):
        sb.run_tool("add", ADD, {"a": 1})
