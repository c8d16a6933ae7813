"""CapabilitySynthesisEngine: spec > tests (frozen) > implementation > sandbox verification > registration.

The tests are written before the code and never edited to fit it. The only change ever made to them is
dropping a single case that the evidence says is wrong (see `test_evidence`), and never below
`synthesis_min_tests`. Unverified tools are registered only as flagged "experimental" and only when the
configuration allows it.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from . import events as ev
from .codeblocks import defines_function
from .config import Settings, load_settings
from .events import Callback, emit
from .llm import LLMError
from .llm_client import LLMClient, signature_of
from .names import is_valid_tool_name
from .test_evidence import count_tests, disputed_tests, drop_tests, failure_report, failed_names

log = logging.getLogger(__name__)


class SynthesisError(RuntimeError):
    def __init__(self, step: str, message: str):
        super().__init__(message)
        self.step = step


def _name_is_usable(name: str) -> bool:
    return len(name) <= 64 and is_valid_tool_name(name)


class CapabilitySynthesisEngine:
    def __init__(self, llm_client: LLMClient | None = None, sandbox=None, registry=None, *,
                 settings: Settings | None = None):
        self.settings = settings or getattr(llm_client, "settings", None) or load_settings()
        self.llm_client = llm_client or LLMClient(settings=self.settings)
        if sandbox is None:
            from .sandbox import SecureSandbox
            sandbox = SecureSandbox(self.settings)
        if registry is None:
            from .capability_registry import CapabilityRegistry
            registry = CapabilityRegistry(self.llm_client, settings=self.settings)
        self.sandbox = sandbox
        self.registry = registry

    # -- public API ---------------------------------------------------------------------------------
    def synthesize_capability(self, user_prompt: str, callback: Callback = None) -> dict[str, Any]:
        started = time.perf_counter()
        state: dict[str, Any] = {"spec": None, "code": None, "tests": None, "tool_name": None}
        step = "specification"
        try:
            step = "specification"
            self._step(callback, step, "in_progress")
            spec = self.llm_client.generate_spec(user_prompt)
            spec["function_name"] = self._available_name(spec["function_name"])
            state.update(spec=spec, tool_name=spec["function_name"])
            self._step(callback, step, "complete", function_name=spec["function_name"],
                       signature=signature_of(spec), docstring=spec["docstring"])

            step = "tests"
            self._step(callback, step, "in_progress")
            tests = self._generate_tests(spec)
            state["tests"] = tests
            self._step(callback, step, "complete", test_count=count_tests(tests), tests=tests)

            step = "implementation"
            self._step(callback, step, "in_progress")
            code = self._implementation(spec, tests)
            state["code"] = code
            self._step(callback, step, "complete", code=code)

            step = "verification"
            self._step(callback, step, "in_progress")
            outcome = self._verify_with_repair(spec, tests, code, callback)
            state.update(code=outcome["code"], tests=outcome["tests"])
            verified = outcome["verified"]
            report = outcome["report"]
            counts = {k: report.get(k, 0) for k in ("tests_passed", "tests_failed", "tests_collected")}
            if not verified and not self.settings.allow_experimental:
                self._step(callback, step, "failed", **counts, attempts=outcome["attempts"],
                           error=outcome["error"])
                raise SynthesisError(step, outcome["error"])
            self._step(callback, step, "complete" if verified else "failed", **counts,
                       attempts=outcome["attempts"], dropped_tests=outcome["dropped"],
                       experimental=not verified)

            step = "registration"
            self._step(callback, step, "in_progress")
            metadata = self.registry.add_tool(
                spec["function_name"], outcome["code"], outcome["tests"], spec["docstring"],
                tests_verified=verified, spec=spec, experimental=not verified)
            self._step(callback, step, "complete", tool_name=spec["function_name"])
        except (SynthesisError, LLMError, ValueError) as exc:
            error = str(exc)
            if not isinstance(exc, SynthesisError):
                self._step(callback, step, "failed", error=error)
            emit(callback, ev.SYNTHESIS_FAILED, {"step": step, "error": error})
            return {"success": False, "step": step, "error": error, "tests_verified": False,
                    "tool_name": state["tool_name"], "spec": state["spec"], "code": state["code"],
                    "tool_code": state["code"], "tests": state["tests"], "metadata": {},
                    "duration_s": round(time.perf_counter() - started, 3)}

        result = {
            "success": True, "tool_name": spec["function_name"], "spec": spec, "code": outcome["code"],
            "tool_code": outcome["code"], "tests": outcome["tests"], "metadata": metadata,
            "tests_verified": verified, "experimental": not verified, "attempts": outcome["attempts"],
            "dropped_tests": outcome["dropped"], "verification": {**counts},
            "duration_s": round(time.perf_counter() - started, 3),
        }
        emit(callback, ev.SYNTHESIS_COMPLETE, {
            "tool_name": result["tool_name"], "tests_verified": verified, "experimental": not verified,
            "attempts": outcome["attempts"], **counts})
        return result

    # -- stages -------------------------------------------------------------------------------------
    @staticmethod
    def _step(callback: Callback, step: str, status: str, **data) -> None:
        emit(callback, ev.SYNTHESIS_STEP, {"step": step, "status": status, **data})

    def _available_name(self, name: str) -> str:
        """A registrable name near the model's choice: never shadows stdlib, never overwrites a tool."""
        base = name if _name_is_usable(name) else f"{name.strip('_') or 'tool'}_tool"
        if not _name_is_usable(base):
            base = "generated_tool"
        candidate, n = base, 1
        while self.registry.get_tool_by_name(candidate) is not None:
            n += 1
            candidate = f"{base}_v{n}"
        return candidate

    def _generate_tests(self, spec: dict) -> str:
        tests = self.llm_client.generate_tests(spec)
        if count_tests(tests) == 0:
            raise SynthesisError("tests", "the generated tests contain no runnable test function")
        return tests

    def _implementation(self, spec: dict, tests: str | None) -> str:
        code = self.llm_client.generate_implementation(spec, tests)
        if not defines_function(code, spec["function_name"]):
            raise SynthesisError("implementation",
                                 f"the generated code does not define {spec['function_name']}()")
        return code

    def _verify(self, spec: dict, code: str, tests: str) -> dict:
        return self.sandbox.verify_tool(spec["function_name"], code, tests)

    def _verify_with_repair(self, spec: dict, tests: str, code: str, callback: Callback) -> dict:
        """Verify; on failure weigh the evidence, then repair the code with the failure report.

        Every implementation the model writes counts as one attempt (settings.synthesis_max_attempts).
        """
        max_attempts = max(1, self.settings.synthesis_max_attempts)
        min_tests = max(1, self.settings.synthesis_min_tests)
        attempts, dropped = 1, []
        report = self._verify(spec, code, tests)
        second_opinion_done = False
        while not report.get("success"):
            emit(callback, ev.SYNTHESIS_STEP, {
                "step": "verification", "status": "in_progress", "attempt": attempts,
                "tests_passed": report.get("tests_passed", 0), "tests_failed": report.get("tests_failed", 0),
                "message": "tests failed; weighing the evidence"})
            if attempts >= max_attempts:
                break
            failing = failed_names(report)
            partial = report.get("tests_passed", 0) > 0 and not report.get("collection_errors")
            if partial and not second_opinion_done:
                # An independent re-derivation: code written from the spec alone, without the tests.
                second_opinion_done = True
                attempts += 1
                try:
                    alt = self._implementation(spec, None)
                except SynthesisError:
                    alt = None
                if alt is not None:
                    alt_report = self._verify(spec, alt, tests)
                    if alt_report.get("success"):
                        code, report = alt, alt_report
                        break
                    disputed = [t for t in disputed_tests(report, alt_report) if t in failing]
                    remaining = count_tests(tests) - len(disputed)
                    if disputed and remaining >= min_tests:
                        tests = drop_tests(tests, disputed)
                        dropped += disputed
                        log.info("dropped disputed tests %s for %s", disputed, spec["function_name"])
                        emit(callback, ev.SYNTHESIS_STEP, {
                            "step": "verification", "status": "in_progress", "dropped_tests": disputed,
                            "message": "two independent implementations agree against these test cases"})
                        report = self._verify(spec, code, tests)
                        if report.get("success"):
                            break
                        alt_report = self._verify(spec, alt, tests)
                        if alt_report.get("success"):
                            code, report = alt, alt_report
                            break
                    if alt_report.get("tests_passed", 0) > report.get("tests_passed", 0):
                        code, report = alt, alt_report  # repair the better of the two
                    continue
            attempts += 1
            try:
                fixed = self.llm_client.fix_implementation(spec, tests, code, failure_report(report))
            except LLMError as exc:
                log.warning("fix_implementation failed: %s", exc)
                break
            if not defines_function(fixed, spec["function_name"]):
                continue
            fixed_report = self._verify(spec, fixed, tests)
            # Keep the better of the two: a repair that breaks passing tests is not progress.
            if fixed_report.get("success") or fixed_report.get("tests_passed", 0) >= report.get("tests_passed", 0):
                code, report = fixed, fixed_report
        verified = bool(report.get("success"))
        error = None if verified else (
            f"verification failed after {attempts} attempt(s): {report.get('tests_failed', 0)} of "
            f"{report.get('tests_collected', 0)} tests failing\n{failure_report(report)}")
        return {"verified": verified, "code": code, "tests": tests, "report": report,
                "attempts": attempts, "dropped": dropped, "error": error}
