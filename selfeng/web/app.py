"""The web interface: a page with live progress over Socket.IO, and a REST API described by OpenAPI.

Requests run one at a time on a FIFO job queue (one local model serialises them), so socket handlers
return at once and other clients stay responsive; with SELFENG_BROKER_URL set they go to Celery workers
instead (`selfeng.broker`), which emit each request's events to its client through the Socket.IO message
queue. REST waits at most SELFENG_REST_WAIT_SECONDS, then answers 202 with the job's id to poll at
`/api/jobs/{job_id}`. A client may have SELFENG_MAX_WAITING_PER_CLIENT jobs waiting; a departed Socket.IO
client's jobs are cancelled. A request's events go only to the client that sent it
(its sid room); only `tool_count` is broadcast. Extra event beyond the seeds': `agent_event` with
`event_type: "queued"` and `data: {position}` (requests ahead, the running one included) while it waits.
`/api/analytics/*` reads what the workflow tracker learned (patterns, tool relationships, figures).
"""
from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_socketio import SocketIO
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, make_server as _werkzeug_server

from ..config import Settings, load_settings
from .dispatch import jsonable as _jsonable
from .dispatch import run_rest_request, run_socket_request
from .guard import BadArgument, WebState, api_token, float_arg, int_arg, is_loopback, secret_key
from .jobs import ClientLimit, Job, JobQueue, QueueFull
from .openapi import TOOL_NAME, build_openapi
from .summaries import analytics_stats, tool_summary

log = logging.getLogger(__name__)

_TOOL_NAME = re.compile(TOOL_NAME["pattern"])
_JOB_ID = re.compile(r"[0-9a-f]{32}")
_PUBLIC_API = {"/api/health", "/api/openapi.json", "/api/docs"}
# The page loads only its own files; 'self' also covers same-origin ws:// in CSP level 3 browsers.
_CSP_PAGE = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Swagger UI sets inline styles; it still runs only our local scripts and talks only to us.
_CSP_DOCS = _CSP_PAGE.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PATTERN_KEYS = ("id", "pattern_name", "tool_sequence", "frequency", "avg_success_rate", "confidence_score",
                "description", "composite_tool", "created_at", "updated_at")
EXAMPLE_QUERIES = (
    "Reverse the string 'hello world'",
    "Count the vowels in 'self-engineering agent'",
    "What is the factorial of 10?",
    "Convert 100 degrees Fahrenheit to Celsius",
)


class _FiniteJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with non-finite floats as strings: every REST body is valid JSON."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return super().dumps(json.loads(super().dumps(obj), parse_constant=str), **kwargs)


class _FiniteJSON:
    """The json module Socket.IO packets use: the same rule as REST."""

    @staticmethod
    def dumps(obj: Any, *args: Any, **kwargs: Any) -> str:
        return json.dumps(_jsonable(obj), *args, **kwargs)

    loads = staticmethod(json.loads)


def _error(message: str, status: int) -> tuple[Response, int]:
    return jsonify({"error": message}), status


SOCKETIO_CHANNEL = "selfeng-socketio"


def _make_queue(settings: Settings, socketio: SocketIO, orchestrator):
    limits = {"max_waiting": int(getattr(settings, "max_waiting", 64)),
              "max_per_owner": getattr(settings, "max_waiting_per_client", None)}
    if not getattr(settings, "broker_url", None):
        return JobQueue(**limits)
    from ..broker.queue import BrokerQueue
    return BrokerQueue(settings, socketio, orchestrator=orchestrator, **limits)


def _job_body(job: Job) -> tuple[Response, int]:
    """A finished job as REST answers it; a waiting or running one as 202 with where to poll."""
    if not job.done.is_set():
        body = {"job_id": job.id, "status": job.status, "position": job.position}
        resp = jsonify(body)
        resp.headers["Location"] = f"/api/jobs/{job.id}"
        resp.headers["Retry-After"] = "1"
        return resp, 202
    if job.cancelled:
        return jsonify({"error": "the request was cancelled", "job_id": job.id}), 410
    if job.error is not None:
        return jsonify({"error": f"internal error: {job.error}", "job_id": job.id}), 500
    result = _jsonable(job.result)
    result["job_id"] = job.id
    return jsonify(result), 400 if result.get("error_type") == "invalid_request" else 200


