"""The contested agreement: drafts of one spec that agree with each other, against model cases and a direct
solution of the request alike.

An agreement outvotes model cases because drafts of one spec are wrong together less often than the
model's expected values are. But drafts of one spec share the spec's misreading ("18% of 350" specified
with the percentage "as a decimal", so every draft returned 6300 while the cases said 63.0). The cases and
a solution written from the request itself, two opinions that never saw the spec's code, then say the same
against it, and one repair, shown the direct answer first, gets to answer them.
"""
from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any

from .arbitration import Candidate, Case, Verdict, agreeing, decide
from .codeblocks import without_docstrings
from .direct_answer import DirectOpinion, answers_alike, informative, request_answer
from .drafts import Drafts, SynthesisError, public_spec
from .llm import LLMError
from .test_evidence import repair_notes

log = logging.getLogger(__name__)


def challenge(drafts: Drafts, agreement: Verdict, cands: list[Candidate], cases: list[Case], direct: DirectOpinion,
              min_tests: int) -> Verdict | None:
    """An agreement that model cases contradict, contradicted as well by a solution of the request
    itself (`DirectOpinion.contests`), gets one repair shown the cases it fails. The repair wins only if
    it passes every case and returns the direct answer on the request's own input: then the cases and
    the direct answer, written apart from each other and from the code, both back it. Otherwise nothing
    changes (a direct answer is a model opinion too)."""
    said = direct.contests(agreement.chosen, cases)
    if said is None:
        return None
    probe = next(c for c in cases if c.probe)
    spec = drafts.spec
    new = _repair_against(drafts, agreement.chosen, cases, probe, said, direct.request, len(cands) + 1)
    if new is None:
        return None
    new = drafts.observe(new, cases)
    if new.fails([c for c in cases if not c.probe]) or \
            not answers_alike(informative(probe, new.observations.get(probe.name)), said):
        log.info("the repair of a contested agreement for %s did not hold", spec["function_name"])
        return None
    # The request's own input, answered alike by the repair and the direct solution, is a `direct` case
    # (as when a direct answer anchors an agreement): the repair is then judged on it too.
    answered = request_answer(probe, said)
    new.observations[answered.name] = dataclasses.replace(new.observations[probe.name], passed=True)
    cases = [answered if c is probe else c for c in cases]
    verdict = decide([new], cases, max(1, min_tests))
    if not verdict.decided:
        log.info("the repair of a contested agreement for %s is not evidence enough: %s",
                 spec["function_name"], verdict.reasons[-1])
        return None
    cands.append(new)
    voters = agreeing(agreement.chosen, cands, [c.name for c in cases])
    why = (f"{len(voters)} implementations agreed against model cases, but a direct solution of the "
           f"request returns {json.dumps(said, default=str)} on its own input, as those cases imply; a "
           f"repair passes every case and returns the same")
    return dataclasses.replace(verdict, reasons=verdict.reasons + [why], anchor="contested")


def _repair_against(drafts: Drafts, chosen: Candidate, cases: list[Case], probe: Case, said: Any,
                    request: str, n: int) -> Candidate | None:
    """A repair of `chosen` shown what contradicts it: the direct answer on the request's own input
    first, then the model cases it fails. Shown without the spec's parameter descriptions or the code's
    docstrings, which carry the misreading under suspicion (with "the percentage as a decimal" in view,
    the embedded model returned the same code unchanged; without it, it divided by 100)."""
    call = ", ".join(f"{k}={v!r}" for k, v in probe.args.items())
    first = (f"- f({call}) should return {json.dumps(said, default=str)}, what a direct solution of the "
             f"request {request!r} returns; it returned "
             f"{chosen.observations[probe.name].shown() if probe.name in chosen.observations else 'nothing'}")
    notes = first + "\n" + repair_notes(cases, chosen.observations, limit=3)
    spec = drafts.spec
    bare = dict(public_spec(spec), parameters=[dict(p, description="") for p in spec["parameters"]])
    try:
        return drafts.repair(bare, without_docstrings(chosen.code), notes, n)
    except (SynthesisError, LLMError) as exc:
        log.info("no repair of a contested agreement: %s", exc)
        return None
