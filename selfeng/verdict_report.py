"""What a verdict says once the search ends: the evidence users are shown, the cases the registered tests
keep (with agreed values where the model's guess was set aside), and, when nothing could be agreed on, a
message naming what was tried, the disputed cases and the values each implementation returned."""
from __future__ import annotations

from .arbitration import Candidate, Case, Verdict, agreeing, returned_values, unanchored_agreement


def evidence_of(verdict: Verdict, cands: list[Candidate], consensus: list[Case]) -> dict:
    kept = [c for c in verdict.kept if not c.probe]
    probes = sum(c.source == "consensus" for c in consensus)
    return {"summary": verdict.summary(probes), "reasons": verdict.reasons, "implementations": len(cands),
            "cases": len(kept) + len(verdict.dropped) + len(verdict.set_aside), "cases_kept": len(kept),
            "stated_cases": sum(c.trusted for c in kept), "consensus_cases": len(consensus),
            "dropped": outvoted_cases(verdict.dropped), "set_aside": outvoted_cases(verdict.set_aside),
            "disputed": verdict.disputed}


def failure_message(verdict: Verdict, cands: list[Candidate], report: dict, agreement: int, anchors: int) -> str:
    """What was tried, which cases were disputed and what each implementation returned on them."""
    tried = ", ".join(c.label for c in cands)
    if verdict.decided:  # arbitration agreed, yet the strict run did not pass
        return (f"verification failed: the chosen implementation ({verdict.chosen.label}) did not pass the "
                f"kept cases in the strict run: {report.get('error')}")
    lines = [f"verification failed: no implementation could be agreed on after {len(cands)} attempt(s) "
             f"({tried})"]
    failing = verdict.chosen.fails(verdict.kept) if verdict.chosen else []
    for case in failing[:4]:
        lines.append(f"- {case.name} expects {case.expected!r}; returned: {returned_values(cands, case)}")
    if verdict.disputed:
        lines.append("disputed cases: " + ", ".join(verdict.disputed))
    lines += [f"  {r}" for r in verdict.reasons[1:4]]
    weak = unanchored_agreement(verdict, cands, agreement, anchors)
    return "\n".join(lines + ([weak] if weak else []))


def outvoted_cases(drops: list) -> list[dict]:
    return [{"case": d.case.name, "expected": d.case.expected, "observed": d.observed.shown(), "by": list(d.by)}
            for d in drops]


def consensus_cases(verdict: Verdict, cands: list[Candidate]) -> list[Case]:
    """Probes, and model cases set aside by an agreement, with the value that at least two independent
    implementations of the chosen behaviour return: the registered tests then say what was agreed."""
    from .sandbox.tool_server import decode

    if verdict.chosen is None or not verdict.decided:
        return []
    names = [c.name for c in verdict.kept] + [d.case.name for d in verdict.set_aside]
    if len(agreeing(verdict.chosen, cands, names)) < 2:
        return []
    out = []
    inputs = [c for c in verdict.kept if c.probe] + [d.case for d in verdict.set_aside]
    for case in inputs:
        obs = verdict.chosen.observations.get(case.name)
        if obs is not None and not obs.error and obs.value is not None:
            if case.probe:
                out.append(Case(case.name.replace("probe", "request_input"), case.args, decode(obs.value),
                                "consensus"))
            else:  # the model's expected value is replaced by the agreed one, and the name says so
                out.append(Case(case.name + "_agreed", case.args, decode(obs.value), "agreed"))
    return out
