"""Choosing a tool from candidates and cases by what they do: dual agreement, as in CodeT (arXiv 2207.10397).

A small model's implementations are right about 70% of the time and its expected values wrong about 40% of
the time, so neither is ground truth. The evidence is what each implementation *returned* on each case's
input (observed in the sandbox, as data). Implementations that behave identically on every input form a
cluster; a cluster's score grows with its size and with the cases it passes. The best cluster is chosen;
a case it fails is dropped only on strong evidence (several independent implementations agree on a value
other than the case's, and pass every other case). Cases stated by the user are never dropped.

Pure: candidates and cases in, a `Verdict` with its reasons out. No model, no sandbox.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from .anchors import keyed_anchor, polar_anchor, stated_anchor, strong_anchor
from .observations import Candidate, Case, Drop, Observation, show


@dataclass
class Verdict:
    chosen: Candidate | None
    kept: list[Case]
    dropped: list[Drop]
    decided: bool             # the chosen implementation passes every kept case, and enough cases remain
    next_step: str            # "" when decided; else "repair" or "sample"
    reasons: list[str]
    disputed: list[str]       # names of cases some implementations contradict
    set_aside: list[Drop] = field(default_factory=list)  # model cases outvoted by a strong agreement
    anchor: str = ""          # what vouched for that agreement besides the code: "", "keyed"
    #                           (`anchors.keyed_anchor`); "contested": a repair chosen over an agreement
    #                           (`contested_agreement.challenge`)

    def summary(self, consensus: int = 0) -> str:
        return describe(self, consensus)


def clusters(candidates: list[Candidate], cases: list[Case]) -> list[list[Candidate]]:
    """Candidates grouped by identical behaviour on every case input (probes included), in draw order."""
    names = [c.name for c in cases]
    groups: dict[tuple, list[Candidate]] = {}
    for cand in candidates:
        groups.setdefault(cand.behaviour(names), []).append(cand)
    return list(groups.values())


def _score(group: list[Candidate], cases: list[Case]) -> tuple:
    """CodeT's dual agreement: (independent members) x (cases passed); ties go to the earlier draw."""
    rep = group[0]
    scored = [c for c in cases if not c.probe]
    passed = len(scored) - len(rep.fails(scored))
    votes = _votes(group)  # a repair alone still counts, below any independent vote
    trusted_ok = not any(c.trusted for c in rep.fails(scored))
    return (trusted_ok, votes * passed, passed, votes)


def decide(candidates: list[Candidate], cases: list[Case], min_tests: int) -> Verdict:
    """Choose the implementation and the cases to keep. At most one case is dropped per call.

    The winner is the best-scoring behaviour that passes every case, unless a larger agreement of
    independent implementations outvotes exactly one case (see `_droppable`): votes x cases passed, as in
    CodeT, decides between the two.
    """
    kept = list(cases)
    scored = [c for c in kept if not c.probe]
    if not candidates:
        return Verdict(None, kept, [], False, "sample", ["no implementation to judge"], [])
    groups = sorted(clusters(candidates, kept), key=lambda g: _score(g, kept), reverse=True)
    disputed = _disputed(candidates, scored)
    full = [g for g in groups if not g[0].fails(kept)]
    top = groups[0]
    drop = _droppable(top, top[0].fails(kept), scored, min_tests)
    best = full[0] if full else top
    if drop is not None and (not full or _votes(top) * (len(scored) - 1) > _votes(full[0]) * len(scored)):
        best = top
    else:
        drop = None
    rep = best[0]
    failing = [c for c in rep.fails(kept) if drop is None or c.name != drop.case.name]
    reasons = [f"{len(candidates)} implementation(s) in {len(groups)} behaviour group(s); the chosen one "
               f"({rep.label}, agreed by {len(best)}) passes {len(scored) - len(rep.fails(kept))} of "
               f"{len(scored)} cases"]
    if len(scored) < min_tests:
        reasons.append(f"only {len(scored)} case(s); at least {min_tests} are required")
        return Verdict(rep, kept, [], False, "", reasons, disputed)
    if drop is not None:
        reasons.append(drop.reason())
        return Verdict(rep, [c for c in kept if c.name != drop.case.name], [drop], True, "", reasons, disputed)
    if not failing and _votes(best) < 2 and _informative_passes(rep, scored) < 2:
        reasons.append("it is the only implementation that behaves this way, and fewer than 2 of the cases it "
                       "passes say something about the code (the others are True/False, None, empty or echo "
                       "an argument)")
        return Verdict(rep, kept, [], False, "sample", reasons, disputed)
    if not failing:
        return Verdict(rep, kept, [], True, "", reasons, disputed)

    for case in failing:
        obs = rep.observations.get(case.name)
        why = _why_trusted(case) if case.trusted else _why_kept(best, case, obs, len(scored), min_tests)
        reasons.append(f"{case.name} (expects {show(case.expected)}) fails with "
                       f"{obs.shown() if obs else 'no result'}; not dropped: {why}")
    crashed = any(rep.observations.get(c.name) is None or rep.observations[c.name].error for c in failing)
    # A repair is shown the failing cases, so it is asked for only where the code is plainly at fault (it
    # crashes, or breaks a case the user stated). A disagreement about a value is settled by a further
    # independent draw instead: a repair would just fit whichever expected value the model guessed.
    repair = crashed or any(c.trusted for c in failing)
    return Verdict(rep, kept, [], False, "repair" if repair else "sample", reasons, disputed)


