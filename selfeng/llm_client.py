"""LLMClient: every model interaction selfeng makes, each under a purpose named after its method.

Prompts live in `selfeng/prompts/*.txt`. JSON answers are schema-constrained (the schema is built from
the spec, so a small model cannot invent parameters). Usage is counted per purpose and per request scope.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterator

import jsonschema

from .case_replies import (COMPUTE_NOTE, PLAIN_NOTE, TYPE_CHOICES, WORK_NOTE, cases_from_reply, cases_schema,
                           is_annotated, render_tests, type_schema)
from .answer_kind import RETURN_TYPES, asked_kind
from .arguments import invented_parameters
from .codeblocks import extract_code, extract_json
from .config import Settings, load_settings
from .llm import LLMError, Provider, create_provider

_IDENT = r"^[a-z_][a-z0-9_]*$"


@dataclass
class Usage:
    """Model calls by purpose, tokens and model seconds: selfeng's cost metric."""

    by_purpose: dict[str, dict[str, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, purpose: str, prompt_tokens: int, completion_tokens: int, seconds: float) -> None:
        with self._lock:
            row = self.by_purpose.setdefault(
                purpose, {"calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "seconds": 0.0})
            row["calls"] += 1
            row["prompt_tokens"] += prompt_tokens
            row["completion_tokens"] += completion_tokens
            row["seconds"] += seconds

    @property
    def calls(self) -> int:
        return int(sum(r["calls"] for r in self.by_purpose.values()))

    def as_dict(self) -> dict:
        rows = {k: {**v, "seconds": round(v["seconds"], 3)} for k, v in self.by_purpose.items()}
        return {
            "model_calls": self.calls,
            "prompt_tokens": int(sum(r["prompt_tokens"] for r in rows.values())),
            "completion_tokens": int(sum(r["completion_tokens"] for r in rows.values())),
            "model_seconds": round(sum(r["seconds"] for r in rows.values()), 3),
            "by_purpose": rows,
        }


_scopes: contextvars.ContextVar[tuple[Usage, ...]] = contextvars.ContextVar("selfeng_usage_scopes", default=())

def signature_of(spec: dict) -> str:
    """The spec as a `def` line. An unknown type is left unannotated, not written `Any`: models copy the
    signature into their code, and a bare `Any` there is a NameError when the module is imported."""
    params = ", ".join(f"{p['name']}: {p['type']}" if is_annotated(p.get("type")) else p["name"]
                       for p in spec.get("parameters", []))
    ret = spec.get("return_type")
    return f"def {spec['function_name']}({params})" + (f" -> {ret}:" if is_annotated(ret) else ":")


def docstring_of(spec: dict) -> str:
    """The spec's docstring with an Args section from its parameter descriptions, where they say more than
    the name. The input's form lives there ("The start time in the format 'HH:MM'"): shown only the
    docstring, every implementation of an hours-between tool parsed '%Y-%m-%d %H:%M:%S' and crashed."""
    doc = str(spec.get("docstring") or "").strip()
    lines = []
    for p in spec.get("parameters", []):
        desc = " ".join(str(p.get("description") or "").split())
        if desc and set(re.findall(r"[a-z]+", desc.lower())) - set(p["name"].lower().split("_")) - {"the", "a", "an"}:
            lines.append(f"    {p['name']}: {desc}")
    if not lines or "Args:" in doc or ">>>" in doc:  # a docstring that documents itself is shown as written
        return doc
    return f"{doc}\n\nArgs:\n" + "\n".join(lines)


def spec_schema(user_prompt: str) -> dict:
    """SPEC_SCHEMA, with the return type narrowed to what answers the kind of question asked (a yes/no
    question a bool, "how many" a number, "who" a text): the grammar of the request decides it, so the
    model cannot design a tool that answers another question ("Who earns the most?" -> the top salary)."""
    allowed = RETURN_TYPES.get(asked_kind(user_prompt) or "")
    if not allowed:
        return SPEC_SCHEMA
    props = dict(SPEC_SCHEMA["properties"], return_type={"type": "string", "enum": list(allowed)})
    return dict(SPEC_SCHEMA, properties=props)


log = logging.getLogger(__name__)

SPEC_SCHEMA = {
    "type": "object",
    "properties": {
        "function_name": {"type": "string", "pattern": _IDENT},
        "parameters": {
            "type": "array", "maxItems": 6,
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string", "pattern": _IDENT},
                               "type": {"type": "string", "maxLength": 40},
                               "description": {"type": "string", "maxLength": 80}},
                "required": ["name", "type", "description"],
            },
        },
        "return_type": {"type": "string", "maxLength": 40},
        "docstring": {"type": "string", "maxLength": 160},
    },
    "required": ["function_name", "parameters", "return_type", "docstring"],
}


def _load_prompt(name: str) -> str:
    return resources.files("selfeng.prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8")


class LLMClient:
    """Seeds' LLMClient over any Provider. `LLMClient()` builds the configured provider."""

    def __init__(self, provider: Provider | None = None, *, settings: Settings | None = None, embedder=None):
        self.settings = settings or load_settings()
        self._provider = provider
        self._provider_lock = threading.Lock()
        self.embedder = embedder
        self.usage = Usage()  # process lifetime totals
        self._prompts = {n: _load_prompt(n) for n in (
            "system", "generate_spec", "generate_tests", "generate_implementation",
            "fix_implementation", "extract_arguments", "synthesize_response", "analyze_query",
            "check_tool_fit", "solve_request", "infer_types", "complete_stub", "example_requests")}

    @property
    def provider(self) -> Provider:
        # Built lazily: a reuse hit on the fast path never needs the model loaded at all.
        if self._provider is None:
            with self._provider_lock:
                if self._provider is None:
                    self._provider = create_provider(self.settings)
        return self._provider

    @contextlib.contextmanager
    def usage_scope(self) -> Iterator[Usage]:
        """Count the model calls made inside this block (per request, thread- and context-local)."""
        usage = Usage()
        token = _scopes.set(_scopes.get() + (usage,))
        try:
            yield usage
        finally:
            _scopes.reset(token)

    # -- transport ---------------------------------------------------------------------------------
    def _call(self, purpose: str, user: str, *, json_schema: dict | None = None, max_tokens: int = 512,
              temperature: float = 0.0) -> str:
        messages = [{"role": "system", "content": self._prompts["system"].strip()},
                    {"role": "user", "content": user.strip()}]
        t0 = time.perf_counter()
        completion = self.provider.complete(messages, purpose=purpose, json_schema=json_schema,
                                            max_tokens=max_tokens, temperature=temperature)
        seconds = completion.seconds or (time.perf_counter() - t0)
        for u in (self.usage, *_scopes.get()):
            u.add(purpose, completion.prompt_tokens, completion.completion_tokens, seconds)
        return completion.text

    def _json(self, purpose: str, user: str, schema: dict, **kw) -> Any:
        text = self._call(purpose, user, json_schema=schema, **kw)
        try:
            data = extract_json(text)
        except ValueError as exc:
            raise LLMError(f"{purpose}: model reply is not valid JSON: {text[:300]!r}") from exc
        # Grammars and remote structured outputs enforce most of a schema, not all of it (llama.cpp
        # ignores numeric bounds; some servers only promise "a JSON object"), so check it here.
        error = next(iter(jsonschema.Draft202012Validator(schema).iter_errors(data)), None)
        if error is not None:
            raise LLMError(f"{purpose}: model reply does not match the schema: {error.message}")
        return data

    # -- synthesis ---------------------------------------------------------------------------------
    def generate_spec(self, user_prompt: str, hint: str = "") -> dict[str, Any]:
        """`hint`: what an earlier design of the same request got wrong, as a line of the prompt."""
        prompt = self._prompts["generate_spec"].format(user_prompt=user_prompt, hint=f"{hint.strip()}\n" if hint else "")
        spec = self._json("generate_spec", prompt, spec_schema(user_prompt), max_tokens=300)
        if isinstance(spec, dict) and isinstance(spec.get("parameters"), list):
            params = [p for p in spec["parameters"] if isinstance(p, dict) and "name" in p]
            invented = set(invented_parameters(params, user_prompt))
            if invented:  # options nobody asked for: their cases would test what the request never said
                log.info("spec for %r: dropped parameters the request has no value for: %s", user_prompt,
                         sorted(invented))
                spec["parameters"] = [p for p in params if p["name"] not in invented]
        return normalize_spec(spec)

    def generate_tests(self, spec: dict[str, Any]) -> str:
        """Pytest code for `spec` (the seeds' API). The model writes test cases as JSON (schema from the spec's
        types); they are rendered into one pytest function per case, so the frozen tests always parse and
        each case's verdict can be weighed on its own."""
        reply = self.generate_test_cases(spec)
        if isinstance(reply, str):
            return reply
        return render_tests(spec, reply)

    def generate_test_cases(self, spec: dict[str, Any], request: str = "", *, fixtures: str = "",
                            min_cases: int = 1, temperature: float = 0.0, show_work: bool = False,
                            compute: bool = False) -> list[dict] | str:
        """The model's cases as JSON objects ({args, compute, expected, from_request}), or raw pytest code
        from a model that answered with code (accepted only if every test calls the tool and asserts on its
        result). With `compute`, each case also carries a Python expression for its expected value
        (`computed_cases` runs it); measured and not adopted, see there."""
        schema = cases_schema(spec, min_cases, show_work, compute)
        request_line = f"Request: {request.strip()}\n" if request and request.strip() not in spec["docstring"] else ""
        prompt = self._prompts["generate_tests"].format(
            signature=signature_of(spec), docstring=spec["docstring"], request=request_line,
            fixtures=f"{fixtures.strip()}\n" if fixtures else "")
        if show_work:  # the working is written before the value, so the value can follow from it
            prompt += WORK_NOTE
        elif compute:
            prompt += COMPUTE_NOTE
        if not all(is_annotated(t) for t in [spec.get("return_type")] + [p.get("type") for p in spec["parameters"]]):
            prompt += PLAIN_NOTE  # no schema holds these values to a type (`cases.model_cases` unwraps the rest)
        text = self._call("generate_tests", prompt, json_schema=schema,
                          max_tokens=900 if show_work or compute else 700, temperature=temperature)
        return cases_from_reply(spec, text)

    def infer_types(self, spec: dict[str, Any]) -> dict[str, str]:
        """Types for the spec's unannotated parameters and return value (key "return"), each one of
        `TYPE_CHOICES`; the ones the model calls "unknown" are left out. A stub's author may leave types
        out, and test cases written with no type to hold them to come back as anything (a dict where the
        docstring says "a string s"); a generated spec was already asked for them."""
        keys = [p["name"] for p in spec["parameters"] if not is_annotated(p.get("type"))]
        keys += [] if is_annotated(spec.get("return_type")) else ["return"]
        if not keys:
            return {}
        schema = {"type": "object", "properties": {k: {"enum": list(TYPE_CHOICES)} for k in keys},
                  "required": keys, "additionalProperties": False}
        prompt = self._prompts["infer_types"].format(
            signature=signature_of(spec), docstring=spec["docstring"], names=", ".join(keys),
            choices=", ".join(TYPE_CHOICES))
        data = self._json("infer_types", prompt, schema, max_tokens=20 * len(keys) + 20)
        return {k: v for k, v in data.items() if v != "unknown"}

    def generate_implementation(self, spec: dict[str, Any], tests: str | None = None, *,
                                temperature: float = 0.0, context: str = "", notes: str = "",
                                stub: str = "") -> str:
        """Code for `spec`. Without `tests`, an implementation derived from the spec alone: that is how
        independent candidates are drawn (greedy first, then sampled at `temperature` > 0). `context` is
        code the function may use that is already defined before it (a stub's imports and helpers);
        `notes` are facts the code needs that a spec does not carry (the first lines of a data file).
        `stub` is the code the user wrote (imports, helpers, the def and its docstring): the model then
        completes it as written, and `context` is already in it."""
        section = f"{notes.strip()}\n" if notes.strip() else ""
        if stub.strip() and not tests:
            prompt = self._prompts["complete_stub"].format(stub=stub, notes=f"{section}\n" if section else "")
            return clean_code(self._call("generate_implementation", prompt, max_tokens=700, temperature=temperature),
                              spec["function_name"])
        if context.strip():
            section += ("This code is already defined before it, and the function may use it:\n"
                       f"```python\n{context.strip()}\n```\n")
        if tests:
            examples = examples_from_tests(tests, spec["function_name"])
            # Compact examples rather than the test file: fewer prompt tokens, and a small model
            # shown a whole test file tends to echo it back instead of writing the function.
            section += ("These must hold:\n" + "\n".join(examples) + "\n" if examples
                        else f"It must pass these tests:\n```python\n{tests.strip()}\n```\n")
        prompt = self._prompts["generate_implementation"].format(
            signature=signature_of(spec), docstring=docstring_of(spec), tests_section=section)
        return clean_code(self._call("generate_implementation", prompt, max_tokens=700, temperature=temperature),
                          spec["function_name"])

    def generate_solution(self, request: str, files_note: str = "", temperature: float = 0.0) -> str:
        """Code for `solve()`, which answers `request` itself (no parameters): the one-call way, used as
        the single-shot baseline and as a second opinion on the request's own answer. Its purpose is
        `generate_implementation`: it is an implementation, of the request rather than of a spec."""
        prompt = self._prompts["solve_request"].format(request=request.strip(),
                                                       files=f"{files_note.strip()}\n" if files_note else "")
        return extract_code(self._call("generate_implementation", prompt, max_tokens=700, temperature=temperature),
                            "solve")

    def fix_implementation(self, spec: dict[str, Any], tests: str, code: str, failures: str) -> str:
        prompt = self._prompts["fix_implementation"].format(
            signature=signature_of(spec), docstring=docstring_of(spec), code=code.strip(), failures=failures.strip())
        return clean_code(self._call("fix_implementation", prompt, max_tokens=700), spec["function_name"])

    # -- execution ---------------------------------------------------------------------------------
    def extract_arguments(self, prompt: str, signature: str, parameters: list[dict] | None = None,
                          context: str | None = None, docstring: str = "") -> dict[str, Any]:
        schema: dict = {"type": "object"}
        if parameters:
            schema = {"type": "object",
                      "properties": {p["name"]: type_schema(p.get("type")) for p in parameters},
                      "required": [p["name"] for p in parameters]}
        ctx = f"Earlier conversation (for reference only):\n{context.strip()}\n" if context else ""
        # The caller reads the contract the implementations were written from, parameter descriptions
        # included: a rate described "as a decimal (0.22 for 22%)" is passed as 0.22, as the code expects.
        doc = docstring_of({"docstring": docstring, "parameters": parameters or []})
        args = self._json("extract_arguments", self._prompts["extract_arguments"].format(
            signature=signature, prompt=prompt, context=ctx, docstring=doc or "(no description)"),
            schema, max_tokens=200)
        if not isinstance(args, dict):
            raise LLMError(f"extract_arguments: expected a JSON object, got {args!r}")
        return args

    def synthesize_response(self, prompt: str, result: Any, tool_name: str = "") -> str:
        shown = json.dumps(result, ensure_ascii=False, default=str)
        if len(shown) > 1500:
            shown = shown[:1500] + "…"
        return self._call("synthesize_response", self._prompts["synthesize_response"].format(
            prompt=prompt, result=shown, tool_name=tool_name or "the tool"), max_tokens=120).strip()

    def analyze_query(self, prompt: str) -> dict[str, Any]:
        """Decompose a multi-step request: {"sub_tasks": [{"task", "depends_on": [int]}]}."""
        schema = {"type": "object", "properties": {"sub_tasks": {"type": "array", "minItems": 1, "maxItems": 6, "items": {
            "type": "object", "properties": {"task": {"type": "string", "maxLength": 200},
                                             "depends_on": {"type": "array", "items": {"type": "integer"}}},
            "required": ["task", "depends_on"]}}}, "required": ["sub_tasks"]}
        data = self._json("analyze_query", self._prompts["analyze_query"].format(prompt=prompt), schema,
                          max_tokens=300)
        if not isinstance(data, dict):
            raise LLMError(f"analyze_query: expected a JSON object, got {data!r}")
        return data

    def generate_embedding(self, text: str) -> list[float]:
        if self.embedder is None:
            from .embeddings import create_embedder
            self.embedder = create_embedder(self.settings)
        return self.embedder.embed([text])[0].tolist()

    def example_requests(self, signature: str, docstring: str, n: int = 4) -> list[str]:
        """`n` requests, in everyday words, that the function answers (Tool2Vec's "usage" views,
        arXiv 2409.02141): a tool is found by how people ask for it, not only by how it describes itself.
        Sampled, not greedy, so the phrasings differ from one another and from the docstring."""
        schema = {"type": "object", "properties": {"requests": {
            "type": "array", "minItems": n, "maxItems": n,
            "items": {"type": "string", "minLength": 8, "maxLength": 160}}}, "required": ["requests"]}
        data = self._json("example_requests", self._prompts["example_requests"].format(
            n=n, signature=signature, docstring=docstring or "(no description)"),
            schema, max_tokens=45 * n + 20, temperature=0.7)
        return list(dict.fromkeys(" ".join(t.split()) for t in data["requests"] if t.strip()))

    def check_tool_fit(self, request: str, signature: str, docstring: str,
                       parameters: list[dict] | None = None) -> dict[str, Any]:
        """Does this tool do what `request` asks? {"fits", "relation", "needed", "arguments"}.

        The reply is tiny and schema-constrained (the registry asks only for uncertain candidates).
        `relation` is same / opposite / different: a small model answers a yes/no "fits" with yes almost
        always, but tells "the other way round" apart when it is offered as an answer."""
        props = {p["name"]: type_schema(p.get("type")) for p in parameters or []}
        # At least three characters: shown `f(...)`, the model sometimes named the need "f", which says
        # nothing of the request. (A prompt without the `f` made its twin judgements worse on the tune
        # half: FP 0.10 -> 0.14, so the prompt keeps it.)
        schema = {"type": "object", "properties": {
            "needed": {"type": "string", "pattern": "^[a-z][a-z0-9_]{2,40}$"},
            "relation": {"enum": ["same", "opposite", "different"]},
            "arguments": {"type": "object", "properties": props, "required": list(props)}},
            "required": ["needed", "relation", "arguments"]}
        data = self._json("check_tool_fit", self._prompts["check_tool_fit"].format(
            signature=signature, docstring=docstring or "(no description)", request=request),
            schema, max_tokens=80)
        if not isinstance(data, dict) or data.get("relation") not in ("same", "opposite", "different"):
            raise LLMError(f"check_tool_fit: expected {{needed, relation, arguments}}, got {data!r}")
        return {"fits": data["relation"] == "same", "relation": data["relation"],
                "needed": data.get("needed") or "", "arguments": data.get("arguments") or {}}


# -- spec and test helpers (pure; used by the synthesis engine too) -----------------------------------

def normalize_spec(spec: Any) -> dict[str, Any]:
    """Check the seeds' spec keys and clean small-model slips (CamelCase names, stray spaces)."""
    if not isinstance(spec, dict):
        raise LLMError(f"spec must be a JSON object, got {type(spec).__name__}")
    missing = [k for k in ("function_name", "parameters", "return_type", "docstring") if k not in spec]
    if missing:
        raise LLMError(f"spec is missing {', '.join(missing)}")
    name = re.sub(r"(?<!^)(?=[A-Z])", "_", str(spec["function_name"]).strip()).lower()
    name = re.sub(r"[^a-z0-9_]+", "_", name).strip("_")
    params, seen = [], set()
    for p in spec.get("parameters") or []:
        if not isinstance(p, dict) or not re.match(_IDENT, str(p.get("name", ""))):
            raise LLMError(f"spec has an invalid parameter: {p!r}")
        if p["name"] in seen:
            raise LLMError(f"spec repeats parameter {p['name']!r}")
        seen.add(p["name"])
        ptype, form = as_text_type(str(p.get("type") or "Any"))
        desc = str(p.get("description") or "")
        params.append({"name": p["name"], "type": ptype, "description": f"{desc} ({form})" if form else desc})
    doc = " ".join(str(spec["docstring"]).split())
    ret, form = as_text_type(str(spec["return_type"] or "Any"))
    if form:
        doc = f"{doc} The result is {form}."
    return {"function_name": name, "parameters": params, "return_type": ret, "docstring": doc}


# The standard library's calendar types, and the text a tool passes them as. Values cross the sandbox as
# JSON and cases write them as JSON, so a case can only ever say "2024-02-29": a spec that promises a
# `datetime.date` lets one implementation return a date and the next a midnight datetime, which then
# disagree ("2024-02-29" vs "2024-02-29T00:00:00") on every input although they mean the same day.
_TEXT_FORMS = {"date": "text in ISO format 'YYYY-MM-DD'", "datetime": "text in ISO format 'YYYY-MM-DDTHH:MM:SS'",
               "time": "text in ISO format 'HH:MM:SS'"}


def as_text_type(type_name: str) -> tuple[str, str]:
    """('str', the form the text takes) for a date, datetime or time type; else (the type, '')."""
    bare = type_name.strip().removeprefix("datetime.")
    if bare in _TEXT_FORMS:
        return "str", _TEXT_FORMS[bare]
    return type_name, ""


def clean_code(reply: str, function_name: str) -> str:
    """The implementation in a reply, minus any import of the tool from its own module."""
    code = extract_code(reply, function_name)
    own = re.compile(rf"^\s*(from\s+{re.escape(function_name)}\s+import\s+.*|import\s+{re.escape(function_name)})\s*$")
    return "\n".join(line for line in code.splitlines() if not own.match(line)).strip() + "\n"


def examples_from_tests(tests: str, function_name: str, limit: int = 8) -> list[str]:
    """`f(x=1) == 2` lines from single-line asserts of the tests, for a compact prompt."""
    out = []
    for line in tests.splitlines():
        m = re.match(rf"\s*assert\s+({re.escape(function_name)}\(.*\))\s*==\s*(.+)$", line)
        if m:
            expected = re.sub(r"^pytest\.approx\((.*)\)$", r"\1", m.group(2).strip())
            out.append(f"{m.group(1)} == {expected}")
    return out[:limit]
