"""NaN and ±Infinity in results reach clients as valid JSON (strings), on REST and on Socket.IO."""
from __future__ import annotations

import json
import math

from socketio import packet


def _strict(text: str):
    """Parse as a browser's JSON.parse would: bare NaN/Infinity tokens are an error."""
    def refuse(token):
        raise ValueError(f"invalid JSON token {token}")
    return json.loads(text, parse_constant=refuse)


VALUE = {"tool_result": [math.nan, math.inf, -math.inf, 1.5], "nested": {"x": math.nan}}
EXPECTED = {"tool_result": ["NaN", "Infinity", "-Infinity", 1.5], "nested": {"x": "NaN"}}


def test_rest_bodies_carry_non_finite_numbers_as_strings(make_web):
    web = make_web()
    with web.app.test_request_context():
        from flask import jsonify
        body = jsonify(VALUE).get_data(as_text=True)
    assert _strict(body) == EXPECTED


def test_socketio_packets_carry_non_finite_numbers_as_strings(make_web):
    make_web()  # create_app configures the Socket.IO server's JSON
    encoded = packet.Packet(packet.EVENT, data=["query_complete", VALUE]).encode()
    assert _strict(encoded[encoded.index("["):]) == ["query_complete", EXPECTED]


def test_the_openapi_document_says_how(make_web):
    doc = make_web().app.test_client().get("/api/openapi.json").json
    described = doc["components"]["schemas"]["QueryResult"]["properties"]["tool_result"]["description"]
    assert '"NaN"' in described and '"Infinity"' in described
