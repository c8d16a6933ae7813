"""LLM providers, chosen by name from configuration.

Built-in providers register through the same `register_provider` a third-party backend would use;
their modules are imported lazily so that, say, llama.cpp is never loaded for the scripted provider.
"""
from __future__ import annotations

from typing import Callable

from ..backends import Backends
from ..config import Settings
from .base import Completion, LLMError, Provider

ProviderFactory = Callable[[Settings], Provider]

PROVIDERS: Backends[Provider] = Backends("LLM provider", LLMError)
for _name, _factory in {"local": "selfeng.llm.local:from_settings",
                        "openai": "selfeng.llm.openai_compat:from_settings",
                        "anthropic": "selfeng.llm.anthropic:from_settings",
                        "scripted": "selfeng.llm.scripted:from_settings"}.items():
    PROVIDERS.register(_name, _factory)


def register_provider(name: str, factory: ProviderFactory | str) -> None:
    PROVIDERS.register(name, factory)


def provider_names() -> list[str]:
    return PROVIDERS.names()


def create_provider(settings: Settings) -> Provider:
    """Build the configured provider, wrapped in a recorder when SELFENG_RECORD is set."""
    name = settings.llm_provider
    provider = PROVIDERS.create(name, settings)
    if settings.record and name != "scripted":
        from .recording import RecordingProvider
        provider = RecordingProvider(provider, settings.record)
    return provider


__all__ = ["Completion", "LLMError", "Provider", "create_provider", "register_provider", "provider_names"]
