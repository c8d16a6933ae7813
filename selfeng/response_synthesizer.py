"""ResponseSynthesizer: plain-language answers.

The model words the answer; a deterministic template takes over when the model fails, or when its
wording drops or changes the value the tool returned (a small model must not misreport a result).
On a reuse hit the template answers directly by default, so that reusing a tool costs at most the
one model call for arguments (`style="auto"`); `style="model"` always asks the model.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from .llm import LLMError

log = logging.getLogger(__name__)


def _show(value: Any, limit: int = 2000) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def _value_forms(value: Any) -> list[str]:
    """Ways a scalar result may legitimately appear in prose (12.0 may be written 12)."""
    if isinstance(value, bool) or value is None:
        return [str(value), str(value).lower()]
    if isinstance(value, float):
        forms = {repr(value), f"{value:g}", f"{value:,.2f}", f"{value:.2f}"}
        if value.is_integer():
            forms.add(str(int(value)))
        return sorted(forms)
    if isinstance(value, int):
        return [str(value), f"{value:,}"]
    if isinstance(value, str):
        return [value]
    return []


class ResponseSynthesizer:
    def __init__(self, llm_client=None, style: str = "auto"):
        self.llm_client = llm_client
        self.style = style

    def synthesize(self, user_prompt: str, tool_result: Any, tool_name: str = "", *,
                   arguments: dict | None = None, use_model: bool | None = None) -> str:
        if use_model is None:
            use_model = self.style == "model"
        if use_model and self.llm_client is not None:
            worded = self._model(user_prompt, tool_result, tool_name)
            if worded:
                return worded
        return self.template(tool_result, tool_name, arguments)

    def synthesize_error(self, user_prompt: str, error: str, error_type: str | None = None) -> str:
        kinds = {
            "argument_mismatch": "I couldn't work out the right inputs for the tool from your request",
            "timeout": "The tool took too long and was stopped",
            "sandbox_violation": "The tool tried something the sandbox does not allow, so it was stopped",
            "runtime_error": "The tool ran into an error",
        }
        lead = kinds.get(error_type or "", "I couldn't complete that request")
        return f"{lead}: {' '.join(str(error).split())[:500]}"

    def synthesize_synthesis_result(self, user_prompt: str, tool_name: str, tool_result: Any,
                                    synthesis: dict | None = None, *, arguments: dict | None = None) -> str:
        """Answer for a request that needed a new tool: the result, then what was built."""
        answer = self.synthesize(user_prompt, tool_result, tool_name, arguments=arguments,
                                 use_model=self.style in ("auto", "model"))
        return f"{answer}\n\n{built_note(tool_name, synthesis)}"

    # -- internals ------------------------------------------------------------------------------------
    def _model(self, user_prompt: str, result: Any, tool_name: str) -> str | None:
        try:
            text = self.llm_client.synthesize_response(user_prompt, result, tool_name)
        except LLMError as exc:
            log.warning("response wording failed, using the template: %s", exc)
            return None
        text = " ".join((text or "").split())
        if not text:
            return None
        forms = _value_forms(result)
        if forms and not any(f in text for f in forms):
            log.info("model answer omitted the tool's value; using the template")
            return None
        return text

    @staticmethod
    def template(result: Any, tool_name: str = "", arguments: dict | None = None) -> str:
        call = ""
        if tool_name:
            shown = ", ".join(f"{k}={_show(v, 80)!s}" if not isinstance(v, str) else f"{k}={v!r}"
                              for k, v in (arguments or {}).items())
            call = f"{tool_name}({shown})"
        value = _show(result)
        if isinstance(result, str):
            value = repr(result) if len(result) < 200 else result
        return f"The result is {value}" + (f" (from {call})." if call else ".")


def built_note(tool_name: str, synthesis: dict | None) -> str:
    """What was built and on what evidence, in words that never overstate it."""
    synthesis = synthesis or {}
    evidence = (synthesis.get("evidence") or {}).get("summary") or ""
    if synthesis.get("experimental"):
        why = f" ({evidence.removeprefix('not verified: ')})" if evidence else ""
        return (f"(I wrote a new tool for this, {tool_name}. It is EXPERIMENTAL: it is not verified{why}, so treat "
                "this answer with care; it is saved for reuse with that flag.)")
    proof = f" In the sandbox it was {evidence}." if evidence else ""
    if synthesis.get("existing_tool"):
        return (f"(I wrote a tool for this, {synthesis.get('written_tool_name') or 'a new one'}, but the library's "
                f"{tool_name} does the same: it passes every test the new one was verified by, so {tool_name} "
                f"answered and no duplicate was saved.{proof})")
    return f"(I wrote a new tool for this, {tool_name}.{proof} It is saved for reuse.)"
