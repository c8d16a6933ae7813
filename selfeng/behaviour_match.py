"""A new tool that behaves like one the library already has is that tool, asked for in other words.

Retrieval misses paraphrases whose score stays below the floor: in a library of ten tools the model had
just written, "what is 'drawer' spelled back to front" scored 0.22 for `reverse_text` and "a 20 percent tip
on 85" 0.26 for `calculate_percentage` (floor 0.4). So the request was synthesised again, and the library
gained `reverse_string` and `calculate_tip`: duplicates, and the next paraphrase faces two near-equal
candidates. Lowering the floor is not the fix (on the routing set's tune half, most below-floor top
candidates fit nothing, and the embedded model confirms such fits too often).

The new tool's verified tests are better evidence than any score: they say what was asked, with values.
When an existing verified tool, called with the same arguments in the same order, passes every one of
them, and enough of them say something about the code (answers that are not True/False, None, empty or
one of the arguments, the arbitration's bar for an anchor), the request is answered by that tool. It then
keeps the request as one of its past requests, so the next paraphrase finds it by retrieval.
"""
from __future__ import annotations

import logging

from .anchors import says_something
from .observations import Case

log = logging.getLogger(__name__)

CANDIDATES = 3      # the request's nearest tools that are run on the new tests
MIN_INFORMATIVE = 2  # informative passed cases needed before two tools are taken for one


def informative(case: Case) -> bool:
    """Does the case's answer say something about the code (`anchors.strong_anchor`, judged on the expected
    value instead of an observed one, since nothing has run yet)?"""
    if case.probe or case.expected is None or isinstance(case.expected, bool):
        return False
    return says_something(case)


def existing_twin(registry, sandbox, spec: dict, tests: str, cases: list[Case], request: str) -> dict | None:
    """The existing tool (as `registry.search_candidates` gives it) that passes every one of the new tool's
    `tests`, or None. Only the request's nearest verified, non-composite tools with as many parameters are
    tried, each in one sandbox run."""
    if sum(informative(c) for c in cases) < MIN_INFORMATIVE:
        return None
    new, params = spec["function_name"], [p["name"] for p in spec["parameters"]]
    for tool in registry.search_candidates(request, k=CANDIDATES):
        if tool["name"] == new or not tool.get("tests_verified") or tool.get("experimental") \
                or tool.get("component_tools") or len(tool.get("parameters") or []) != len(params):
            continue
        # The new tests call `new` with keyword arguments; the existing tool is called with the same values in
        # the same order, under its own name.
        adapter = (f"{tool['code'].rstrip()}\n\n\ndef {new}({', '.join(params)}):\n"
                   f"    return {tool['name']}({', '.join(params)})\n")
        try:
            report = sandbox.verify_tool(new, adapter, tests)
        except Exception:  # noqa: BLE001 - a comparison that cannot run finds no twin; the new tool stays
            log.warning("could not compare %s with %s", new, tool["name"], exc_info=True)
            continue
        if report.get("success") and report.get("tests_failed", 0) == 0:
            return tool
    return None
