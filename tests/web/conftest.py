"""Web fixtures: the real app around a real orchestrator (sandbox, store, embedder), model scripted.

`live_server` serves it on an ephemeral 127.0.0.1 port from a thread (real WebSocket transport);
`browser` is Debian's chromium driven by Playwright.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.core.helpers import make_orchestrator

REPO = Path(__file__).resolve().parents[2]
VENDOR = REPO / "selfeng" / "web" / "static" / "vendor"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@dataclass
class WebApp:
    app: Any
    socketio: Any
    orchestrator: Any
    provider: Any


def build_web(responses=None, **overrides) -> WebApp:
    from selfeng.web.app import create_app
    orch, provider = make_orchestrator(responses or [], **overrides)
    app, socketio = create_app(orch)
    app.config["TESTING"] = True
    return WebApp(app, socketio, orch, provider)


@pytest.fixture
def make_web():
    made: list[WebApp] = []

    def _make(responses=None, **overrides) -> WebApp:
        web = build_web(responses, **overrides)
        made.append(web)
        return web

    yield _make
    for web in made:
        web.app.extensions["selfeng"].queue.close(timeout=2)


@pytest.fixture
def live_server():
    """live_server(web) -> base URL; every server started is shut down after the test."""
    from selfeng.web.app import start_in_thread
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    servers = []

    def _start(web: WebApp) -> str:
        server, _ = start_in_thread(web.app, "127.0.0.1", 0)
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield _start
    for s in servers:
        s.shutdown()
        s.server_close()


def ensure_vendored() -> None:
    if not (VENDOR / "socket.io.min.js").is_file():
        subprocess.run([str(REPO / "scripts" / "web-assets")], check=True)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium, or scripts/setup --with-browser)")
    if shutil.which("npm") is None and not (VENDOR / "socket.io.min.js").is_file():
        pytest.skip("npm is missing, so the page's Socket.IO client cannot be vendored")
    ensure_vendored()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def screenshot(request):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, suffix: str = "", **kw) -> Path:
        path = SCREENSHOTS / f"{request.node.name}{'-' + suffix if suffix else ''}.png"
        page.screenshot(path=str(path), **kw)
        return path

    return _shot


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's chromium through Playwright")
