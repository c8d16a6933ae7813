"""Implementations as evidence: drawn from the spec alone, repaired from failures, observed in the sandbox.

A draw is an opinion only when it is independent of the others: greedy first, then samples at a
temperature above zero (greedy decoding twice on one prompt is one opinion, not two). A repair is shown
the cases it fails, so it is a fitted opinion and never counts as an independent vote. Observing a draw
runs it on every case's input in the sandbox and records what it returned, as data; a forgotten stdlib
import or a module/class mix-up is fixed from the traceback there, with no model call.
"""
from __future__ import annotations

import logging

from .arbitration import Candidate, Case, Verdict
from .cases import render
from .codeblocks import defines_function
from .data_cases import DataCases
from .import_repair import add_imports, fix_module_class_mixup
from .llm import LLMError
from .request_spec import with_preamble
from .test_evidence import attribute_errors, name_errors, observations, repair_notes

log = logging.getLogger(__name__)

SAMPLE_TEMPERATURE = 0.7  # independent draws; greedy decoding twice on one prompt is one opinion, not two
FIRST_DRAW_TRIES = 3  # draws that may miss the function before the implementation step gives up


class SynthesisError(RuntimeError):
    def __init__(self, step: str, message: str):
        super().__init__(message)
        self.step = step


class Drafts:
    """The candidates of one synthesis: one spec, and the data file its tool reads, if any."""

    def __init__(self, llm_client, sandbox, spec: dict, data: DataCases | None = None):
        self.llm_client, self.sandbox, self.spec, self.data = llm_client, sandbox, spec, data

    def first(self) -> Candidate:
        """The greedy draw; if it does not define the function (a small model sometimes writes a helper
        only, or another name), samples instead, up to `FIRST_DRAW_TRIES` draws in all: a draw that misses
        is no opinion at all, and on a long stub two misses in a row happen (HumanEval/132)."""
        for index in range(FIRST_DRAW_TRIES):
            try:
                label = "greedy" if index == 0 else f"first sample {index}"  # not `sample n`, drawn later
                return Candidate(label, self.draw(index), True)
            except SynthesisError as exc:
                if index == FIRST_DRAW_TRIES - 1:
                    raise
                log.info("draw %d unusable (%s); sampling another", index + 1, exc)
        raise AssertionError("unreachable")

    def draw(self, index: int) -> str:
        """Candidate `index`: greedy first, then independent samples; all from the spec alone (and, for a
        tool that reads a data file, the file's first lines)."""
        spec, data = self.spec, self.data
        temperature = 0.0 if index == 0 else SAMPLE_TEMPERATURE
        code = self.llm_client.generate_implementation(public_spec(spec), None, temperature=temperature,
                                                       context=spec.get("preamble") or "",
                                                       notes=data.code_notes(spec) if data else "",
                                                       stub=spec.get("stub") or "")
        if not defines_function(code, spec["function_name"]):
            raise SynthesisError("implementation", f"the generated code does not define {spec['function_name']}()")
        self.refuse_blind_code(code)
        return with_preamble(spec, code)

    def next(self, verdict: Verdict, n: int, repair: bool) -> Candidate | None:
        """Candidate `n`: a repair of the chosen code shown the cases it fails, or a further sample."""
        try:
            if repair and verdict.chosen is not None:
                notes = repair_notes(verdict.kept, verdict.chosen.observations)
                return self.repair(public_spec(self.spec), verdict.chosen.code, notes, n)
            return Candidate(f"sample {n}", self.draw(n - 1), True)
        except SynthesisError as exc:
            log.info("candidate %d unusable: %s", n, exc)
            return None
        except LLMError as exc:
            log.warning("candidate %d failed: %s", n, exc)
            return None

    def repair(self, shown: dict, code: str, notes: str, n: int) -> Candidate | None:
        """Candidate `n`: `code` fixed by the model, shown `shown` (the spec as the prompt presents it) and the
        failure `notes`; None when the reply does not define the function. Raises what the call raises."""
        fixed = self.llm_client.fix_implementation(shown, "", code, notes)
        if not defines_function(fixed, self.spec["function_name"]):
            return None
        self.refuse_blind_code(fixed)
        return Candidate(f"repair {n}", with_preamble(self.spec, fixed), False)

    def observe(self, cand: Candidate, cases: list[Case]) -> Candidate:
        """Run the candidate on every case's input; a forgotten stdlib import, or `datetime.strptime` written for
        `datetime.datetime.strptime`, is fixed from the traceback without a model call."""
        name = self.spec["function_name"]
        tests = render(self.spec, cases, observe=True)
        files = self.data.files if self.data else None
        for _ in range(3):
            report = self.sandbox.verify_tool(name, cand.code, tests, data_files=files)
            cand.observations = observations(report, cases)
            fixed = add_imports(cand.code, name_errors(cand.observations, report)) or \
                fix_module_class_mixup(cand.code, attribute_errors(cand.observations))
            if fixed is None:
                break
            log.info("fixed an import or a module/class mix-up in %s (%s)", name, cand.label)
            cand.code = fixed
        return cand

    def observe_more(self, cand: Candidate, probes: list[Case]) -> Candidate:
        """`cand` run on further inputs, in a run of their own: an input that hangs or crashes the process
        then costs those observations only, not the ones the verdict rests on."""
        report = self.sandbox.verify_tool(self.spec["function_name"], cand.code,
                                          render(self.spec, probes, observe=True))
        cand.observations.update(observations(report, probes))
        return cand

    def refuse_blind_code(self, code: str) -> None:
        reason = self.data.blind_reason(code, self.spec) if self.data else None
        if reason:
            raise SynthesisError("implementation", reason)


def public_spec(spec: dict) -> dict:
    """The seeds' spec keys (what the registry stores and prompts show)."""
    return {k: spec[k] for k in ("function_name", "parameters", "return_type", "docstring")}