def _why_trusted(case: Case) -> str:
    return "it follows from the units' definitions" if case.source == "definition" else "it is stated by the user"


def _informative_passes(rep: Candidate, scored: list[Case]) -> int:
    """Cases `rep` passes that a wrong function would not pass as easily: stated by the user, or with an
    informative answer (`anchors.strong_anchor`). `f("") == ""` and `f("12345") == "12345"` hold for many wrong
    functions, so a lone implementation backed by little else is not yet evidence (a snake_case draw
    passed three such cases and one real one, and answered "hello _world")."""
    return sum(1 for c in scored if c.name in rep.observations and rep.observations[c.name].passed
               and (c.trusted or strong_anchor(c, rep.observations[c.name])))


def by_agreement(verdict: Verdict, candidates: list[Candidate], min_votes: int,
                 anchors: int = 1, varied: Sequence[Case] = ()) -> Verdict | None:
    """The model's expected values are wrong about 40% of the time, so a case set can be wrong in several
    places at once, which no one-case drop can mend. When `min_votes` independent implementations behave
    identically on every input, pass every stated case, crash on none, and still contradict model cases,
    the model cases they contradict are the suspects (CodeT): they are set aside, and the agreement is the
    evidence, provided the winners also pass at least `anchors` informative cases (`anchors.strong_anchor`), or
    stated examples with two different answers (an opinion from outside the code that agrees with it).
    `varied`: probes off the cases that the candidates were run on too (`anchors.polar_anchor`). None when the
    evidence is weaker than that.
    """
    return _agreement(verdict, candidates, min_votes, anchors, varied)[0]


def unanchored_agreement(verdict: Verdict, candidates: list[Candidate], min_votes: int, anchors: int = 1) -> str:
    """Why an agreement of enough implementations still set nothing aside, when that is the only reason
    (for the failure message: the user sees the votes, and why they were not enough); else ''."""
    return _agreement(verdict, candidates, min_votes, anchors)[1]


def _agreement(verdict: Verdict, candidates: list[Candidate], min_votes: int,
               anchors: int, varied: Sequence[Case] = ()) -> tuple[Verdict | None, str]:
    rep = verdict.chosen
    if verdict.decided or rep is None:
        return None, ""
    voters = agreeing(rep, candidates, [c.name for c in verdict.kept])
    failing = rep.fails(verdict.kept)
    observed = [rep.observations.get(c.name) for c in verdict.kept]
    if len(voters) < min_votes or not failing or any(o is None or (o.error and o.weak) for o in observed):
        return None, ""  # a shared crash is a shared bug, however many implementations share it
    if any(c.trusted or c.source == "code" for c in failing):
        return None, ""  # stated cases are never outvoted; a raw test's claim is unknown to us
    passed = [c for c in verdict.kept if not c.probe and c not in failing]
    keyed = False
    if sum(1 for c in passed if strong_anchor(c, rep.observations[c.name])) < anchors and not stated_anchor(passed) \
            and not polar_anchor(passed, failing, voters, varied) and not (keyed := keyed_anchor(failing, rep)):
        return None, (f"{len(voters)} independent implementations agree on every input, but none of the cases "
                      "they pass says enough about the code to outvote the others (each answer is True/False, "
                      "None, empty or one of its own arguments)")
    by = tuple(c.label for c in voters)
    aside = [Drop(c, rep.observations[c.name], by) for c in failing]
    reasons = verdict.reasons[:1] + [f"{len(aside)} model case(s) set aside: " + "; ".join(
        f"{d.case.name}: {d.evidence()}" for d in aside)]
    return Verdict(rep, [c for c in verdict.kept if c not in failing], [], True, "", reasons,
                   verdict.disputed, aside, "keyed" if keyed else ""), ""


