"""REST API: every route, bad input, limits, the token, and security headers (Flask test client, real pipeline)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.core.helpers import reverse_synthesis_script

STATIC = Path(__file__).resolve().parents[2] / "selfeng" / "web" / "static"
TEMPLATES = STATIC.parent / "templates"


def test_health_and_empty_library(make_web):
    client = make_web().app.test_client()
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json == {"status": "ok", "tool_count": 0, "auth_required": False,
                      "queue": {"running": 0, "waiting": 0}}
    assert client.get("/api/tools").json == {"tools": [], "count": 0}


def test_query_creates_tool_then_tool_routes_show_and_delete_it(make_web):
    web = make_web(reverse_synthesis_script())
    client = web.app.test_client()
    r = client.post("/api/query", json={"prompt": "Reverse the string 'hello world'"})
    assert r.status_code == 200, r.json
    body = r.json
    assert body["success"] is True and body["synthesized"] is True
    assert body["tool_name"] == "reverse_string" and body["tool_result"] == "dlrow olleh"
    assert "dlrow olleh" in body["response"]

    tools = client.get("/api/tools").json
    assert tools["count"] == 1
    (summary,) = tools["tools"]
    assert summary["name"] == "reverse_string" and summary["tests_verified"] is True
    assert "code" not in summary and "tests" not in summary

    tool = client.get("/api/tools/reverse_string").json
    assert "return s[::-1]" in tool["code"] and "def test_" in tool["tests"]
    assert tool["signature"].startswith("reverse_string(")
    assert tool["experimental"] is False

    assert client.get("/api/tools/no_such_tool").status_code == 404
    assert client.get("/api/tools/bad-name!").status_code == 400
    r = client.delete("/api/tools/reverse_string")
    assert r.status_code == 200 and r.json == {"deleted": "reverse_string", "count": 0}
    assert client.delete("/api/tools/reverse_string").status_code == 404
    assert client.delete("/api/tools/bad-name!").status_code == 400
    assert web.orchestrator.registry.get_tool_by_name("reverse_string") is None


def test_sessions_record_the_conversation(make_web):
    web = make_web(reverse_synthesis_script())
    client = web.app.test_client()
    r = client.post("/api/session")
    assert r.status_code == 201 and re.fullmatch(r"[0-9a-f-]{36}", r.json["session_id"])
    assert client.post("/api/session", json={"session_id": "my-session.1"}).json == {"session_id": "my-session.1"}
    assert client.get("/api/session/my-session.1/messages").json == {"session_id": "my-session.1", "messages": []}

    r = client.post("/api/query", json={"prompt": "Reverse the string 'hello world'", "session_id": "my-session.1"})
    assert r.status_code == 200 and r.json["session_id"] == "my-session.1"
    msgs = client.get("/api/session/my-session.1/messages").json["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant"]
    assert msgs[0]["content"] == "Reverse the string 'hello world'" and "dlrow olleh" in msgs[1]["content"]
    assert len(client.get("/api/session/my-session.1/messages?limit=1").json["messages"]) == 1


@pytest.mark.parametrize("body, status", [
    ({"session_id": "has space"}, 400),
    ({"session_id": "x" * 129}, 400),
    ({"session_id": 5}, 400),
    ([1, 2], 400),
])
def test_session_bad_input(make_web, body, status):
    r = make_web().app.test_client().post("/api/session", json=body)
    assert r.status_code == status and "error" in r.json


def test_session_bad_body_and_messages_bad_input(make_web):
    client = make_web().app.test_client()
    r = client.post("/api/session", data="not json", content_type="application/json")
    assert r.status_code == 400 and r.json["error"]
    assert client.get("/api/session/never-started/messages").status_code == 404
    client.post("/api/session", json={"session_id": "s1"})
    for limit in ("0", "201", "abc", "-1", "1.5"):
        r = client.get(f"/api/session/s1/messages?limit={limit}")
        assert r.status_code == 400 and "limit" in r.json["error"], limit
    assert client.get("/api/session/bad%20id/messages").status_code == 400


def test_query_bad_input(make_web):
    web = make_web(max_prompt_chars=50)
    client = web.app.test_client()
    r = client.post("/api/query", data="prompt=hi")  # a form post: not JSON
    assert r.status_code == 415 and r.json["error"]
    r = client.post("/api/query", data="{not json", content_type="application/json")
    assert r.status_code == 400
    for body in ({}, {"prompt": ""}, {"prompt": "   "}, {"prompt": 7}, ["prompt"],
                 {"prompt": "x" * 51}, {"prompt": "ok", "session_id": "bad id"}):
        r = client.post("/api/query", json=body)
        assert r.status_code == 400 and r.json["error"], body
    assert "limit is 50" in client.post("/api/query", json={"prompt": "x" * 51}).json["error"]
    assert web.provider.calls == []  # nothing reached the model


def test_body_size_limit_is_a_json_413(make_web):
    web = make_web()
    client = web.app.test_client()
    limit = web.app.config["MAX_CONTENT_LENGTH"]
    r = client.post("/api/query", data=json.dumps({"prompt": "x" * (limit + 10)}), content_type="application/json")
    assert r.status_code == 413 and "too large" in r.json["error"]


def test_unknown_routes_and_methods_are_json_errors(make_web):
    client = make_web().app.test_client()
    r = client.get("/api/nothing")
    assert r.status_code == 404 and r.json == {"error": "not found"}
    r = client.put("/api/tools")
    assert r.status_code == 405 and r.json == {"error": "method not allowed"}


def test_token_required_when_set(make_web, monkeypatch):
    monkeypatch.setenv("SELFENG_API_TOKEN", "s3cret-token")
    web = make_web(reverse_synthesis_script())
    client = web.app.test_client()
    good = {"Authorization": "Bearer s3cret-token"}
    for method, path in [("get", "/api/tools"), ("get", "/api/tools/reverse_string"),
                         ("delete", "/api/tools/reverse_string"), ("post", "/api/session"),
                         ("get", "/api/session/x/messages"), ("post", "/api/query")]:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}):
            r = getattr(client, method)(path, headers=headers)
            assert r.status_code == 401 and "token" in r.json["error"], (method, path, headers)
    assert client.get("/api/tools", headers=good).status_code == 200
    r = client.post("/api/query", json={"prompt": "Reverse the string 'hello world'"}, headers=good)
    assert r.status_code == 200 and r.json["tool_result"] == "dlrow olleh"
    # Health and the docs stay open; the document declares the scheme.
    assert client.get("/api/health").json["auth_required"] is True
    doc = client.get("/api/openapi.json").json
    assert doc["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert doc["paths"]["/api/tools"]["get"]["security"] == [{"bearerAuth": []}]
    assert client.get("/api/docs").status_code == 200

    # Socket.IO: the token goes in the connect auth.
    sio = web.socketio
    assert not sio.test_client(web.app).is_connected()
    assert not sio.test_client(web.app, auth={"token": "wrong"}).is_connected()
    ok = sio.test_client(web.app, auth={"token": "s3cret-token"})
    assert ok.is_connected()
    assert ok.get_received()[0] == {"name": "tool_count", "args": [{"count": 1}], "namespace": "/"}


def test_no_token_means_open(make_web):
    web = make_web()
    assert web.app.test_client().get("/api/tools").status_code == 200
    assert web.socketio.test_client(web.app).is_connected()
    assert "securitySchemes" not in web.app.test_client().get("/api/openapi.json").json["components"]


def test_foreign_host_header_is_refused(make_web):
    client = make_web().app.test_client()
    assert client.get("/", headers={"Host": "127.0.0.1:5000"}).status_code == 200
    r = client.get("/api/tools", headers={"Host": "evil.example:5000"})  # a DNS-rebinding page
    assert r.status_code == 400 and "Host" in r.json["error"]


def test_security_headers_and_no_cors(make_web):
    client = make_web().app.test_client()
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    r = client.get("/api/tools", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers


def test_secret_key_is_random_per_app_unless_configured(make_web, monkeypatch):
    a, b = make_web().app.config["SECRET_KEY"], make_web().app.config["SECRET_KEY"]
    assert a != b and len(a) >= 32
    monkeypatch.setenv("SELFENG_SECRET_KEY", "from-the-environment")
    assert make_web().app.config["SECRET_KEY"] == "from-the-environment"


def test_page_and_scripts_load_nothing_from_outside_and_never_parse_html():
    html = (TEMPLATES / "index.html").read_text() + (TEMPLATES / "docs.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "every asset must be served locally"
    for js in ("app.js", "docs.js"):
        code = (STATIC / js).read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in code, (js, sink)


def test_index_page_renders_examples_escaped(make_web):
    html = make_web().app.test_client().get("/").get_data(as_text=True)
    assert "Reverse the string &#39;hello world&#39;" in html
    assert "/static/vendor/socket.io.min.js" in html


def test_page_describes_and_colours_every_event_type():
    from selfeng import events
    code = (STATIC / "app.js").read_text()
    category = code[code.index("const CATEGORY = {"):code.index("};", code.index("const CATEGORY = {"))]
    names = [v for k, v in vars(events).items() if k.isupper() and isinstance(v, str)]
    assert "workflow_step_complete" in names and "composite_created" in names
    for name in names:
        assert re.search(rf"\b{name}:", category), f"{name} has no colour in the activity log"
        assert f'case "{name}":' in code, f"{name} has no description in the activity log"
