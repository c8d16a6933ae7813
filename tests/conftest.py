"""Shared fixtures: every test gets its own data directory and the scripted provider.

Unit and integration tests drive the real pipeline (real sandbox, store and embedder); only the model is
scripted. A guard makes any accidental real-model construction fail; e2e tests opt out with the `e2e` mark.

Tests under STORE_SUITES run once per store: SQLite (a file in the test's data directory) and
PostgreSQL (one real server per session, started from the pgserver wheel; one schema per test, dropped
afterwards). `SELFENG_TEST_STORES=sqlite` limits the runs to some stores.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

STORES = ("sqlite", "postgres")
# The suites that touch the store; the sandbox battery and model tests run once.
STORE_SUITES = ("tests/store/", "tests/registry/", "tests/workflows/", "tests/web/",
                "tests/core/test_session_and_cli.py")


def _wanted_stores() -> list[str]:
    wanted = os.environ.get("SELFENG_TEST_STORES")
    return [s for s in STORES if not wanted or s in wanted.split(",")]


def pytest_generate_tests(metafunc):
    path = str(metafunc.definition.fspath).replace(os.sep, "/")
    # A browser test exercises the page, not the store: once (on SQLite) is enough.
    page_only = metafunc.definition.get_closest_marker("browser") is not None
    if "store_backend" in metafunc.fixturenames and any(s in path for s in STORE_SUITES) and not page_only:
        only = metafunc.definition.get_closest_marker("stores")
        stores = [s for s in _wanted_stores() if only is None or s in only.args]
        metafunc.parametrize("store_backend", stores, indirect=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "stores(*names): run this store-suite test on these stores only")


def _stop_orphaned_test_servers(server_cls) -> None:
    """A session killed before its teardown (timeout, kill -9) leaves its server running: stop those
    whose owning pytest process is gone."""
    for owner in Path(tempfile.gettempdir()).glob("selfeng-pg-tests-*/owner.pid"):
        try:
            os.kill(int(owner.read_text()), 0)
            continue  # still running: another session's server
        except (ProcessLookupError, ValueError):
            pass
        except PermissionError:
            continue
        try:
            server_cls(owner.parent / "server", fast=True).stop()
        except Exception:  # noqa: BLE001 - housekeeping only
            continue
        shutil.rmtree(owner.parent, ignore_errors=True)


def private_pg_server():
    """A started PostgreSQL + pgvector server (durability off) in a fresh folder that records its owning
    pytest, so a later session can stop it if this one is killed; stopped and removed at the end."""
    from selfeng.store.pg_server import PgServer
    _stop_orphaned_test_servers(PgServer)
    base = tempfile.mkdtemp(prefix="selfeng-pg-tests-")
    os.chmod(base, 0o755)  # the server's unprivileged account must reach its folder inside
    Path(base, "owner.pid").write_text(str(os.getpid()))
    server = PgServer(os.path.join(base, "server"), fast=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL + pgvector server for the session; stopped at the end."""
    yield from private_pg_server()


def pg_schema_url(server) -> tuple[str, str]:
    """(url, schema): a fresh schema, first on the search_path (pgvector's type stays in public)."""
    import psycopg
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server.url, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    opts = quote(f"-csearch_path={schema},public", safe="")
    return f"{server.url}&options={opts}&application_name={schema}", schema


def drop_pg_schema(server, schema: str) -> None:
    import psycopg
    with psycopg.connect(server.url, autocommit=True) as c:
        # connections a test left open (a store it never closed) would keep the schema's locks
        c.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s", (schema,))
        c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def store_backend(request, monkeypatch):
    """The store this test runs on; for postgres, SELFENG_STORE/SELFENG_DATABASE_URL point at a fresh schema."""
    name = getattr(request, "param", "sqlite")
    monkeypatch.setenv("SELFENG_STORE", name)
    if name != "postgres":
        monkeypatch.delenv("SELFENG_DATABASE_URL", raising=False)
        yield name
        return
    server = request.getfixturevalue("pg_server")
    url, schema = pg_schema_url(server)
    monkeypatch.setenv("SELFENG_DATABASE_URL", url)
    yield name
    drop_pg_schema(server, schema)


def store_env() -> dict[str, str]:
    """The store variables of the running test, for tests that build settings from an explicit env."""
    return {k: os.environ[k] for k in ("SELFENG_STORE", "SELFENG_DATABASE_URL") if k in os.environ}


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch, request, store_backend):
    monkeypatch.setenv("SELFENG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SELFENG_ENV_FILE", str(tmp_path / "no.env"))
    if request.node.get_closest_marker("e2e") is None:
        monkeypatch.setenv("SELFENG_LLM_PROVIDER", "scripted")
        monkeypatch.delenv("SELFENG_SCRIPT", raising=False)
        import selfeng.llm as llm

        def _no_real_models(settings):
            raise AssertionError("a unit test tried to build a real LLM provider")

        for name in ("local", "openai", "anthropic"):
            monkeypatch.setitem(llm.PROVIDERS._factories, name, _no_real_models)
    yield
