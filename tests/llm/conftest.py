"""Fixtures for the LLM provider tests: the assembled local model, and HTTP servers on 127.0.0.1."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

from selfeng.config import load_settings
from selfeng.llm.model_files import MODELS, model_path


def _assembled_model() -> Path | None:
    """The smallest assembled model (0.5B is ~2x faster than 1.5B), or the configured one."""
    settings = load_settings()
    if settings.local_model:
        p = Path(settings.local_model)
        return p if p.is_file() else None
    for size in ("0.5b", "1.5b"):
        p = settings.model_dir / MODELS[size].filename
        if p.is_file():
            return p
    return None


@pytest.fixture(scope="session")
def local_model_path() -> Path:
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed: run scripts/setup")
    path = _assembled_model()
    if path is None:
        pytest.skip(f"no local model assembled (looked for {model_path(load_settings(), '0.5b')} and the 1.5b "
                    "one): run scripts/setup or `python -m selfeng.llm.model_files --size 0.5b`")
    return path


@pytest.fixture(scope="session")
def local_provider(local_model_path):
    from selfeng.llm.local import LocalProvider
    return LocalProvider(local_model_path, n_ctx=4096)


Handler = Callable[[str, str, dict], tuple[int, dict]]  # (method, path, body) -> (status, json)


class StubServer:
    """A JSON-over-HTTP server on 127.0.0.1 standing in for a remote API; records every request."""

    def __init__(self, handle: Handler):
        self.requests: list[dict] = []
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}") if n else {}
                server.requests.append({"method": self.command, "path": self.path, "body": body,
                                        "headers": dict(self.headers)})
                status, payload = handle(self.command, self.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args):  # keep pytest output clean
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _H)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def stub_server():
    servers: list[StubServer] = []

    def start(handle: Handler) -> StubServer:
        servers.append(StubServer(handle))
        return servers[-1]

    yield start
    for s in servers:
        s.close()
