"""Two other ways to ask the model whether a tool fits, measured against `registry.search_tool`'s own check.

Both act only where the registry's check would (an uncertain candidate: `fit_check.check_triggers`), on the
same plausible candidates (above the floor, no argument-role, answer-kind or asked-input conflict), and
leave clear hits and "nothing plausible" exactly as the registry decides them:

* `choice`: the top three candidates side by side, with names, signatures and docstrings; the reply names
  the needed function and picks a letter or "none" (schema-constrained). Side by side the model should
  see twins' differences.
* `blind`: the model names the needed function and says what it returns *without* seeing any candidate;
  the candidate whose name and docstring embed nearest that need (MiniLM cosine) is taken when the cosine
  reaches --tau, unless the need is the candidate's twin (`fit_check.need_contradicts`).

    python benchmarks/bench_fit_variants.py --variant choice --split tune
    python benchmarks/bench_fit_variants.py --variant blind --split tune --taus 0.45,0.5,0.55,0.6

Figures per run: decision accuracy and false positives over the whole split (as bench_retrieval.py counts
them), and the model-checked share. Measured on 2026-12-06 (tune half, embedded 1.5B) with the prototype
this script was cleaned from (same prompts, candidates and decision rule), against the registry's own
check on the same half (`bench_retrieval.py --local --split tune`: 0.762, FP 0.120): `choice` 0.756, FP
22/50 = 0.44; `blind` (161 of 164 requests: three replies broke the schema and stopped that run; here
they count as "no tool") at best 0.795, FP 0.23 (tau 0.475), and 0.776, FP 0.23 at tau 0.55. Neither
lowers false positives, so the registry keeps its check.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_retrieval import SETS, build_registry  # noqa: E402
from selfeng.answer_kind import answer_kind_conflict, asked_input_conflict  # noqa: E402
from selfeng.arguments import role_conflict  # noqa: E402
from selfeng.config import load_settings  # noqa: E402
from selfeng.embeddings import MiniLMEmbedder  # noqa: E402
from selfeng.fit_check import check_triggers, need_contradicts  # noqa: E402
from selfeng.llm import LLMError  # noqa: E402
from selfeng.query_text import words  # noqa: E402

LETTERS = "ABC"
NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,40}$"}
CHOICE_PROMPT = (
    "A user request and some functions that might do it. needed: a short snake_case name for the function "
    "the request needs. choice: the letter of the function that does exactly what the request asks, or "
    '"none" when none of them does (it goes the other way, like the inverse conversion or the other sort '
    "order, or it does a related but different task).\n{options}\nRequest: {request}")
BLIND_PROMPT = (
    "Name the Python function that would do exactly what this request asks. needed: its snake_case name, "
    "made of the action and what it acts on (for example grams_to_ounces, count_spaces, "
    "sort_words_by_length). does: one short sentence saying what it returns.\nRequest: {request}")


def plausible(reg, text: str) -> list[tuple]:
    out = []
    for c, row in reg._ranked(text, 5):
        if c.similarity < reg.reject_below:
            continue
        tool = reg._tool_dict(row)
        if role_conflict(text, tool["name"], tool["parameters"], tool["docstring"]) or \
                answer_kind_conflict(text, tool["name"], tool["return_type"]) or \
                asked_input_conflict(text, tool["name"], tool["parameters"]):
            continue
        out.append((c, tool))
    return out


def ask_choice(client, text: str, cands: list[tuple]) -> dict:
    opts = cands[:len(LETTERS)]
    lines = "\n".join(f"{LETTERS[i]}: {t['name']}{t['signature'][t['signature'].find('('):]} - {t['docstring']}"
                      for i, (_, t) in enumerate(opts))
    schema = {"type": "object", "properties": {"needed": NAME, "choice": {
        "enum": [LETTERS[i] for i in range(len(opts))] + ["none"]}}, "required": ["needed", "choice"]}
    reply = client._json("check_tool_fit", CHOICE_PROMPT.format(options=lines, request=text), schema,
                         max_tokens=60)
    pick = None if reply["choice"] == "none" else opts[LETTERS.index(reply["choice"])][1]["name"]
    return {"got": pick, "needed": reply["needed"]}


def ask_blind(client, text: str) -> dict:
    schema = {"type": "object", "properties": {"needed": NAME, "does": {"type": "string", "maxLength": 120}},
              "required": ["needed", "does"]}
    return client._json("check_tool_fit", BLIND_PROMPT.format(request=text), schema, max_tokens=60)


def blind_pick(emb, need: dict, cands: list[tuple], tau: float, text: str) -> str | None:
    def unit(t: str) -> np.ndarray:
        v = np.asarray(emb.embed([t])[0], dtype=float)
        return v / np.linalg.norm(v)
    said = unit(" ".join(w for w in words(need["needed"]) if not w.isdigit()) + ". " + need["does"])
    scored = [(float(said @ unit(" ".join(words(t["name"])) + ". " + t["docstring"])), t) for _, t in cands[:3]]
    score, tool = max(scored, key=lambda st: st[0])
    if score < tau or need_contradicts(need["needed"], tool["name"], f"{tool['name']} {tool['docstring']}", text):
        return None
    return tool["name"]


def summary(rows: list[dict], got_key: str) -> str:
    none = [r for r in rows if r["label"] is None]
    right = sum(r[got_key] == r["label"] for r in rows)
    fp = sum(r[got_key] is not None for r in none)
    return f"decision {right / len(rows):.3f} ({right}/{len(rows)})  FP {fp / max(len(none), 1):.3f} ({fp}/{len(none)})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=("choice", "blind"), required=True)
    ap.add_argument("--split", default="tune")
    ap.add_argument("--taus", default="0.45,0.5,0.55,0.6", help="blind: cosine bars to report")
    ap.add_argument("--limit", type=int, default=0, help="only the first N requests (a smoke run)")
    args = ap.parse_args()
    data = json.loads((SETS / "routing_set.json").read_text())
    requests = data["requests"] + json.loads((SETS / "routing_postfreeze.json").read_text())["requests"]
    requests = [r for r in requests if r["split"] == args.split][:args.limit or None]
    emb = MiniLMEmbedder()
    from selfeng.llm_client import LLMClient
    client = LLMClient(settings=load_settings(llm_provider="local"))
    reg = build_registry([t for t in data["tools"] if t["in_library"]], emb)
    taus = [float(t) for t in args.taus.split(",")]
    rows = []
    for r in requests:
        cands = plausible(reg, r["text"])
        row = {**r, "checked": False}
        if not cands:
            fixed = None
        elif not check_triggers(cands[0][0], [c for c, _ in cands], reg.accept_at, reg.min_coverage):
            fixed = cands[0][1]["name"]
        else:
            row["checked"] = True
            fixed = None
            try:
                if args.variant == "choice":
                    row.update(ask_choice(client, r["text"], cands))
                else:
                    need = ask_blind(client, r["text"])
                    row.update(need, **{f"got@{t}": blind_pick(emb, need, cands, t, r["text"]) for t in taus})
            except LLMError as exc:  # a reply the schema check refuses counts as "no tool"
                row["error"] = str(exc)[:200]
        for key in (["got"] if args.variant == "choice" else [f"got@{t}" for t in taus]):
            row.setdefault(key, fixed if not row["checked"] else None)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    checked = sum(r["checked"] for r in rows)
    print(f"{args.variant} on {args.split}: {len(rows)} requests, {checked} model-checked")
    for key in (["got"] if args.variant == "choice" else [f"got@{t}" for t in taus]):
        print(f"  {key:10s} {summary(rows, key)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
