"""LLM providers, chosen by name from configuration.

Built-in providers register through the same `register_provider` a third-party backend would use;
their modules are imported lazily so that, say, llama.cpp is never loaded for the scripted provider.
"""
from __future__ import annotations

import importlib
from typing import Callable

from ..config import Settings
from .base import Completion, LLMError, Provider

ProviderFactory = Callable[[Settings], Provider]

_FACTORIES: dict[str, ProviderFactory | str] = {
    # name -> factory, or "module:function" resolved on first use
    "local": "selfeng.llm.local:from_settings",
    "openai": "selfeng.llm.openai_compat:from_settings",
    "anthropic": "selfeng.llm.anthropic:from_settings",
    "scripted": "selfeng.llm.scripted:from_settings",
}


def register_provider(name: str, factory: ProviderFactory | str) -> None:
    _FACTORIES[name] = factory


def provider_names() -> list[str]:
    return sorted(_FACTORIES)


def create_provider(settings: Settings) -> Provider:
    """Build the configured provider, wrapped in a recorder when SELFENG_RECORD is set."""
    name = settings.llm_provider
    try:
        factory = _FACTORIES[name]
    except KeyError:
        raise LLMError(f"unknown LLM provider {name!r}; known: {', '.join(provider_names())}") from None
    if isinstance(factory, str):
        module, func = factory.split(":")
        factory = getattr(importlib.import_module(module), func)
        _FACTORIES[name] = factory
    provider = factory(settings)
    if settings.record and name != "scripted":
        from .recording import RecordingProvider
        provider = RecordingProvider(provider, settings.record)
    return provider


__all__ = ["Completion", "LLMError", "Provider", "create_provider", "register_provider", "provider_names"]
