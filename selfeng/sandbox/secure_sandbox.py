"""SecureSandbox: every run of generated code, for verification (pytest) and for execution (one call).

The job directory holds only files written here (tool module, frozen tests, extra modules, data files),
is mounted read-only, and is deleted afterwards. Which isolation backend runs it is configuration.
"""
from __future__ import annotations

import ast
import json
import marshal
import secrets
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from selfeng.config import Settings, load_settings

from . import bwrap as _bwrap  # noqa: F401 - registers the built-in backends
from . import docker as _docker  # noqa: F401
from .base import Backend, DataPathError, Launch, Outcome, SandboxError, create_backend
from .verdict import big_int as _big_int, judge, parse_report, truncate
from .. import pyparse

# Modules the job directory must never shadow: the harness's own machinery and the standard library.
_RESERVED = {"conftest", "pytest", "_pytest", "pluggy", "py", "verify_harness", "run_harness"}
_FORBIDDEN_IMPORTS = {"pytest", "_pytest", "pluggy"}
_CODE_SUFFIXES = {".py", ".pyc", ".pyw", ".pth", ".so", ".pyd"}
STDOUT_CHARS = 10_000
RESULT_LIMIT = 1_000_000  # bytes of JSON; a bigger result is an explicit error, never a lost answer


class SecureSandbox:
    """Runs generated code isolated by the configured backend (default: bubblewrap)."""

    def __init__(self, settings: Settings | None = None, backend: Backend | None = None) -> None:
        self.settings = settings or load_settings()
        self.backend = backend or create_backend(self.settings)

    # -- public API ---------------------------------------------------------------------------------

    def build_image(self, dockerfile: str | Path | None = None) -> str | None:
        """The seeds' API: (re)build the backend's image, with progress; the tag, or None (bwrap has none)."""
        build = getattr(self.backend, "build_image", None)
        return build(Path(dockerfile) if dockerfile else None) if build else None

    def ensure_image_exists(self) -> bool:
        """The seeds' API: build the image lazily if the backend needs one; True if it was built now."""
        ensure = getattr(self.backend, "ensure_image_exists", None)
        return bool(ensure()) if ensure else False

    def verify_tool(self, function_name: str, function_code: str, test_code: str,
                    data_files: dict[str, str] | None = None,
                    extra_modules: dict[str, str] | None = None) -> dict:
        """Run the frozen tests against the implementation; `success` only under the strict verdict."""
        problem = (_check_module_name(function_name, "function name")
                   or _check_extra_modules(extra_modules or {}, function_name)
                   or _check_data_files(data_files or {}, function_name)
                   or _check_imports({function_name: function_code, **(extra_modules or {})}))
        if problem:
            return _refused(problem)
        test_name = f"test_{function_name}.py"
        files = {f"{function_name}.py": function_code, test_name: test_code,
                 **{f"{m}.py": c for m, c in (extra_modules or {}).items()}, **(data_files or {})}
        nonce = secrets.token_hex(16)
        args = [test_name, "--rootdir", self.backend.JOB_DIR, "-c", "/dev/null", "--noconftest",
                "-p", "no:cacheprovider", "-p", "no:stepwise", "--import-mode=prepend",
                "-q", "--no-header", "--tb=short", "-rfEsxX", "-W", "ignore::DeprecationWarning"]
        timeout = self.settings.sandbox_timeout
        # Tool modules are imported only in the harness's separate tool process; tests get proxies.
        control = json.dumps({"nonce": nonce, "args": args,
                              "tool_modules": [function_name, *(extra_modules or {})]}).encode()
        def finished(raw: bytes) -> bool:
            return parse_report(raw, "exit", nonce)[1] is not None

        outcome = self._launch("verify_harness.py", files, control, timeout, finished)
        started, report, n = parse_report(outcome.report, "report", nonce)
        self._raise_if_broken(outcome, started)
        exit_line = parse_report(outcome.report, "exit", nonce)[1]
        if exit_line is not None:  # the harness's own exit code; we may have stopped bwrap's teardown
            outcome.returncode = exit_line.get("code")
        return judge(outcome, report, n, test_code, timeout)

    def run_tool(self, function_name: str, function_code: str, arguments: dict,
                 extra_modules: dict[str, str] | None = None, timeout: float | None = None) -> dict:
        """Call `function_name(**arguments)` in the sandbox; arguments and result travel as JSON."""
        problem = _check_module_name(function_name, "function name") or _check_extra_modules(
            extra_modules or {}, function_name)
        if problem:
            raise ValueError(problem)
        if not isinstance(arguments, dict):
            return _failed("argument_mismatch", f"arguments must be a dict, got {type(arguments).__name__}")
        try:  # what the tool receives is exactly what JSON carries (tuples -> lists, keys -> str)
            arguments = json.loads(json.dumps(arguments))
        except (TypeError, ValueError) as exc:
            return _failed("argument_mismatch", f"arguments are not JSON-serialisable: {exc}")
        files = {f"{function_name}.py": function_code,
                 **{f"{m}.py": c for m, c in (extra_modules or {}).items()}}
        timeout = self.settings.sandbox_timeout if timeout is None else timeout
        request = {"function_name": function_name, "arguments": arguments, "result_limit": RESULT_LIMIT,
                   "hidden": list(getattr(self.backend, "hidden_paths", ())),
                   "visible": list(getattr(self.backend, "visible_paths", ()))}
        # marshal only travels parent -> child (trusted input); the answer comes back as JSON.
        outcome = self._launch("run_harness.py", files, marshal.dumps(request), timeout, _has_result)
        started, answer = _parse_answer(outcome.report)
        self._raise_if_broken(outcome, started)
        return self._run_result(outcome, answer, timeout)

    def check_data_path(self, path: str) -> Path:
        """Resolve a user-named data file; it must exist inside `settings.files_dir` (symlinks resolved)."""
        root = self.settings.files_dir.resolve()
        raw = Path(str(path)).expanduser()
        candidates = [raw] if raw.is_absolute() else [root / raw, root.parent / raw]
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved != root and root in resolved.parents and resolved.is_file():
                return resolved
        resolved = candidates[0].resolve()
        if resolved != root and root not in resolved.parents:
            raise DataPathError(f"{path!r} is outside the data directory {root}; copy the file there first")
        raise DataPathError(f"{path!r} is not a file in the data directory {root}")

    # -- internals ----------------------------------------------------------------------------------

    def _launch(self, script: str, files: dict[str, str], control: bytes, timeout: float,
                report_final=None) -> Outcome:
        base = Path(tempfile.mkdtemp(prefix="selfeng-sandbox-"))  # 0700: other host users stay out
        try:
            job = base / "job"
            job.mkdir()
            for rel, content in files.items():
                target = job / rel
                for parent in reversed(target.relative_to(job).parents):
                    (job / parent).mkdir(mode=0o755, exist_ok=True)
                if isinstance(content, bytes):
                    target.write_bytes(content)
                else:
                    target.write_text(content, encoding="utf-8")
                target.chmod(0o444)  # frozen, and the mount is read-only on top
            return self.backend.run(Launch(script=script, job_dir=job, control=control, timeout=timeout,
                                           report_final=report_final))
        finally:
            shutil.rmtree(base, ignore_errors=True)

    @staticmethod
    def _raise_if_broken(outcome: Outcome, started: bool) -> None:
        """No 'started' line and no timeout: the harness never ran, so the sandbox itself failed."""
        if not started and not outcome.timed_out:
            detail = outcome.stderr.decode("utf-8", "replace").strip() or f"exit code {outcome.returncode}"
            raise SandboxError(f"the sandbox failed to start: {truncate(detail, 800, 800)}")

    def _run_result(self, outcome: Outcome, answer: dict | None, timeout: float) -> dict:
        stdout = outcome.stdout.decode("utf-8", "replace")
        result = {"success": False, "result": None, "error": None, "error_type": None,
                  "duration_ms": round(outcome.duration_s * 1000, 1), "stdout": truncate(stdout, 2000, 8000),
                  "stderr": truncate(outcome.stderr.decode("utf-8", "replace"), 1000, 3000)}
        rc = outcome.returncode
        if outcome.timed_out:
            result.update(error=f"timed out after {timeout:g}s (killed)", error_type="timeout")
        elif outcome.oom_killed and (answer is None or not answer.get("success")):
            result.update(error=f"memory limit of {self.settings.sandbox_memory_mb} MB for the whole run "
                                "exceeded (killed)", error_type="sandbox_violation")
        elif answer is not None:
            result.update({k: answer.get(k) for k in ("success", "result", "error", "error_type")})
            result["success"] = answer.get("success") is True
        elif rc is not None and rc in (-signal.SIGXCPU, -signal.SIGKILL):
            result.update(error=f"CPU time limit of {self.settings.sandbox_cpu_seconds}s exceeded (killed)",
                          error_type="timeout")
        elif rc is not None and rc == -signal.SIGXFSZ:
            result.update(error="file size limit exceeded", error_type="sandbox_violation")
        else:
            how = f"signal {_signal_name(-rc)}" if rc is not None and rc < 0 else f"exit code {rc}"
            result.update(error=f"the tool process ended without a result ({how})",
                          error_type="runtime_error")
        return result


