"""selfeng: a self-engineering agent that writes, verifies, registers and reuses its own tools.

The seeds' classes are importable from here. They load lazily, so `import selfeng` stays cheap and a
command that never touches the model never imports llama.cpp.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "AgentOrchestrator": "selfeng.orchestrator",
    "CapabilityRegistry": "selfeng.capability_registry",
    "CapabilitySynthesisEngine": "selfeng.synthesis_engine",
    "SecureSandbox": "selfeng.sandbox",
    "ToolExecutor": "selfeng.executor",
    "ResponseSynthesizer": "selfeng.response_synthesizer",
    "LLMClient": "selfeng.llm_client",
    "SessionMemoryManager": "selfeng.session_memory",
    "QueryPlanner": "selfeng.query_planner",
    "CompositionPlanner": "selfeng.composition_planner",
    "WorkflowTracker": "selfeng.workflow_tracker",
    "Settings": "selfeng.config",
    "load_settings": "selfeng.config",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'selfeng' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
