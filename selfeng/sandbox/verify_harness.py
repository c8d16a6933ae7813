"""Runs *inside* the sandbox: pytest on the frozen test file, reporting through an inherited pipe.

Standalone on purpose (stdlib + pytest, no selfeng import). Why the report cannot be faked cheaply:
- the plugin is an object handed to `pytest.main(plugins=...)`, not a module found on sys.path, so nothing
  in the job directory can shadow it; `--noconftest` and `-c /dev/null` keep every other config out;
- the report goes to a pipe the parent created, tagged with a nonce read from a second pipe that is
  closed before any tool code is imported (it is never in argv, the environment or a file);
- it is written at `pytest_sessionfinish` only, so `sys.exit`/`os._exit` during import or a test leaves
  the parent with no (or an incomplete) report, which it treats as failure;
- after pytest returns, the harness reports pytest's exit code and leaves with `os._exit`: atexit hooks
  and finalizers planted by the tool never run, and the parent need not wait for the sandbox teardown;
- tool code never runs in this process: before the nonce is read, tool_server.py forks a tool process
  that imports the implementation and extra modules, and the tests reach them through proxy modules
  over pipes. This process is non-dumpable, so the child cannot read its memory or reopen its pipes
  through /proc; the worst the child can do is kill it, which leaves no report (= failure).
"""
import json
import os
import signal
import sys

MESSAGE_CHARS = 600
MAX_CALLS = 20  # observed calls kept per test


def _arg(name: str) -> str:
    return sys.argv[sys.argv.index(name) + 1]


def _add_site_packages() -> None:
    """The interpreter starts with -S (faster); put the installed packages back on sys.path."""
    for d in _arg("--site-packages").split(os.pathsep):
        if d and d not in sys.path:
            sys.path.append(d)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _short(text: str) -> str:
    text = (text or "").strip()
    return text if len(text) <= MESSAGE_CHARS else "..." + text[-MESSAGE_CHARS:]


def _message(report) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # skip: (path, line, reason)
        return _short(str(longrepr[2]))
    # With --tb=short the last block of `E ...` lines explains the failure; keep it with the two lines
    # before it (location and source line).
    lines = (getattr(report, "longreprtext", "") or str(longrepr)).strip().splitlines()
    end = len(lines)
    while end and not lines[end - 1].startswith("E "):
        end -= 1
    if not end:
        return _short("\n".join(lines[-10:]))
    start = end
    while start and lines[start - 1].startswith("E "):
        start -= 1
    return _short("\n".join(lines[max(0, start - 2):end]))


class Reporter:
    """Collects what pytest did and writes one JSON line at session finish."""

    _RANK = {"passed": 0, "xpassed": 1, "xfailed": 1, "skipped": 1, "failed": 2, "error": 3}

    def __init__(self, nonce: str, fd: int, tool) -> None:
        self._nonce = nonce
        self._fd = fd
        self._tool = tool
        self.items: list = []
        self.tests: dict = {}
        self.collection_errors: list = []
        self._first_call = 0

    def pytest_runtest_logstart(self, nodeid, location) -> None:
        self._first_call = len(self._tool.calls)

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.collection_errors.append({"nodeid": report.nodeid, "message": _message(report)})

    def pytest_collection_finish(self, session) -> None:
        self.items = [item.nodeid for item in session.items]

    def pytest_runtest_logreport(self, report) -> None:
        entry = self.tests.setdefault(report.nodeid, {"nodeid": report.nodeid, "outcome": "passed",
                                                     "message": "", "called": False})
        wasxfail = hasattr(report, "wasxfail")
        if report.when == "call":
            entry["called"] = True
            # What the tool returned during this test, as data: arbitration compares values, not messages.
            entry["calls"] = self._tool.calls[self._first_call:][:MAX_CALLS]
            if wasxfail:
                outcome = "xfailed" if report.skipped else "xpassed"
            else:
                outcome = report.outcome
        elif report.failed:
            outcome = "error"  # setup or teardown failure
        elif report.skipped:
            outcome = "xfailed" if wasxfail else "skipped"
        else:
            return
        if self._RANK[outcome] >= self._RANK[entry["outcome"]]:
            entry["outcome"] = outcome
            entry["message"] = _short(str(report.wasxfail)) if wasxfail else _message(report)

    def pytest_sessionfinish(self, session, exitstatus) -> None:
        payload = {"event": "report", "nonce": self._nonce, "exitstatus": int(exitstatus),
                   "items": self.items, "tests": list(self.tests.values()),
                   "collection_errors": self.collection_errors, "testsfailed": session.testsfailed,
                   "tool_ended": self._tool.ended}
        data = memoryview(json.dumps(payload).encode() + b"\n")
        while data:
            data = data[os.write(self._fd, data):]


def _load_tool_server():
    """-I keeps the script's directory off sys.path; take tool_server.py from beside this file only."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tool_server.py")
    spec = importlib.util.spec_from_file_location("selfeng_tool_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    control_fd, report_fd = int(_arg("--control-fd")), int(_arg("--report-fd"))
    _add_site_packages()
    sys.set_int_max_str_digits(0)  # big integers cross to the tool process as JSON text
    tool_server = _load_tool_server()
    # Fork first: the child starts with no nonce in memory and closes both harness pipes.
    tool = tool_server.start(close_fds=(control_fd, report_fd))
    request = json.loads(_read_all(control_fd))
    os.close(control_fd)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # oversize writes raise EFBIG instead of killing us
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only pytest's own plugins, and ours
    os.write(report_fd, b'{"event": "started"}\n')
    nonce = request.pop("nonce")
    reporter = Reporter(nonce, report_fd, tool)
    tool_server.install(request["tool_modules"], tool)
    import pytest

    code = int(pytest.main(request["args"], plugins=[reporter]))
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - test code may have closed or replaced them
            pass
    os.write(report_fd, json.dumps({"event": "exit", "nonce": nonce, "code": code}).encode() + b"\n")
    return code


if __name__ == "__main__":
    os._exit(main())
