"""verify_tool: honest verdicts, and every known way of gaming a test verifier."""
from __future__ import annotations

import pytest

CODE = "def is_even(n: int) -> bool:\n    return n % 2 == 0\n"
WRONG = "def is_even(n: int) -> bool:\n    return n % 2 == 1\n"
TESTS = """from is_even import is_even

def test_zero():
    assert is_even(0) is True

def test_one():
    assert is_even(1) is False

def test_big():
    assert is_even(10 ** 6) is True
"""


def verify(sandbox, code=CODE, tests=TESTS, **kw):
    return sandbox.verify_tool("is_even", code, tests, **kw)


def assert_refused_or_failed(r):
    assert r["success"] is False
    assert r["error"]


# -- honest verdicts --------------------------------------------------------------------------------

def test_correct_tool_verifies_with_counts(sandbox):
    r = verify(sandbox)
    assert r["success"] is True, r
    assert r["error"] is None
    assert (r["tests_collected"], r["tests_passed"], r["tests_failed"]) == (3, 3, 0)
    assert (r["tests_skipped"], r["tests_errors"], r["collection_errors"]) == (0, 0, 0)
    assert [t["outcome"] for t in r["tests"]] == ["passed"] * 3
    assert {t["nodeid"] for t in r["tests"]} == {f"test_is_even.py::{n}" for n in ("test_zero", "test_one",
                                                                                   "test_big")}
    assert "3 passed" in r["output"]
    assert r["duration_s"] > 0


def test_wrong_tool_fails_with_per_test_messages(sandbox):
    r = verify(sandbox, code=WRONG)
    assert r["success"] is False
    assert r["tests_collected"] == 3 and r["tests_failed"] == 3 and r["tests_passed"] == 0
    for t in r["tests"]:
        assert t["outcome"] == "failed"
        assert "assert" in t["message"] and len(t["message"]) <= 700
    assert "3 of 3 tests did not pass" in r["error"]


def test_parametrized_and_class_tests_count(sandbox):
    tests = ("import pytest\nfrom is_even import is_even\n\n"
             "@pytest.mark.parametrize('n', [0, 2, 4])\n"
             "def test_evens(n):\n    assert is_even(n)\n\n"
             "class TestOdd:\n    def test_one(self):\n        assert not is_even(1)\n")
    r = verify(sandbox, tests=tests)
    assert r["success"] is True, r
    assert r["tests_collected"] == r["tests_passed"] == 4


def test_data_files_sit_beside_the_tests(sandbox):
    code = "import json\ndef total(path):\n    return sum(json.load(open(path)))\n"
    tests = "from total import total\n\ndef test_total():\n    assert total('data/nums.json') == 6\n"
    r = sandbox.verify_tool("total", code, tests, data_files={"data/nums.json": "[1, 2, 3]"})
    assert r["success"] is True, r


def test_extra_modules_are_importable(sandbox):
    code = "from is_even import is_even\n\ndef is_odd(n):\n    return not is_even(n)\n"
    tests = "from is_odd import is_odd\n\ndef test_odd():\n    assert is_odd(3)\n"
    r = sandbox.verify_tool("is_odd", code, tests, extra_modules={"is_even": CODE})
    assert r["success"] is True, r


def test_a_test_that_hangs_times_out(settings, sandbox):
    settings.sandbox_timeout = 2
    r = verify(sandbox, code="def is_even(n):\n    while True:\n        pass\n")
    assert r["success"] is False
    assert "timed out" in r["error"]


# -- gaming the verifier ----------------------------------------------------------------------------

def test_skipped_tests_do_not_verify(sandbox):
    tests = TESTS + "\nimport pytest\n\ndef test_later():\n    pytest.skip('not today')\n"
    r = verify(sandbox, tests=tests)
    assert r["success"] is False
    assert r["tests_skipped"] == 1 and r["tests_passed"] == 3
    assert any(t["outcome"] == "skipped" and "not today" in t["message"] for t in r["tests"])


def test_skip_raised_by_the_implementation_does_not_verify(sandbox):
    code = "import unittest\ndef is_even(n):\n    raise unittest.SkipTest('no')\n"
    r = verify(sandbox, code=code)
    assert r["success"] is False
    assert r["tests_skipped"] == 3


def test_module_level_skip_does_not_verify(sandbox):
    code = "import unittest\nraise unittest.SkipTest('skip the whole module')\n"
    r = verify(sandbox, code=code)
    assert r["success"] is False
    assert r["tests_passed"] == 0


def test_xfail_and_xpass_do_not_verify(sandbox):
    tests = TESTS + ("\nimport pytest\n\n@pytest.mark.xfail\ndef test_x():\n    assert is_even(3)\n\n"
                     "@pytest.mark.xfail\ndef test_y():\n    assert is_even(2)\n")
    r = verify(sandbox, tests=tests)
    assert r["success"] is False
    assert r["tests_xfailed"] == 1 and r["tests_xpassed"] == 1
    assert {t["outcome"] for t in r["tests"]} == {"passed", "xfailed", "xpassed"}


