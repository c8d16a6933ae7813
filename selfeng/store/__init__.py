"""Storage backends behind one `Store` protocol, chosen by `settings.store`."""
from __future__ import annotations

from typing import Callable

from ..backends import Backends
from ..config import Settings
from .base import TOOL_FIELDS, Store, StoreError, ToolExistsError

StoreFactory = Callable[[Settings], Store]


def _sqlite(settings: Settings) -> Store:
    from .sqlite import SQLiteStore

    return SQLiteStore(settings.db_path)


def _postgres(settings: Settings) -> Store:
    from .postgres import PostgresStore

    if not settings.database_url:
        raise StoreError("SELFENG_STORE=postgres needs SELFENG_DATABASE_URL (e.g. the URL that "
                         "`python -m selfeng.store.pg_server start` prints, or a Supabase connection string)")
    return PostgresStore(settings.database_url)


STORES: Backends[Store] = Backends("store backend", StoreError)
STORES.register("sqlite", _sqlite)
STORES.register("postgres", _postgres)


def register_store(name: str, factory: StoreFactory) -> None:
    STORES.register(name, factory)


def create_store(settings: Settings) -> Store:
    return STORES.create(settings.store, settings)


__all__ = ["Store", "StoreError", "ToolExistsError", "TOOL_FIELDS", "create_store", "register_store"]
