"""Fixtures for the sandbox tests: a real SecureSandbox over a per-test data directory."""
from __future__ import annotations

import os

import pytest

from selfeng.config import load_settings
from selfeng.sandbox import SecureSandbox


def pytest_collection_modifyitems(config, items):
    # The bwrap recipe needs root (see selfeng/sandbox/bwrap.py); say so instead of failing obscurely.
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="the bwrap sandbox backend runs as root")
        for item in items:
            if "tests/sandbox/" in str(item.fspath).replace(os.sep, "/"):
                item.add_marker(skip)


@pytest.fixture
def settings(tmp_path):
    s = load_settings(env={"SELFENG_DATA_DIR": str(tmp_path / "selfeng"),
                           "SELFENG_CACHE_DIR": str(tmp_path / "cache")}, env_file=os.devnull)
    s.ensure_dirs()
    return s


@pytest.fixture
def sandbox(settings):
    return SecureSandbox(settings)