def _signal_name(num: int) -> str:
    try:
        return signal.Signals(num).name
    except ValueError:
        return str(num)


def _parse_answer(raw: bytes) -> tuple[bool, dict | None]:
    """(harness started, the single result line) from run_harness's report pipe."""
    started, found = False, []
    for line in raw.splitlines():
        try:
            msg = json.loads(line, parse_int=_big_int)
        except (ValueError, RecursionError):
            continue
        if isinstance(msg, dict) and msg.get("event") == "started":
            started = True
        elif isinstance(msg, dict) and msg.get("event") == "result":
            found.append(msg)
    return started, (found[0] if len(found) == 1 else None)


def _has_result(report: bytes) -> bool:
    return _parse_answer(report)[1] is not None


def _refused(reason: str) -> dict:
    return {"success": False, "output": "", "error": f"refused: {reason}", "tests_collected": 0,
            "tests_passed": 0, "tests_failed": 0, "tests_skipped": 0, "tests_errors": 0, "tests_xfailed": 0,
            "tests_xpassed": 0, "collection_errors": 0, "tests": [], "duration_s": 0.0}


def _failed(error_type: str, error: str) -> dict:
    return {"success": False, "result": None, "error": error, "error_type": error_type, "duration_ms": 0.0,
            "stdout": "", "stderr": ""}


