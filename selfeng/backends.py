"""One small name -> factory registry, shared by every pluggable concern (LLM providers, embedders,
stores, sandboxes). Built-ins register exactly as a third-party backend would, and a factory may be
given as "module:function" so heavy backends are imported only when chosen (llm's plugin style)."""
from __future__ import annotations

import importlib
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


class Backends(Generic[T]):
    def __init__(self, kind: str, error: type[Exception]):
        self.kind = kind
        self.error = error
        self._factories: dict[str, Callable[..., T] | str] = {}

    def register(self, name: str, factory: Callable[..., T] | str) -> None:
        self._factories[name] = factory

    def names(self) -> list[str]:
        return sorted(self._factories)

    def create(self, name: str, *args) -> T:
        try:
            factory = self._factories[name]
        except KeyError:
            raise self.error(f"unknown {self.kind} {name!r}; available: {', '.join(self.names())}") from None
        if isinstance(factory, str):
            module, func = factory.split(":")
            factory = getattr(importlib.import_module(module), func)
            self._factories[name] = factory
        return factory(*args)