def test_zero_tests_do_not_verify(sandbox):
    r = verify(sandbox, tests="from is_even import is_even\n\ndef helper():\n    assert is_even(2)\n")
    assert r["success"] is False
    assert r["tests_collected"] == 0
    assert "no tests were collected" in r["error"]


def test_collection_error_does_not_verify(sandbox):
    r = verify(sandbox, code="def is_even(n):\n    return n %% 2\n")  # syntax error
    assert r["success"] is False
    assert r["collection_errors"] == 1
    assert "collection error" in r["error"]
    assert any(t["outcome"] == "collection_error" and "SyntaxError" in t["message"] for t in r["tests"])


def test_sys_exit_at_import_does_not_verify(sandbox):
    r = verify(sandbox, code="import sys\nsys.exit(0)\n" + CODE)
    assert r["success"] is False
    assert r["tests_passed"] == 0


def test_os_exit_in_a_test_does_not_verify(sandbox):
    code = "import os\ndef is_even(n):\n    os._exit(0)\n"
    r = verify(sandbox, code=code)
    assert r["success"] is False
    assert "did not finish" in r["error"]


def test_os_exit_at_import_does_not_verify(sandbox):
    r = verify(sandbox, code="import os\nos._exit(0)\n")
    assert r["success"] is False
    assert "did not finish" in r["error"]


def test_atexit_hooks_cannot_change_the_verdict(sandbox):
    # The harness leaves with os._exit after reporting, so planted exit hooks never run.
    r = verify(sandbox, code="import atexit, os\natexit.register(lambda: os._exit(0))\n" + WRONG)
    assert r["success"] is False and r["tests_failed"] == 3
    r = verify(sandbox, code="import atexit, os\natexit.register(lambda: os._exit(3))\n" + CODE)
    assert r["success"] is True, r


@pytest.mark.parametrize("where", ["extra_modules", "data_files", "data_files_subdir"])
def test_planted_conftest_is_refused(sandbox, where):
    conftest = ("import pytest\n@pytest.hookimpl(hookwrapper=True)\n"
                "def pytest_runtest_makereport(item, call):\n"
                "    outcome = yield\n    outcome.get_result().outcome = 'passed'\n")
    kw = {"extra_modules": {"conftest": conftest}, "data_files": {"conftest.py": conftest},
          "data_files_subdir": {"data_files": {"sub/conftest.py": conftest}}}
    args = kw[where] if where == "data_files_subdir" else {where: kw[where]}
    r = verify(sandbox, code=WRONG, **args)
    assert r["success"] is False
    assert r["error"].startswith("refused:")


@pytest.mark.parametrize("data_files", [{"json.py": "x = 1"}, {"../escape.csv": "a"}, {"/etc/x.csv": "a"},
                                        {"test_is_even.py": "def test_ok():\n    pass\n"}])
def test_code_or_escaping_data_files_are_refused(sandbox, data_files):
    r = verify(sandbox, data_files=data_files)
    assert r["success"] is False and r["error"].startswith("refused:")


def test_implementation_importing_the_test_runner_is_refused(sandbox):
    for code in ["import pytest\n" + CODE, "from _pytest import runner\n" + CODE,
                 "import sys\nR = sys.modules['_pytest.runner']\n" + CODE]:
        r = verify(sandbox, code=code)
        assert r["success"] is False and r["error"].startswith("refused:"), code


def test_rewriting_the_frozen_test_file_fails(sandbox):
    cheat = ("import glob\n"
             "for path in glob.glob('test_*.py'):\n"
             "    try:\n"
             "        open(path, 'w').write('def test_ok():\\n    pass\\n')\n"
             "    except OSError as exc:\n"
             "        print('blocked:', exc)\n")
    r = verify(sandbox, code=cheat + WRONG)
    assert r["success"] is False
    assert r["tests_failed"] == 3  # the original tests ran, unchanged
    assert "is_even(0) is True" in r["output"] and "test_ok" not in r["output"]


def test_forged_report_lines_are_ignored(sandbox):
    # Try every inherited descriptor with a report claiming success, then leave before pytest reports.
    forge = ("import json, os\n"
             "fake = {'event': 'report', 'nonce': '0' * 32, 'exitstatus': 0, 'items': ['test_is_even.py::test_zero'],"
             " 'tests': [{'nodeid': 'test_is_even.py::test_zero', 'outcome': 'passed', 'message': '', 'called': True}],"
             " 'collection_errors': []}\n"
             "for fd in range(3, 64):\n"
             "    try:\n"
             "        os.write(fd, (json.dumps(fake) + '\\n').encode())\n"
             "    except OSError:\n"
             "        pass\n")
    r = verify(sandbox, code=forge + WRONG)
    assert r["success"] is False and r["tests_failed"] == 3
    r = verify(sandbox, code=forge + "os._exit(0)\n")
    assert r["success"] is False and "did not finish" in r["error"]


def test_tests_defined_but_not_collected_are_caught(sandbox):
    # Tests the frozen file defines but pytest never collected (here: hidden by a name clash trick).
    tests = TESTS + "\ntest_big = None\n"
    r = verify(sandbox, tests=tests)
    assert r["tests_collected"] == 2
    assert r["success"] is False and "not collected" in r["error"]