def agreeing(rep: Candidate, candidates: list[Candidate], names: list[str]) -> list[Candidate]:
    """The independent candidates that behave exactly like `rep` on the inputs of the cases `names`."""
    mine = rep.behaviour(names)
    return [c for c in candidates if c.independent and c.behaviour(names) == mine]


def _votes(group: list[Candidate]) -> float:
    return sum(1 for c in group if c.independent) or 0.5


def _droppable(group: list[Candidate], failing: list[Case], scored: list[Case], min_tests: int) -> Drop | None:
    if len(failing) != 1:  # the agreeing implementations must pass every other case
        return None
    case = failing[0]
    voters = [c for c in group if c.independent]
    obs = group[0].observations.get(case.name)
    if case.trusted or case.source == "code" or obs is None or obs.weak or len(voters) < 2 \
            or len(scored) - 1 < min_tests:
        return None  # a raw test's expectation is unknown to us, so no message could say what it claimed
    return Drop(case, obs, tuple(c.label for c in voters))


def _why_kept(group: list[Candidate], case: Case, obs: Observation | None, n: int, min_tests: int) -> str:
    voters = sum(1 for c in group if c.independent)
    if obs is None:
        return "the test did not reach the implementation"
    if obs.weak and obs.error:
        return f"a shared {obs.error} is a bug in the code, not evidence against the case"
    if obs.weak:
        return "agreement on a bool/None result is weak evidence"
    if voters < 2:
        return "no second independent implementation agrees"
    if n - 1 < min_tests:
        return f"dropping it would leave fewer than {min_tests} cases"
    return "the implementations fail other cases too"


def _disputed(candidates: list[Candidate], cases: list[Case]) -> list[str]:
    """Cases that at least two independent implementations answer alike, differently from the case."""
    out = []
    for case in cases:
        seen: dict[str, int] = {}
        for cand in candidates:
            obs = cand.observations.get(case.name)
            if cand.independent and obs is not None and not obs.passed:
                seen[obs.key] = seen.get(obs.key, 0) + 1
        if any(n >= 2 for n in seen.values()):
            out.append(case.name)
    return out


def returned_values(candidates: list[Candidate], case: Case) -> str:
    """'greedy: 99; sample 2: 42' — what each implementation did on a case, for messages."""
    parts = []
    for cand in candidates:
        obs = cand.observations.get(case.name)
        parts.append(f"{cand.label}: {obs.shown() if obs else 'not run'}")
    return "; ".join(parts)


def describe(verdict: Verdict, consensus: int = 0) -> str:
    """One honest line about the evidence behind a verdict; `consensus` cases were added from probes."""
    scored = [c for c in verdict.kept if not c.probe]
    if not verdict.decided or verdict.chosen is None:
        return f"not verified: {'; '.join(verdict.reasons[1:]) or verdict.reasons[0]}"
    if verdict.set_aside:
        by = len(verdict.set_aside[0].by)
        text = (f"verified by the agreement of {by} independent implementations on every input and by "
                f"{len(scored)} of {len(scored) + len(verdict.set_aside)} cases; "
                f"{len(verdict.set_aside)} model case(s) set aside: " + "; ".join(
                    f"{_count_words(by)} {d.observed.as_verb()} where the case expected "
                    f"{show(d.case.expected)}" for d in verdict.set_aside[:3]))
    else:
        text = f"verified by {len(scored) + consensus} of {len(scored) + len(verdict.dropped) + consensus} cases"
    if verdict.dropped:
        text += f"; {len(verdict.dropped)} case dropped: " + "; ".join(
            f"{_count_words(len(d.by))} independent implementations {d.observed.as_verb()}, the case "
            f"expected {show(d.case.expected)}" for d in verdict.dropped)
    notes = []
    stated = sum(1 for c in scored if c.trusted and c.source != "definition")
    if stated:
        notes.append(f"{stated} stated in the request")
    defined = sum(1 for c in scored if c.source == "definition")
    if defined:
        notes.append(f"{defined} fixed by the units' definitions")
    if consensus:
        notes.append(f"{consensus} the request's own input, answered alike by independent implementations")
    if any(c.source == "direct" for c in scored):
        notes.append("the request's own answer, confirmed by a separate direct solution")
    if verdict.anchor == "contested":
        notes.append("a repair, chosen over independent drafts that agreed on another answer, which the model's "
                     "cases and a direct solution of the request both contradicted")
    if verdict.anchor == "keyed":
        notes.append("the set-aside cases name the same groups and share a value with it, only their sums differ")
    return text + (f" ({'; '.join(notes)})" if notes else "")


def _count_words(n: int) -> str:
    return {2: "both", 3: "three"}.get(n, str(n))
