"""How the spec prompt's wording types percentages, and whether the extraction reads the form a parameter's
description asks for. Greedy calls to the embedded model, so each run gives the same figures.

    python benchmarks/bench_percent_wording.py specs [PROMPT_FILE]        # 16 requests with a percentage
    python benchmarks/bench_percent_wording.py mentions [PROMPT_FILE]     # 16 requests without one
    python benchmarks/bench_percent_wording.py extraction SPECS.json      # with and without descriptions

`specs` prints, per request, the parameters the spec gives and counts percentages typed as text and
described as decimals ("0.22 for 22%"); `--json OUT` keeps the specs for `extraction`. `mentions` counts
specs that bring a percentage into a request that has none. PROMPT_FILE replaces `generate_spec.txt`
(its `{user_prompt}` and `{hint}` placeholders kept). The requests here are the tuning side: none is in
a post-freeze set, except the 16 without a percentage, taken from postfreeze-1207j/k after their runs.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PERCENT = ["What is 14% of 260?", "Take 12 percent off 450", "A bill of 64 plus a 15% tip: what is the total?",
           "Add 20% VAT to 35", "My salary of 3000 rises by 6%. What is it now?", "What is 7.5% of 840?",
           "A 25% deposit on a 1600 sofa: how much is the deposit?", "Reduce 90 by 40 percent",
           "How much is a 3% commission on a sale of 5200?", "What is 250 after a 12% discount?",
           "Grow 500 by 8 percent", "What is 65 percent of 40?", "A 2% fee on 750: how much?",
           "The price 80 went up 15%. New price?", "Find 22% of 150", "Cut 1200 by 5%"]


def _client(prompt_file: str | None):
    from selfeng.llm_client import LLMClient
    client = LLMClient()
    if prompt_file:
        client._prompts["generate_spec"] = Path(prompt_file).read_text()
    return client


def _without_percent() -> list[str]:
    out = []
    for name in ("postfreeze-1207j.json", "postfreeze-1207k.json"):
        for item in json.loads((HERE / "requests" / name).read_text()):
            if "%" not in item["request"] and "percent" not in item["request"].lower():
                out.append(item["request"])
    return out[:16]


def specs(prompt_file: str | None, keep: str | None) -> None:
    client, rows, text, decimal = _client(prompt_file), [], 0, 0
    for request in PERCENT:
        spec = client.generate_spec(request)
        params = [(p["name"], p.get("type"), p.get("description", "")) for p in spec["parameters"]]
        is_text = any(t == "str" and ("perc" in n or "rate" in n or "%" in d) for n, t, d in params)
        is_decimal = any(re.search(r"\b0\.\d+ for \d", d) for _, _, d in params)
        text, decimal = text + is_text, decimal + is_decimal
        rows.append({"request": request, "params": params, "doc": spec["docstring"]})
        print(f"{'TEXT' if is_text else '    '} {'DEC' if is_decimal else '   '} {request[:45]:46} {params}", flush=True)
    print(f"typed as text: {text} of {len(PERCENT)}; described as decimals: {decimal}")
    if keep:
        Path(keep).write_text(json.dumps(rows, indent=1))


def mentions(prompt_file: str | None) -> None:
    client, requests, hits = _client(prompt_file), _without_percent(), 0
    for request in requests:
        text = json.dumps(client.generate_spec(request)).lower()
        if "percent" in text or "%" in text:
            hits += 1
            print(f"PERCENT {request}: {text[:200]}", flush=True)
    print(f"specs that bring in a percentage: {hits} of {len(requests)}")


def extraction(specs_file: str) -> None:
    """Each spec's request read with its parameter descriptions shown and without. Right: the numbers the
    request states, a percentage as a fraction where a description's example asks so ("0.22 for 22%")."""
    client, score, rows = _client(None), {"with": 0, "without": 0}, json.loads(Path(specs_file).read_text())
    for row in rows:
        nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", row["request"])]
        pct = [x for x in nums if re.search(rf"(?<![\d.]){re.escape(f'{x:g}')}\s*(%|percent)", row["request"])]
        decimal = any(re.search(r"\b0\.\d+ for \d", d) for _, _, d in row["params"])
        want = sorted([x for x in nums if x not in pct] + [x / 100 for x in pct] if decimal else nums)
        signature = "def f(" + ", ".join(f"{n}: {t}" for n, t, _ in row["params"]) + "):"
        for label, shown in (("with", True), ("without", False)):
            params = [{"name": n, "type": t, **({"description": d} if shown else {})} for n, t, d in row["params"]]
            try:
                args = client.extract_arguments(row["request"], signature, params, docstring=row["doc"])
                got = sorted(float(v) for v in args.values() if isinstance(v, (int, float)) and not isinstance(v, bool))
            except Exception as exc:  # noqa: BLE001 - a reply that is no JSON is a miss, as in a run
                args, got = str(exc)[:60], None
            ok = got is not None and len(got) == len(want) and all(abs(g - w) < 1e-9 for g, w in zip(got, want))
            score[label] += ok
            print(f"{label:8} {'ok ' if ok else 'BAD'} {row['request'][:45]:46} {args}", flush=True)
    print(f"read as described: with descriptions {score['with']} of {len(rows)}, "
          f"without {score['without']} of {len(rows)}")


if __name__ == "__main__":
    args = sys.argv[1:]
    keep = args[args.index("--json") + 1] if "--json" in args else None
    args = [a for i, a in enumerate(args) if a != "--json" and (i == 0 or args[i - 1] != "--json")]
    if not args or args[0] not in ("specs", "mentions", "extraction"):
        sys.exit(__doc__)
    if args[0] == "extraction":
        if len(args) < 2:
            sys.exit("extraction needs a SPECS.json written by `specs --json`")
        extraction(args[1])
    else:
        (specs if args[0] == "specs" else mentions)(args[1] if len(args) > 1 else None, *([keep] if args[0] == "specs" else []))
