"""Promoting a learned workflow into a composite tool whose code calls its component tools.

The composite is written from what was observed, not guessed: its data flow (which parameter took which
earlier result) comes from the recorded runs, and its tests are those runs' inputs and final outputs.
It is verified in the sandbox with the components importable, then registered with `component_tools`.
"""
from __future__ import annotations

import hashlib
import json
import keyword
from typing import Any

from .case_replies import render_tests


MIN_DISTINCT_RUNS = 2


def composite_name(sequence: list[str]) -> str:
    name = "_then_".join(sequence)
    if len(name) > 60:
        name = f"{sequence[0][:24]}_workflow_{hashlib.sha1(name.encode()).hexdigest()[:8]}"
    return name


def _flow(run: dict) -> list[dict]:
    """Per step: tool, {param: earlier step index} bindings, and free (user-given) params."""
    flow = []
    for step in run["steps"]:
        bindings = {p: int(str(src).removeprefix("step")) for p, src in (step.get("bindings") or {}).items()}
        free = [p for p in (step.get("arguments") or {}) if p not in bindings]
        flow.append({"tool": step["tool_name"], "bindings": bindings, "free": free,
                     "arguments": step.get("arguments") or {}})
    return flow


def _shape(flow: list[dict]) -> str:
    return json.dumps([[f["tool"], sorted(f["bindings"].items()), sorted(f["free"])] for f in flow])


def build_composite(sequence: list[str], runs: list[dict], registry) -> dict[str, Any] | None:
    """Code, tests and spec for a composite of `sequence`, or None when the runs disagree on the flow."""
    usable = [r for r in runs if r.get("success") and [s.get("tool_name") for s in r["steps"]] == sequence]
    if not usable:
        return None
    flows = [_flow(r) for r in usable]
    shapes = [_shape(f) for f in flows]
    shape = max(set(shapes), key=shapes.count)  # the data flow most runs agree on
    same = [(r, f) for r, f, sh in zip(usable, flows, shapes) if sh == shape]
    flow = same[0][1]
    components = [registry.get_tool_by_name(t) for t in sequence]
    if any(c is None for c in components):
        return None
    sequential = any(step["bindings"] for step in flow)

    # Parameters: every free argument, renamed on a clash ("number", then "number_2").
    params, names = [], {}
    for i, (step, tool) in enumerate(zip(flow, components)):
        types = {p["name"]: p.get("type") or "Any" for p in tool.get("parameters") or []}
        for p in step["free"]:
            name = p if p not in {q["name"] for q in params} else f"{p}_{i + 1}"
            if keyword.iskeyword(name):
                name += "_"
            names[(i, p)] = name
            params.append({"name": name, "type": types.get(p, "Any"),
                           "description": f"{p} for {step['tool']}"})
    name = composite_name(sequence)
    docs = [(c.get("docstring") or c["name"]).rstrip(". ") for c in components]
    docstring = ("; then ".join(docs) if sequential else "; and ".join(docs)) + \
        f". Composite of {', '.join(sequence)}."
    lines = [f"from {t} import {t}" for t in dict.fromkeys(sequence)] + ["", ""]
    sig = ", ".join(f"{p['name']}" for p in params)
    lines.append(f"def {name}({sig}):")
    lines.append(f'    """{docstring}"""')
    for i, step in enumerate(flow):
        args = [f"{p}={names[(i, p)]}" for p in step["free"]]
        args += [f"{p}=step{src + 1}" for p, src in step["bindings"].items()]
        lines.append(f"    step{i + 1} = {step['tool']}({', '.join(args)})")
    final = f"step{len(flow)}" if sequential else "[" + ", ".join(f"step{i + 1}" for i in range(len(flow))) + "]"
    lines.append(f"    return {final}")
    code = "\n".join(lines) + "\n"

    spec = {"function_name": name, "parameters": params, "return_type": "Any", "docstring": docstring}
    cases = []
    for run, f in same:
        args = {names[(i, p)]: f[i]["arguments"][p] for i, step in enumerate(f) for p in step["free"]}
        results = [s.get("result") for s in run["steps"]]
        cases.append({"args": args, "expected": results[-1] if sequential else results})
    if len({json.dumps(c["args"], sort_keys=True, default=str) for c in cases}) < MIN_DISTINCT_RUNS:
        return None  # identical runs prove little: wait for more varied evidence
    tests = render_tests(spec, cases)
    return {"name": name, "code": code, "tests": tests, "spec": spec, "docstring": docstring,
            "component_tools": list(dict.fromkeys(sequence)), "cases": len(cases)}
