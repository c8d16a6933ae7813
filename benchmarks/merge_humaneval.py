"""Merge `selfeng eval humaneval` reports of disjoint slices run side by side into one report and table.

Two halves at one llama.cpp thread each finish sooner on 2 cores than one run at two threads:

    SELFENG_LOCAL_THREADS=1 .venv/bin/selfeng eval humaneval --every 8 --offset 0 --json A &
    SELFENG_LOCAL_THREADS=1 .venv/bin/selfeng eval humaneval --every 8 --offset 4 --json B
    .venv/bin/python benchmarks/merge_humaneval.py A B --every 4 --json benchmarks/results/humaneval-every4.json
"""
from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from selfeng.evaluation.humaneval import humaneval_table, summarize_humaneval


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="+")
    ap.add_argument("--every", type=int, required=True, help="the stride of the merged set")
    ap.add_argument("--json", required=True)
    ap.add_argument("--commit", help="the commit the runs measured (default: HEAD now)")
    a = ap.parse_args()
    parts = [json.loads(Path(p).read_text()) for p in a.reports]
    rows = sorted((r for p in parts for r in p["rows"]), key=lambda r: int(r["task_id"].split("/")[1]))
    ids = [r["task_id"] for r in rows]
    if len(ids) != len(set(ids)):
        raise SystemExit("the reports overlap: a problem appears twice")
    commit = a.commit or subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                        text=True).stdout.strip()
    report = {"kind": "humaneval", "every": a.every, "offset": min(p.get("offset", 0) for p in parts),
              "limit": None, "provider": parts[0]["provider"], "model_load_s": parts[0].get("model_load_s"),
              "rows": rows, "summary": summarize_humaneval(rows),
              "halves": [f"--every {p['every']} --offset {p.get('offset', 0)}" for p in parts], "commit": commit}
    Path(a.json).write_text(json.dumps(report, indent=1, default=str))
    print(humaneval_table(report))


if __name__ == "__main__":
    main()
