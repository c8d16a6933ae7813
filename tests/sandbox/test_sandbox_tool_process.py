"""verify_tool runs tool code in its own process: memory and pytest tampering cannot forge a verdict."""
from __future__ import annotations

CODE = "def is_even(n: int) -> bool:\n    return n % 2 == 0\n"
WRONG = "def is_even(n: int) -> bool:\n    return n % 2 == 1\n"
TESTS = """from is_even import is_even

def test_zero():
    assert is_even(0) is True

def test_one():
    assert is_even(1) is False
"""

# Scan the heap for the report nonce (32 hex chars in some object's __dict__) and for small ints that may
# be the report pipe; write a complete passing report and exit line with every candidate, then leave.
# Run inside the pytest process (as before), this forges a pass.
GC_FORGE = '''\
import ast, gc, json, os, re
_hex = re.compile('[0-9a-f]{32}')
_found = []
for _o in gc.get_objects():
    if isinstance(_o, dict):
        try:
            _vals = list(_o.values())
        except Exception:
            continue
        _n = [v for v in _vals if isinstance(v, str) and _hex.fullmatch(v)]
        if _n:
            _found.append((_n[0], [v for v in _vals if type(v) is int and 2 < v < 256] or list(range(3, 64))))
_tree = ast.parse(open('test_is_even.py').read())
_ids = ['test_is_even.py::' + n.name for n in _tree.body if isinstance(n, ast.FunctionDef)]
for _nonce, _fds in _found:
    _rep = {'event': 'report', 'nonce': _nonce, 'exitstatus': 0, 'items': _ids, 'testsfailed': 0,
            'tests': [{'nodeid': i, 'outcome': 'passed', 'message': '', 'called': True} for i in _ids],
            'collection_errors': []}
    _line = (json.dumps(_rep) + '\\n' + json.dumps({'event': 'exit', 'nonce': _nonce, 'code': 0}) + '\\n')
    for _fd in _fds:
        try:
            os.write(_fd, _line.encode())
        except OSError:
            pass
print('nonce candidates found:', len(_found))
'''

# Reach pytest through sys.modules with a name the static import check cannot see, and make every test
# report pass (importing it if it is not there yet: in a separate process that changes nothing).
# Run inside the pytest process (as before), this forges a pass.
PYTEST_PATCH = '''\
import sys
_name = '_py' + 'test'
_reports = sys.modules.get(_name + '.reports') or __import__(_name + '.reports', fromlist=['x'])
_init = _reports.TestReport.__init__
def _passing(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.outcome, self.longrepr = 'passed', None
_reports.TestReport.__init__ = _passing
'''


def verify(sandbox, code=CODE, tests=TESTS, **kw):
    return sandbox.verify_tool("is_even", code, tests, **kw)


def test_heap_scan_for_the_nonce_cannot_forge_a_pass(sandbox):
    r = verify(sandbox, code=GC_FORGE + WRONG)
    assert r["success"] is False
    assert r["tests_failed"] == 2, r
    r = verify(sandbox, code=GC_FORGE + CODE)  # the same scan beside a correct body changes nothing
    assert r["success"] is True, r


def test_heap_scan_then_exit_does_not_verify(sandbox):
    r = verify(sandbox, code=GC_FORGE + "import os\nos._exit(0)\n")
    assert r["success"] is False
    assert "did not finish" in r["error"]


def test_patching_pytest_through_sys_modules_changes_nothing(sandbox):
    r = verify(sandbox, code=PYTEST_PATCH + WRONG)
    assert r["success"] is False
    assert r["tests_failed"] == 2, r
    r = verify(sandbox, code=PYTEST_PATCH + CODE)
    assert r["success"] is True, r


def test_killing_the_pytest_process_fails(sandbox):
    code = "import os\ndef is_even(n):\n    os.kill(os.getppid(), 9)\n    return n % 2 == 0\n"
    r = verify(sandbox, code=code)
    assert r["success"] is False
    assert "did not finish" in r["error"]


def test_the_pytest_process_is_not_readable_from_the_tool(sandbox):
    code = ("import os\n"
            "def probe():\n"
            "    out = []\n"
            "    for what in ('mem', 'environ', 'fd/1'):\n"
            "        try:\n"
            "            open(f'/proc/{os.getppid()}/{what}', 'rb').close()\n"
            "            out.append(what + ': open')\n"
            "        except OSError as exc:\n"
            "            out.append(what + ': ' + type(exc).__name__)\n"
            "    return out\n")
    tests = ("from probe import probe\n\ndef test_blocked():\n"
             "    assert probe() == ['mem: PermissionError', 'environ: PermissionError', 'fd/1: PermissionError']\n")
    r = sandbox.verify_tool("probe", code, tests)
    assert r["success"] is True, r


