"""Who may ask and what they may send: the API token, the Host check against DNS rebinding, and the
checks on prompts, session ids and query-string arguments. What the handlers share lives in `WebState`."""
from __future__ import annotations

import hmac
import ipaddress
import math
import os
import re
import secrets
from typing import Any

from flask import request

from ..config import Settings
from .dispatch import jsonable as _jsonable
from .openapi import SESSION_ID

_SESSION_ID = re.compile(SESSION_ID["pattern"])
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def api_token(settings: Settings) -> str | None:
    return getattr(settings, "api_token", None) or os.environ.get("SELFENG_API_TOKEN") or None


def secret_key(settings: Settings) -> str:
    # A fixed key would let anyone forge signed cookies; without one configured, each process makes its own.
    return getattr(settings, "secret_key", None) or os.environ.get("SELFENG_SECRET_KEY") or secrets.token_hex(32)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_only(host_header: str) -> str:
    """'127.0.0.1:5000' -> '127.0.0.1', '[::1]:80' -> '::1'."""
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1:h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


class WebState:
    """What the handlers share: the orchestrator, the job queue and the security settings."""

    def __init__(self, orchestrator, settings: Settings):
        self.orchestrator = orchestrator
        self.settings = settings
        self.token = api_token(settings)
        self.max_prompt_chars = int(settings.max_prompt_chars)
        self.rest_wait = float(getattr(settings, "rest_wait_seconds", 30.0))
        self.queue = None  # JobQueue (in-process) or BrokerQueue: create_app sets it
        # Loopback names by default: a DNS-rebinding page (Host: evil.example) is refused. serve() widens
        # this when binding a non-loopback address; None disables the check.
        self.allowed_hosts: set[str] | None = set(LOOPBACK_NAMES)

    def token_ok(self, presented: str | None) -> bool:
        if not self.token:
            return True
        return isinstance(presented, str) and hmac.compare_digest(presented.encode(), self.token.encode())

    def host_ok(self, host_header: str | None) -> bool:
        if self.allowed_hosts is None:
            return True
        host = _host_only(host_header or "")
        return host in self.allowed_hosts or is_loopback(host)

    def prompt_problem(self, prompt: Any) -> str | None:
        if not isinstance(prompt, str) or not prompt.strip():
            return "'prompt' must be a non-empty string"
        if len(prompt) > self.max_prompt_chars:
            return f"'prompt' is {len(prompt)} characters; the limit is {self.max_prompt_chars}"
        return None

    @staticmethod
    def session_problem(session_id: Any, *, optional: bool = True) -> str | None:
        if session_id is None and optional:
            return None
        if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
            return "'session_id' must be 1-128 characters of letters, digits, '_', '-', '.', ':'"
        return None

    def recent_messages(self, session_id: str, limit: int = 20) -> list[dict]:
        return _jsonable(self.orchestrator.memory_manager.get_recent_messages(session_id, limit))

    def session_exists(self, session_id: str) -> bool:
        store = getattr(self.orchestrator.memory_manager, "store", None)
        if store is not None and hasattr(store, "session_exists"):
            return bool(store.session_exists(session_id))
        return bool(self.orchestrator.memory_manager.get_recent_messages(session_id, 1))


class BadArgument(ValueError):
    """A query-string value that is not what the route accepts (answered with a 400)."""


def int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"\d{1,9}", raw) or not lo <= int(raw) <= hi:
        raise BadArgument(f"'{name}' must be an integer from {lo} to {hi}")
    return int(raw)


def float_arg(name: str, default: float, lo: float, hi: float) -> float:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = float(raw) if len(raw) <= 64 else math.nan
    except ValueError:
        value = math.nan
    if not lo <= value <= hi:  # NaN fails this too
        raise BadArgument(f"'{name}' must be a number from {lo:g} to {hi:g}")
    return value
