"""Fixtures for the sandbox tests: a real SecureSandbox over a per-test data directory, on every backend.

Every test that takes `settings` or `sandbox` runs once per backend (bwrap, docker). The Docker backend
needs an engine: an existing one (DOCKER_HOST or the default socket) is used; otherwise selfeng's own is
started for the session under the cache directory and stopped afterwards. The image is built once per
recipe (cached by its hash). `@pytest.mark.backends("bwrap")` limits a test to some backends.
"""
from __future__ import annotations

import os

import pytest

from selfeng.config import load_settings
from selfeng.sandbox import SecureSandbox

BACKENDS = ("bwrap", "docker")


def pytest_configure(config):
    config.addinivalue_line("markers", "backends(*names): run this sandbox test on these backends only")


def pytest_collection_modifyitems(config, items):
    # Both backends need root (see selfeng/sandbox/bwrap.py, docker_engine.py); say so instead of failing.
    for item in items:
        if "tests/sandbox/" not in str(item.fspath).replace(os.sep, "/"):
            continue
        if os.geteuid() != 0:
            item.add_marker(pytest.mark.skip(reason="the sandbox backends run as root"))
            continue
        marker = item.get_closest_marker("backends")
        backend = getattr(item, "callspec", None) and item.callspec.params.get("backend_name")
        if marker and backend and backend not in marker.args:
            item.add_marker(pytest.mark.skip(reason=f"not a {backend} test"))


@pytest.fixture(scope="session")
def docker_engine():
    """DOCKER_HOST of a running engine with the sandbox image; ours is stopped at the end of the session."""
    from selfeng.sandbox import docker_engine
    from selfeng.sandbox.docker import DockerBackend, close_pools

    # The real cache directory (not a test's): the image and its root filesystem are built once.
    real = load_settings(env={**os.environ, "SELFENG_SANDBOX": "docker"}, env_file=os.devnull)
    root = docker_engine.engine_root(real.cache_dir)
    host = docker_engine.find_engine(real.cache_dir)
    started = False
    if host is None:
        host, started = docker_engine.start(root)
    previous = os.environ.get("DOCKER_HOST")
    os.environ["DOCKER_HOST"] = host
    DockerBackend(real).ensure_image_exists()
    yield host
    close_pools()
    if previous is None:
        os.environ.pop("DOCKER_HOST", None)
    else:
        os.environ["DOCKER_HOST"] = previous
    if started:
        docker_engine.stop(root)


@pytest.fixture(params=BACKENDS)
def backend_name(request):
    if request.param == "docker":
        request.getfixturevalue("docker_engine")
    return request.param


@pytest.fixture
def settings(tmp_path, backend_name):
    s = load_settings(env={"SELFENG_DATA_DIR": str(tmp_path / "selfeng"),
                           "SELFENG_CACHE_DIR": str(tmp_path / "cache"),
                           "SELFENG_SANDBOX": backend_name}, env_file=os.devnull)
    s.ensure_dirs()
    return s


@pytest.fixture
def sandbox(settings):
    return SecureSandbox(settings)