def create_app(orchestrator=None, settings: Settings | None = None) -> tuple[Flask, SocketIO]:
    """Build the Flask app and its Socket.IO server around one orchestrator (made from settings if absent)."""
    if settings is None:
        settings = orchestrator.settings if orchestrator is not None else load_settings()
    if orchestrator is None:
        from ..orchestrator import AgentOrchestrator
        orchestrator = AgentOrchestrator(settings=settings)
    state = WebState(orchestrator, settings)

    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.json = _FiniteJSONProvider(app)
    # A prompt of max_prompt_chars, JSON-escaped at worst 6 bytes a character, plus room for the envelope.
    max_body = max(64 * 1024, state.max_prompt_chars * 6 + 4096)
    app.config.update(SECRET_KEY=secret_key(settings), MAX_CONTENT_LENGTH=max_body)
    app.extensions["selfeng"] = state
    # cors_allowed_origins=None: python-engineio accepts only the server's own origin.
    broker_url = getattr(settings, "broker_url", None)
    # With a broker, workers in other processes emit to our clients through Redis pub/sub.
    socketio = SocketIO(app, async_mode="threading", cors_allowed_origins=None, max_http_buffer_size=max_body,
                        ping_interval=20, ping_timeout=30, json=_FiniteJSON,
                        **({"message_queue": broker_url, "channel": SOCKETIO_CHANNEL} if broker_url else {}))
    state.queue = _make_queue(settings, socketio, orchestrator)
    # This front holds its clients' sockets: with a message queue, emit to them directly (no round trip
    # through Redis, and an error still reaches the client while the broker is away).
    direct = {"ignore_queue": True} if broker_url else {}
    openapi_doc = build_openapi(max_prompt_chars=state.max_prompt_chars, auth_required=bool(state.token))

    def broadcast_tool_count() -> None:
        socketio.emit("tool_count", {"count": orchestrator.registry.count_tools()})

    # -- cross-cutting: host check, token, security headers, JSON errors -------------------------------
    @app.before_request
    def _guard():
        if not state.host_ok(request.headers.get("Host")):
            return _error("unrecognised Host header", 400)
        if request.path.startswith("/api/") and request.path not in _PUBLIC_API:
            auth = request.headers.get("Authorization", "")
            presented = auth[7:] if auth[:7].lower() == "bearer " else None
            if not state.token_ok(presented):
                return _error("missing or wrong API token (Authorization: Bearer <token>)", 401)
        return None

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy",
                                    _CSP_DOCS if request.path == "/api/docs" else _CSP_PAGE)
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if request.path.startswith("/api/") or exc.code == 413:
            messages = {404: "not found", 405: "method not allowed",
                        413: f"request body too large (limit {max_body} bytes)"}
            return _error(messages.get(exc.code, exc.description or exc.name), exc.code or 500)
        return exc

    @app.errorhandler(BadArgument)
    def _bad_argument(exc: BadArgument):
        return _error(str(exc), 400)

    @app.errorhandler(Exception)
    def _internal_error(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return _error("internal error", 500)

    # -- pages ---------------------------------------------------------------------------------------
    @app.get("/")
    def index():
        return render_template("index.html", examples=EXAMPLE_QUERIES, max_prompt_chars=state.max_prompt_chars)

    @app.get("/api/docs")
    def api_docs():
        return render_template("docs.html")

    @app.get("/api/openapi.json")
    def api_openapi():
        return jsonify(openapi_doc)

    # -- REST ----------------------------------------------------------------------------------------
    @app.get("/api/health")
    def api_health():
        return jsonify({"status": "ok", "tool_count": orchestrator.registry.count_tools(),
                        "auth_required": bool(state.token), "queue": state.queue.snapshot()})

    @app.get("/api/tools")
    def api_tools():
        tools = [tool_summary(t) for t in orchestrator.registry.get_all_tools()]
        return jsonify({"tools": tools, "count": len(tools)})

    @app.get("/api/tools/<name>")
    def api_tool(name: str):
        if not _TOOL_NAME.fullmatch(name):
            return _error("not a valid tool name", 400)
        tool = orchestrator.registry.get_tool_by_name(name)
        if tool is None:
            return _error(f"no tool named {name!r}", 404)
        return jsonify({**tool_summary(tool), "code": tool.get("code") or "", "tests": tool.get("tests") or ""})

    @app.delete("/api/tools/<name>")
    def api_delete_tool(name: str):
        if not _TOOL_NAME.fullmatch(name):
            return _error("not a valid tool name", 400)
        if not orchestrator.registry.delete_tool(name):
            return _error(f"no tool named {name!r}", 404)
        count = orchestrator.registry.count_tools()
        socketio.emit("tool_count", {"count": count})
        return jsonify({"deleted": name, "count": count})

    @app.post("/api/session")
    def api_new_session():
        session_id = None
        if request.get_data(cache=True):
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return _error("body must be a JSON object (or empty)", 400)
            session_id = body.get("session_id")
            problem = state.session_problem(session_id)
            if problem:
                return _error(problem, 400)
        return jsonify({"session_id": orchestrator.memory_manager.start_session(session_id)}), 201

    @app.get("/api/session/<session_id>/messages")
    def api_session_messages(session_id: str):
        problem = state.session_problem(session_id, optional=False)
        if problem:
            return _error(problem, 400)
        raw = request.args.get("limit", "20")
        if not re.fullmatch(r"\d{1,4}", raw) or not 1 <= int(raw) <= 200:
            return _error("'limit' must be an integer from 1 to 200", 400)
        if not state.session_exists(session_id):
            return _error(f"no session {session_id!r}", 404)
        return jsonify({"session_id": session_id, "messages": state.recent_messages(session_id, int(raw))})

    @app.post("/api/query")
    def api_query():
        if not request.is_json:
            return _error("body must be JSON (Content-Type: application/json)", 415)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _error("body must be a JSON object with a 'prompt'", 400)
        prompt, session_id = body.get("prompt"), body.get("session_id")
        problem = state.prompt_problem(prompt) or state.session_problem(session_id)
        if problem:
            return _error(problem, 400)

        job = Job(run=lambda: run_rest_request(orchestrator, prompt, session_id, tool_count=broadcast_tool_count),
                  owner=f"rest:{request.remote_addr}",
                  request={"kind": "rest", "prompt": prompt, "session_id": session_id})
        try:
            state.queue.submit(job)
        except ClientLimit as exc:
            return _error(str(exc), 429)
        except QueueFull as exc:
            return _error(str(exc), 503)
        job.finished(state.rest_wait)
        return _job_body(job)

    @app.get("/api/jobs/<job_id>")
    def api_job(job_id: str):
        if not _JOB_ID.fullmatch(job_id):
            return _error("not a valid job id", 400)
        job = state.queue.get(job_id)
        if job is None:
            return _error(f"no job {job_id!r} (unknown, or finished long ago)", 404)
        return _job_body(job)

    # -- analytics: what the workflow tracker has learned -----------------------------------------------
    @app.get("/api/analytics/patterns")
    def api_patterns():
        min_frequency = int_arg("min_frequency", 2, 1, 1_000_000)
        limit = int_arg("limit", 10, 1, 100)
        rows = orchestrator.workflow_tracker.get_workflow_patterns(min_frequency=min_frequency, limit=limit)
        patterns = _jsonable([{k: p.get(k) for k in PATTERN_KEYS} for p in rows])
        return jsonify({"patterns": patterns, "count": len(patterns)})

    @app.get("/api/analytics/relationships")
    def api_relationships():
        tool = request.args.get("tool")
        if tool is not None and not _TOOL_NAME.fullmatch(tool):
            raise BadArgument("'tool' must be a tool name")
        min_confidence = float_arg("min_confidence", 0.5, 0.0, 1.0)
        rows = orchestrator.workflow_tracker.get_tool_relationships(tool_name=tool, min_confidence=min_confidence)
        relationships = _jsonable([{k: r.get(k) for k in ("tool_a", "tool_b", "count", "confidence_score")}
                                   for r in rows])
        return jsonify({"relationships": relationships, "count": len(relationships)})

    @app.get("/api/analytics/stats")
    def api_stats():
        return jsonify(_jsonable(analytics_stats(orchestrator)))

    # -- Socket.IO -----------------------------------------------------------------------------------
    @socketio.on("connect")
    def on_connect(auth=None):
        if not state.host_ok(request.headers.get("Host")):
            raise ConnectionRefusedError("unrecognised Host header")
        token = auth.get("token") if isinstance(auth, dict) else None
        if not state.token_ok(token):
            raise ConnectionRefusedError("unauthorized")
        socketio.emit("tool_count", {"count": orchestrator.registry.count_tools()}, to=request.sid)

    @socketio.on("disconnect")
    def on_disconnect(*_args):
        state.queue.cancel_owner(request.sid)

    @socketio.on("query")
    def on_query(data=None):
        sid = request.sid

        def send(event: str, payload: dict) -> None:
            socketio.emit(event, payload, to=sid, **direct)

        if not isinstance(data, dict):
            return send("error", {"message": "query needs an object {prompt, session_id}"})
        prompt, session_id = data.get("prompt"), data.get("session_id") or None
        problem = state.prompt_problem(prompt) or state.session_problem(session_id)
        if problem:
            return send("error", {"message": problem})

        job = Job(owner=sid, request={"kind": "socket", "prompt": prompt, "session_id": session_id, "sid": sid},
                  on_position=lambda p: send("agent_event", {"event_type": "queued", "data": {"position": p}}))
        job.run = lambda: run_socket_request(orchestrator, send, prompt, session_id, job,
                                             tool_count=broadcast_tool_count)
        try:
            state.queue.submit(job)
        except QueueFull as exc:
            send("error", {"message": str(exc)})
        return None

    @socketio.on("get_session_memory")
    def on_session_memory(data=None):
        session_id = data.get("session_id") if isinstance(data, dict) else None
        problem = state.session_problem(session_id, optional=False)
        if problem:
            return socketio.emit("error", {"message": problem}, to=request.sid)
        socketio.emit("session_memory", {"session_id": session_id,
                                         "messages": state.recent_messages(session_id)}, to=request.sid)
        return None

    return app, socketio


def make_server(app: Flask, host: str = "127.0.0.1", port: int = 5000) -> BaseWSGIServer:
    """A threaded Werkzeug server for `app` (port 0 picks a free one: see `.server_port`).

    Werkzeug hands the raw socket to simple-websocket, so Socket.IO runs over a real WebSocket.
    """
    state: WebState | None = app.extensions.get("selfeng")
    if state is not None and state.allowed_hosts is not None and not is_loopback(host):
        if host in ("0.0.0.0", "::", ""):
            state.allowed_hosts = None  # any interface: names are unknowable; rely on the token
        else:
            state.allowed_hosts.add(host.lower())
    return _werkzeug_server(host, port, app, threaded=True)


def _preload_model(orchestrator) -> None:
    try:
        orchestrator.llm_client.provider
    except Exception as exc:  # noqa: BLE001 - a missing model is reported on the first request instead
        log.warning("could not preload the local model: %s", exc)


def serve(host: str = "127.0.0.1", port: int = 5000) -> None:
    """Run the web interface until interrupted."""
    settings = load_settings()
    app, _ = create_app(settings=settings)
    if not is_loopback(host) and not api_token(settings):
        log.warning("serving on %s without SELFENG_API_TOKEN: anyone who can reach it can use it", host)
    server = make_server(app, host, port)
    shown = f"[{host}]" if ":" in host else host
    print(f"selfeng web interface on http://{shown}:{server.server_port}/  (Ctrl+C to stop)", flush=True)
    if settings.llm_provider == "local":
        # Load the embedded model while the user opens the page, not on their first request.
        threading.Thread(target=_preload_model, args=(app.extensions["selfeng"].orchestrator,),
                         name="selfeng-preload", daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.extensions["selfeng"].queue.close(timeout=1.0)


def start_in_thread(app: Flask, host: str = "127.0.0.1", port: int = 0) -> tuple[BaseWSGIServer, threading.Thread]:
    """Serve `app` from a daemon thread (tests, benchmarks). Stop with `server.shutdown()`."""
    server = make_server(app, host, port)
    thread = threading.Thread(target=server.serve_forever, name="selfeng-web", daemon=True)
    thread.start()
    return server, thread