def test_exceptions_keep_their_type_and_message(sandbox):
    code = ("class BadInput(ValueError):\n    pass\n\n"
            "def parse(s):\n"
            "    if s == 'key':\n        raise KeyError('missing')\n"
            "    if s == 'bad':\n        raise BadInput('bad input: ' + s)\n"
            "    if s == 'zero':\n        return 1 / 0\n"
            "    if s == 'exit':\n        raise SystemExit(3)\n"
            "    return int(s)\n")
    tests = ("import pytest\nimport parse as tool\nfrom parse import parse, BadInput\n\n"
             "def test_value_error():\n    with pytest.raises(ValueError, match='invalid literal'):\n"
             "        parse('x')\n\n"
             "def test_key_error():\n    with pytest.raises(KeyError) as info:\n        parse('key')\n"
             "    assert info.value.args == ('missing',)\n\n"
             "def test_zero_division():\n    with pytest.raises(ZeroDivisionError):\n        parse('zero')\n\n"
             "def test_own_exception_class():\n    with pytest.raises(BadInput, match='bad input: bad'):\n"
             "        parse('bad')\n    assert issubclass(tool.BadInput, ValueError)\n\n"
             "def test_system_exit_is_not_passed_through():\n    with pytest.raises(RuntimeError, match='SystemExit'):\n"
             "        parse('exit')\n\n"
             "def test_still_alive():\n    assert parse('42') == 42\n")
    r = sandbox.verify_tool("parse", code, tests)
    assert r["success"] is True, r


def test_values_round_trip_faithfully(sandbox):
    code = ("def echo(x):\n    return x\n\n"
            "def kinds(x):\n    return type(x).__name__\n\n"
            "def make():\n"
            "    return {'t': (1, 2), 's': {1, 2}, 'f': frozenset('ab'), 'b': b'\\x00\\xff', 'c': 1 + 2j,\n"
            "            (1, 'k'): None, 3: [1.5, float('inf'), -0.0], 'big': 10 ** 5000, 'ba': bytearray(b'x')}\n")
    tests = ("import math\nfrom echo import echo, kinds, make\n\n"
             "def test_round_trip():\n"
             "    v = make()\n"
             "    assert v == {'t': (1, 2), 's': {1, 2}, 'f': frozenset('ab'), 'b': b'\\x00\\xff', 'c': 1 + 2j,\n"
             "                 (1, 'k'): None, 3: [1.5, float('inf'), -0.0], 'big': 10 ** 5000,\n"
             "                 'ba': bytearray(b'x')}\n"
             "    assert type(v['t']) is tuple and type(v['f']) is frozenset and type(v['b']) is bytes\n"
             "    assert math.copysign(1, v[3][2]) == -1\n"
             "    assert math.isnan(echo(float('nan')))\n"
             "    assert echo(True) is True and echo(None) is None and type(echo(1)) is int\n\n"
             "def test_arguments_arrive_with_their_types():\n"
             "    assert kinds((1,)) == 'tuple' and kinds({1}) == 'set' and kinds(b'') == 'bytes'\n"
             "    assert kinds({1: 2}) == 'dict' and kinds(1.0) == 'float' and kinds(2j) == 'complex'\n")
    r = sandbox.verify_tool("echo", code, tests)
    assert r["success"] is True, r


def test_unencodable_values_fail_the_test_with_a_clear_message(sandbox):
    code = "def gen(n):\n    return (i for i in range(n))\n\ndef call(f):\n    return f()\n"
    tests = ("from gen import gen, call\n\n"
             "def test_generator_result():\n    assert list(gen(2)) == [0, 1]\n\n"
             "def test_function_argument():\n    assert call(lambda: 1) == 1\n")
    r = sandbox.verify_tool("gen", code, tests)
    assert r["success"] is False
    assert r["tests_failed"] == 2
    messages = {t["nodeid"].split("::")[1]: t["message"] for t in r["tests"]}
    assert "generator cannot cross" in messages["test_generator_result"]
    assert "cannot pass an argument" in messages["test_function_argument"]


def test_dates_cross_as_iso_text_in_tests_as_they_do_for_users(sandbox):
    """`run_tool` hands a user a date as its ISO 8601 text (JSON has no dates); verification observes the
    same, so a tool is judged on what its users get."""
    code = ("import datetime\n\ndef later(day, n):\n"
            "    return datetime.date.fromisoformat(day) + datetime.timedelta(days=n)\n\n"
            "def stamp():\n    return (datetime.datetime(2024, 2, 29, 13, 5), datetime.time(7, 30))\n")
    tests = ("from later import later, stamp\n\n"
             "def test_date():\n    assert later('2024-01-15', 45) == '2024-02-29'\n\n"
             "def test_datetime_and_time():\n    assert stamp() == ('2024-02-29T13:05:00', '07:30:00')\n")
    r = sandbox.verify_tool("later", code, tests)
    assert r["success"] is True, r
    assert sandbox.run_tool("later", code, {"day": "2024-01-15", "n": 45})["result"] == "2024-02-29"


def test_tool_output_is_captured_per_test(sandbox):
    code = "def is_even(n):\n    print('checking', n)\n    return n % 2 == 1\n"
    r = verify(sandbox, code=code)
    assert r["success"] is False
    assert "checking 0" in r["output"]
