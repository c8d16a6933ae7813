"""SessionMemoryManager: conversation history per session, for follow-up requests.

History is only ever used to fill in a follow-up's arguments; it is kept out of the search query and
out of synthesis-keyword detection, so an old "create a function…" never forces a new synthesis.
"""
from __future__ import annotations

import re
import uuid
from typing import Any

from .config import Settings, load_settings

CONTEXT_MESSAGES = 10
_FOLLOW_UP = re.compile(
    r"\b(same|again|that|it|this|those|previous|last|result|instead|too|also)\b|^\s*(now|and|then|what about)\b",
    re.I)


def looks_like_follow_up(prompt: str) -> bool:
    return bool(_FOLLOW_UP.search(prompt))


class SessionMemoryManager:
    def __init__(self, store=None, *, settings: Settings | None = None):
        self.settings = settings or load_settings()
        if store is None:
            from .store import create_store
            store = create_store(self.settings)
        self.store = store

    def start_session(self, session_id: str | None = None) -> str:
        sid = session_id or str(uuid.uuid4())
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,128}", sid):
            raise ValueError("session_id must be 1-128 characters of letters, digits, '_', '-', '.', ':'")
        self.store.create_session(sid)
        return sid

    def append_message(self, session_id: str, role: str, content: str) -> None:
        if role not in ("user", "assistant"):
            raise ValueError("role must be 'user' or 'assistant'")
        self.store.create_session(session_id)
        self.store.append_message(session_id, role, content)

    def get_recent_messages(self, session_id: str, limit: int = 10) -> list[dict[str, Any]]:
        return self.store.get_messages(session_id, limit=limit)

    def context_text(self, session_id: str, limit: int = CONTEXT_MESSAGES) -> str:
        msgs = self.get_recent_messages(session_id, limit=limit)
        return "\n".join(f"{m['role']}: {' '.join(str(m['content']).split())[:300]}" for m in msgs)

    def build_prompt_with_context(self, session_id: str, user_prompt: str) -> str:
        ctx = self.context_text(session_id)
        if not ctx:
            return user_prompt
        return f"Conversation so far:\n{ctx}\n\nCurrent request: {user_prompt}"
