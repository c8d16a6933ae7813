"""Isolated execution of generated code: `SecureSandbox.verify_tool` and `SecureSandbox.run_tool`.

Backends register by name (`register_backend`) and `settings.sandbox_backend` picks one: "bwrap"
(default) or "docker". A broken sandbox raises SandboxError: generated code never runs unsandboxed.
"""
from .base import Backend, DataPathError, Launch, Outcome, SandboxError, create_backend, register_backend
from .secure_sandbox import SecureSandbox

__all__ = ["SecureSandbox", "SandboxError", "DataPathError", "Backend", "Launch", "Outcome",
           "create_backend", "register_backend"]
