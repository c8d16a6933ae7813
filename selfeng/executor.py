"""ToolExecutor: arguments from the request, then one run of the tool in the sandbox.

Execution always goes through `sandbox.run_tool`: generated code never runs in this process.
"""
from __future__ import annotations

import re
import time
from typing import Any

from .arguments import PATH_PARAM as _PATH_PARAM
from .arguments import (argument_problem, coerce_arguments, fast_path_arguments, unwrapped_literals,
                        with_feedback)
from .config import Settings, load_settings
from .llm import LLMError
from .llm_client import LLMClient

_DATA_FILE = re.compile(r"\.(csv|json|jsonl|tsv|txt)$", re.I)


class ToolExecutor:
    def __init__(self, llm_client: LLMClient | None = None, sandbox=None, *, settings: Settings | None = None,
                 registry=None):
        self.settings = settings or getattr(llm_client, "settings", None) or load_settings()
        self.llm_client = llm_client or LLMClient(settings=self.settings)
        if sandbox is None:
            from .sandbox import SecureSandbox
            sandbox = SecureSandbox(self.settings)
        self.sandbox = sandbox
        self.registry = registry  # optional: lets composite tools import their components

    def execute_with_retry(self, tool_info: dict[str, Any], user_prompt: str, max_retries: int = 2,
                           context: str | None = None, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run `tool_info` for `user_prompt`.

        Returns {success, result, error, error_type, arguments, fast_path, duration_ms}. On an argument
        mismatch the extraction is retried with the error shown to the model, up to `max_retries` times.
        `arguments` skips extraction (workflows pass structured results between steps).
        """
        params = tool_info.get("parameters") or (tool_info.get("spec") or {}).get("parameters") or []
        signature = tool_info.get("signature") or tool_info["name"]
        started = time.perf_counter()
        fast = False
        last: dict[str, Any] = {}
        feedback = ""
        for attempt in range(max_retries + 1):
            try:
                if arguments is not None and attempt == 0:
                    args = dict(arguments)
                else:
                    args = fast_path_arguments(user_prompt, params) if attempt == 0 and not context else None
                    fast = args is not None
                    if args is None and attempt == 0 and tool_info.get("fit_arguments"):
                        args = dict(tool_info["fit_arguments"])  # mapped by the registry's fit check: no new call
                    if args is None:
                        prompt = with_feedback(user_prompt, feedback) if feedback else user_prompt
                        args = self.llm_client.extract_arguments(prompt, signature, params, context=context,
                                                                 docstring=tool_info.get("docstring") or "")
                args = coerce_arguments(args, params)
                if arguments is None or attempt > 0:
                    args = unwrapped_literals(args, params, user_prompt)  # "strconv(18)" for the 18 of "18%"
                    problem = argument_problem(tool_info["name"], params, args, user_prompt, context)
                    if problem is not None:
                        last = self._result(False, None, problem, "argument_mismatch", args)
                        if problem.startswith("role:"):
                            break  # a value of the wrong unit or role: another extraction cannot fix the tool
                        feedback = problem
                        continue
                args = self._resolve_data_paths(args, params)
            except LLMError as exc:
                last = self._result(False, None, f"could not extract arguments: {exc}", "argument_mismatch", {})
                feedback = str(exc)
                continue
            except ValueError as exc:  # DataPathError: a file outside the data folder is refused by policy
                return self._done(self._result(False, None, str(exc), "sandbox_violation", {}), started, fast)
            run = self.sandbox.run_tool(tool_info["name"], tool_info["code"], args,
                                        extra_modules=self._components(tool_info))
            last = self._result(bool(run.get("success")), run.get("result"), run.get("error"),
                                run.get("error_type"), args)
            if last["success"] or last["error_type"] != "argument_mismatch":
                break
            feedback = str(run.get("error") or "arguments did not match the signature")
        return self._done(last, started, fast)

    # -- helpers --------------------------------------------------------------------------------------
    @staticmethod
    def _result(success, result, error, error_type, arguments) -> dict[str, Any]:
        return {"success": success, "result": result, "error": None if success else error,
                "error_type": None if success else (error_type or "runtime_error"), "arguments": arguments}

    @staticmethod
    def _done(result: dict, started: float, fast: bool) -> dict:
        result["fast_path"] = fast
        result["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
        return result

    def _resolve_data_paths(self, args: dict, params: list[dict]) -> dict:
        """A path-like argument naming a data file must resolve inside the data folder (else refused).

        Only parameters named like paths count: reversing the text 'notes.txt' is not a file access."""
        out = dict(args)
        for name, value in args.items():
            if isinstance(value, str) and _PATH_PARAM.search(name) and _DATA_FILE.search(value.strip()):
                out[name] = str(self.sandbox.check_data_path(value.strip()))
        return out

    def _components(self, tool_info: dict) -> dict[str, str] | None:
        names = tool_info.get("component_tools") or []
        if not names or self.registry is None:
            return None
        mods = {}
        for n in names:
            t = self.registry.get_tool_by_name(n)
            if t is not None:
                mods[n] = t["code"]
        return mods
