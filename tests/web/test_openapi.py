"""The OpenAPI document matches the app's routes, and schemathesis finds no contract violation."""
from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode


SKIP_METHODS = {"HEAD", "OPTIONS"}


def _app_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        routes |= {(path, m.lower()) for m in rule.methods - SKIP_METHODS}
    return routes


def test_document_lists_exactly_the_apps_api_routes(make_web):
    web = make_web()
    doc = web.app.test_client().get("/api/openapi.json").json
    assert doc["openapi"].startswith("3.")
    documented = {(path, method) for path, item in doc["paths"].items()
                  for method in item if method in {"get", "post", "put", "patch", "delete"}}
    assert documented == _app_routes(web.app)
    # Every documented path parameter exists in its path.
    for path, item in doc["paths"].items():
        params = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for op in [item, *[v for k, v in item.items() if isinstance(v, dict)]]
                    for p in op.get("parameters", []) if p["in"] == "path"}
        assert params == declared, path


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    for result in schema.get_all_operations():
        yield result.ok()


# Read-only routes, and bad input everywhere. POST /api/query gets only schema-violating bodies (negative
# mode): a valid prompt would need model replies, and test_api.py drives that route with a script.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_to_its_document(make_web, mode):
    web = make_web()
    web.orchestrator.registry.add_tool("reverse_string", "def reverse_string(s: str) -> str:\n    return s[::-1]\n",
                                       "def test_it():\n    assert True\n", "Reverse a string.")
    web.orchestrator.memory_manager.start_session("s1")
    _learn_a_pattern(web.orchestrator)
    ran, analytics = [], set()
    for op in _operations(web.app):
        if op.method.upper() == "DELETE" or (op.method.upper(), op.path) == ("POST", "/api/session"):
            continue  # they change state: covered by test_api.py
        if (op.method.upper(), op.path) == ("POST", "/api/query") and mode is GenerationMode.POSITIVE:
            continue

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            response = case.call_and_validate()
            assert response.status_code < 500, (case.method, case.path, response.text)
            ran.append(response.status_code)
            if case.path.startswith("/api/analytics/") and response.status_code == 200:
                analytics.add(case.path)

        try:
            check()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, op.label  # nothing in it to make invalid (no parameters)
    assert ran and any(code >= 400 for code in ran)
    if mode is GenerationMode.POSITIVE:
        assert analytics == {"/api/analytics/patterns", "/api/analytics/relationships", "/api/analytics/stats"}


def _learn_a_pattern(orch) -> None:
    """Two tracked workflows of the same pair and its composite, so analytics answers hold real rows."""
    for name, body in (("double", "return 2 * x"), ("halve", "return x / 2")):
        orch.registry.add_tool(name, f"def {name}(x: float) -> float:\n    {body}\n",
                               "def test_it():\n    assert True\n", f"{name.title()} a number.")
    for x in (3, 5):
        sid = orch.workflow_tracker.start_session("s1")
        orch.workflow_tracker.log_execution("double", {"x": x}, 2 * x, True, 1, session_id=sid)
        orch.workflow_tracker.log_execution("halve", {"x": 2 * x}, x, True, 1, session_id=sid)
        orch.workflow_tracker.end_session(sid, user_prompt=f"double {x} then halve it")
    orch.registry.add_tool("double_then_halve", "def double_then_halve(x: float) -> float:\n    return x\n",
                           "def test_it():\n    assert True\n", "Double, then halve.",
                           component_tools=["double", "halve"])