def _check_module_name(name: str, what: str) -> str | None:
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        return f"{what} {name!r} is not a valid Python identifier"
    if name in _RESERVED or name in sys.stdlib_module_names or name.startswith("__"):
        return f"{what} {name!r} would shadow a module the sandbox or the standard library needs"
    return None


def _check_extra_modules(modules: dict[str, str], function_name: str) -> str | None:
    for name in modules:
        problem = _check_module_name(name, "extra module")
        if problem:
            return problem
        if name in (function_name, f"test_{function_name}"):
            return f"extra module {name!r} collides with the tool or its tests"
    return None


def _check_data_files(data_files: dict[str, str], function_name: str) -> str | None:
    for name in data_files:
        p = Path(str(name))
        if p.is_absolute() or not p.parts or any(part in ("..", ".", "") for part in p.parts):
            return f"data file {name!r} must be a plain relative path"
        if p.name == "conftest.py" or p.suffix.lower() in _CODE_SUFFIXES or "__pycache__" in p.parts:
            return f"data file {name!r} is code; only data may sit beside the tests"
        if p.parts[0] in (function_name, f"test_{function_name}"):
            return f"data file {name!r} collides with the tool or its tests"
    return None


def _check_imports(sources: dict[str, str]) -> str | None:
    """The implementation has no business touching the test runner (defence in depth, not the boundary)."""
    for module, code in sources.items():
        try:
            tree = pyparse.parse(code)
        except SyntaxError:
            continue  # pytest reports it as a collection error, with the usual output
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value]  # __import__("pytest"), importlib.import_module("_pytest.runner")
            hit = next((n for n in names if n.split(".")[0] in _FORBIDDEN_IMPORTS), None)
            if hit:
                return f"module {module!r} refers to the test runner ({hit!r}); tools must not import it"
    return None
