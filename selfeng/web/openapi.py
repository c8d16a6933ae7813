"""The REST API's OpenAPI 3 document, built from one place so tests can hold the routes to it."""
from __future__ import annotations

from typing import Any

TOOL_NAME = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", "maxLength": 64}
JOB_ID = {"type": "string", "pattern": r"^[0-9a-f]{32}$", "minLength": 32, "maxLength": 32}
SESSION_ID = {"type": "string", "pattern": r"^[A-Za-z0-9_.:-]{1,128}$", "minLength": 1, "maxLength": 128}
# JSON has no NaN or Infinity (browsers' JSON.parse rejects the bare tokens); REST and Socket.IO alike
# send them as strings.
NON_FINITE = ("Any JSON value the tool returned. Non-finite numbers anywhere in it (and anywhere else in "
              "REST bodies and Socket.IO events) are sent as the strings \"NaN\", \"Infinity\" and "
              "\"-Infinity\".")


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(ref_or_schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref_or_schema}}}


def build_openapi(*, max_prompt_chars: int, auth_required: bool, version: str = "0.1.0") -> dict[str, Any]:
    """The document for this app's configuration (prompt limit, whether a token is required)."""
    ref = lambda name: {"$ref": f"#/components/schemas/{name}"}  # noqa: E731
    protected: dict[str, Any] = {}
    if auth_required:
        # Declared only when a token is configured, so the document always tells the truth.
        protected = {"security": [{"bearerAuth": []}]}

    def op(summary: str, responses: dict, **extra) -> dict[str, Any]:
        out = {"summary": summary, "responses": responses, **protected, **extra}
        if auth_required:
            out["responses"] = {**responses, "401": _error("Missing or wrong API token")}
        return out

    name_param = {"name": "name", "in": "path", "required": True, "schema": TOOL_NAME}
    _accepted = {"description": "Not finished yet: poll the Location header's URL",
                 "headers": {"Location": {"schema": {"type": "string"}, "description": "/api/jobs/{job_id}"}},
                 "content": {"application/json": {"schema": ref("JobPending")}}}
    doc: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": "selfeng",
            "version": version,
            "description": (
                "REST API of the selfeng web server. Live progress of a request is on Socket.IO instead "
                "(client event `query`; server events `agent_event`, `query_complete`, `tool_count`, "
                "`session_memory`, `error`); multi-step requests add `agent_event` types `planning_query`, "
                "`plan_complete`, `workflow_*` and `composite_created`. `/api/analytics/*` reports what the "
                "workflow tracker has learned. When SELFENG_API_TOKEN is set, every route except health and "
                "these docs needs `Authorization: Bearer <token>`."),
        },
        "paths": {
            "/api/health": {"get": {"summary": "Liveness and basic facts", "security": [],
                                    "responses": {"200": _json(ref("Health"))}}},
            "/api/openapi.json": {"get": {"summary": "This document", "security": [],
                                          "responses": {"200": _json({"type": "object"})}}},
            "/api/docs": {"get": {"summary": "Interactive API documentation (HTML)", "security": [],
                                  "responses": {"200": {"description": "HTML page",
                                                        "content": {"text/html": {"schema": {"type": "string"}}}}}}},
            "/api/tools": {"get": op("All tools in the library, without code", {
                "200": _json({"type": "object", "required": ["tools", "count"], "properties": {
                    "tools": {"type": "array", "items": ref("ToolSummary")}, "count": {"type": "integer"}}})})},
            "/api/tools/{name}": {
                "parameters": [name_param],
                "get": op("One tool with its code and tests", {
                    "200": _json(ref("Tool")), "400": _error("Not a valid tool name"), "404": _error("No such tool")}),
                "delete": op("Delete a tool from the library", {
                    "200": _json({"type": "object", "required": ["deleted", "count"], "properties": {
                        "deleted": {"type": "string"}, "count": {"type": "integer"}}}),
                    "400": _error("Not a valid tool name"), "404": _error("No such tool")}),
            },
            "/api/session": {"post": op("Start a session (a new id, or the one given)", {
                "201": _json({"type": "object", "required": ["session_id"],
                              "properties": {"session_id": SESSION_ID}}, "Created"),
                "400": _error("Bad session id or body"), "413": _error("Body too large")},
                requestBody={"required": False, "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"session_id": SESSION_ID}}}}})},
            "/api/session/{session_id}/messages": {"get": op("A session's recent messages, oldest first", {
                "200": _json({"type": "object", "required": ["session_id", "messages"], "properties": {
                    "session_id": {"type": "string"}, "messages": {"type": "array", "items": ref("Message")}}}),
                "400": _error("Bad session id or limit"), "404": _error("No such session")},
                parameters=[{"name": "session_id", "in": "path", "required": True, "schema": SESSION_ID},
                            {"name": "limit", "in": "query", "required": False,
                             "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 20}}])},
            "/api/query": {"post": op(
                "Answer one request (for scripts); waits its turn in the queue, then for the answer up to "
                "SELFENG_REST_WAIT_SECONDS", {
                    "200": _json(ref("QueryResult"), "Processed (see `success`)"),
                    "202": _accepted,
                    "400": _error("Bad request body"), "413": _error("Body too large"),
                    "415": _error("Body is not JSON"),
                    "429": _error("This client already has SELFENG_MAX_WAITING_PER_CLIENT requests waiting"),
                    "500": _error("The job failed"),
                    "503": _error("Too many requests waiting")},
                requestBody={"required": True, "content": {"application/json": {"schema": ref("QueryRequest")}}})},
            "/api/jobs/{job_id}": {"get": op("A request's job: 202 while it waits or runs, then its answer", {
                "200": _json(ref("QueryResult"), "Finished (see `success`)"),
                "202": _accepted,
                "400": _error("Not a valid job id, or the request was invalid"),
                "404": _error("No such job (unknown, or finished long ago)"),
                "410": _error("The request was cancelled"), "500": _error("The job failed")},
                parameters=[{"name": "job_id", "in": "path", "required": True, "schema": JOB_ID}])},
            "/api/analytics/patterns": {"get": op("Learned multi-tool patterns, most frequent first", {
                "200": _json({"type": "object", "required": ["patterns", "count"], "properties": {
                    "patterns": {"type": "array", "items": ref("Pattern")}, "count": {"type": "integer"}}}),
                "400": _error("Bad min_frequency or limit")},
                parameters=[{"name": "min_frequency", "in": "query", "required": False,
                             "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000, "default": 2}},
                            {"name": "limit", "in": "query", "required": False,
                             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}}])},
            "/api/analytics/relationships": {"get": op("Which tool tends to follow which (a -> b)", {
                "200": _json({"type": "object", "required": ["relationships", "count"], "properties": {
                    "relationships": {"type": "array", "items": ref("Relationship")},
                    "count": {"type": "integer"}}}),
                "400": _error("Bad tool name or min_confidence")},
                parameters=[{"name": "tool", "in": "query", "required": False,
                             "description": "Only relationships this tool is part of", "schema": TOOL_NAME},
                            {"name": "min_confidence", "in": "query", "required": False,
                             "schema": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.5}}])},
            "/api/analytics/stats": {"get": op("Library, pattern and execution figures", {
                "200": _json(ref("Stats"))})},
        },
        "components": {
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
                "Health": {"type": "object", "required": ["status", "tool_count", "auth_required", "queue"],
                           "properties": {"status": {"type": "string", "enum": ["ok"]},
                                          "tool_count": {"type": "integer"},
                                          "auth_required": {"type": "boolean"},
                                          "queue": {"type": "object", "properties": {
                                              "running": {"type": "integer"}, "waiting": {"type": "integer"}}}}},
                "ToolSummary": {"type": "object", "required": ["name", "docstring", "signature"], "properties": {
                    "name": {"type": "string"}, "docstring": {"type": "string"},
                    "signature": {"type": "string"}, "tests_verified": {"type": "boolean"},
                    "experimental": {"type": "boolean"}, "usage_count": {"type": "integer"},
                    "success_rate": {"type": "number"}, "timestamp": {"type": "string", "nullable": True},
                    "component_tools": {"type": "array", "items": {"type": "string"},
                                        "description": "Non-empty for a composite tool: the tools it chains"}}},
                "Tool": {"allOf": [ref("ToolSummary"), {"type": "object", "required": ["code", "tests"],
                                                        "properties": {"code": {"type": "string"},
                                                                       "tests": {"type": "string"}}}]},
                "Message": {"type": "object", "required": ["role", "content"], "properties": {
                    "role": {"type": "string", "enum": ["user", "assistant"]}, "content": {"type": "string"},
                    "created_at": {"type": "string"}, "message_index": {"type": "integer"}}},
                "Pattern": {"type": "object", "required": ["pattern_name", "tool_sequence", "frequency",
                                                           "avg_success_rate", "confidence_score"], "properties": {
                    "id": {"type": "integer"}, "pattern_name": {"type": "string"},
                    "tool_sequence": {"type": "array", "items": {"type": "string"}},
                    "frequency": {"type": "integer"}, "avg_success_rate": {"type": "number"},
                    "confidence_score": {"type": "number"}, "description": {"type": "string", "nullable": True},
                    "composite_tool": {"type": "string", "nullable": True},
                    "created_at": {"type": "string", "nullable": True},
                    "updated_at": {"type": "string", "nullable": True}}},
                "Relationship": {"type": "object", "required": ["tool_a", "tool_b", "count", "confidence_score"],
                                 "properties": {"tool_a": {"type": "string"}, "tool_b": {"type": "string"},
                                                "count": {"type": "integer"},
                                                "confidence_score": {"type": "number"}}},
                "Stats": {"type": "object", "required": [
                    "tool_count", "composite_count", "pattern_count", "execution_count", "execution_success_rate",
                    "top_tools", "composites"], "properties": {
                    "tool_count": {"type": "integer"}, "composite_count": {"type": "integer"},
                    "pattern_count": {"type": "integer", "description": "Tool sequences seen at least twice"},
                    "sequence_count": {"type": "integer", "description": "Tool sequences seen at least once"},
                    "relationship_count": {"type": "integer"},
                    "execution_count": {"type": "integer"},
                    "execution_success_rate": {"type": "number", "nullable": True},
                    "workflow_run_count": {"type": "integer"},
                    "top_tools": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "usage_count": {"type": "integer"},
                        "success_rate": {"type": "number"}, "composite": {"type": "boolean"}}}},
                    "composites": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}, "component_tools": {"type": "array", "items": {"type": "string"}},
                        "usage_count": {"type": "integer"}, "success_rate": {"type": "number"},
                        "pattern_frequency": {"type": "integer", "nullable": True},
                        "pattern_confidence": {"type": "number", "nullable": True}}}}}},
                "JobPending": {"type": "object", "required": ["job_id", "status"], "properties": {
                    "job_id": JOB_ID, "status": {"type": "string", "enum": ["waiting", "running"]},
                    "position": {"type": "integer", "nullable": True,
                                 "description": "Requests ahead while waiting (running ones included)"}}},
                "QueryRequest": {"type": "object", "required": ["prompt"], "properties": {
                    "prompt": {"type": "string", "minLength": 1, "maxLength": max_prompt_chars},
                    "session_id": {**SESSION_ID, "nullable": True}}},
                "QueryResult": {"type": "object",
                                "required": ["success", "response", "tool_name", "synthesized", "session_id"],
                                "properties": {
                                    "success": {"type": "boolean"}, "response": {"type": "string"},
                                    "tool_name": {"type": "string", "nullable": True},
                                    "tool_result": {"nullable": True, "description": NON_FINITE},
                                    "synthesized": {"type": "boolean"},
                                    "session_id": {"type": "string", "nullable": True},
                                    "error": {"type": "string", "nullable": True},
                                    "error_type": {"type": "string", "nullable": True},
                                    "usage": {"type": "object"}, "timings": {"type": "object"},
                                    "strategy": {"type": "string", "description": "The plan's strategy"},
                                    "workflow": {"type": "object", "nullable": True,
                                                 "description": "Multi-step requests: results, tool_sequence, "
                                                                "failed_step, skipped_steps, synthesized_tools"},
                                    "composite_created": {"type": "string", "nullable": True},
                                    "job_id": JOB_ID}},
            },
        },
    }
    if auth_required:
        doc["components"]["securitySchemes"] = {"bearerAuth": {"type": "http", "scheme": "bearer"}}
    return doc
