"""`selfeng eval`: judge the pipeline on your own model.

`humaneval`: each problem is synthesised in a fresh library, then HumanEval's hidden tests run in the
sandbox on the registered tool; one greedy single-shot completion with the same provider is the baseline.
`requests`: a JSON list of everyday requests runs in order against one growing library; each answer
is compared with its `expect` (see `matching.matches` for the rule).
"""
from .common import default_json_path, write_json
from .humaneval import (evaluate_humaneval, humaneval_table, load_humaneval, preamble, run_hidden, select_problems,
                        summarize_humaneval)
from .matching import matches
from .requests import evaluate_requests, load_requests, requests_table, summarize_requests

__all__ = ["default_json_path", "evaluate_humaneval", "evaluate_requests", "humaneval_table", "load_humaneval",
           "load_requests", "matches", "preamble", "requests_table", "run_hidden", "select_problems",
           "summarize_humaneval", "summarize_requests", "write_json"]
