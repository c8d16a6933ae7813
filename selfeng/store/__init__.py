"""Storage backends behind one `Store` protocol, chosen by `settings.store`."""
from __future__ import annotations

from typing import Callable

from ..config import Settings
from .base import TOOL_FIELDS, Store, StoreError, ToolExistsError

StoreFactory = Callable[[Settings], Store]


def _sqlite(settings: Settings) -> Store:
    from .sqlite import SQLiteStore

    return SQLiteStore(settings.db_path)


_FACTORIES: dict[str, StoreFactory] = {"sqlite": _sqlite}


def register_store(name: str, factory: StoreFactory) -> None:
    _FACTORIES[name] = factory


def create_store(settings: Settings) -> Store:
    try:
        factory = _FACTORIES[settings.store]
    except KeyError:
        raise StoreError(f"store backend {settings.store!r} is not available; known: {sorted(_FACTORIES)}") from None
    return factory(settings)


__all__ = ["Store", "StoreError", "ToolExistsError", "TOOL_FIELDS", "create_store", "register_store"]
