"""Speed of the embedded model: load, prompt and generation rates, and the synthesis baseline.

    python benchmarks/bench_llm.py [--size 1.5b|0.5b] [--runs 5] [--threads N] [--cache]

The baseline the synthesis pipeline is judged against is the median wall time of one greedy generation
of a small Python function. Every timed call starts from an empty KV cache (`reset()`), so nothing is
reused between runs. `--cache` also compares llama.cpp's RAM prompt cache on a synthesis-like call
pattern (three stages with their own system prompts, for three requests): none, llama-cpp-python's stock
LlamaRAMCache, and selfeng's trimmed one (the default), each in a fresh process.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from selfeng.config import load_settings  # noqa: E402
from selfeng.llm.local import LocalProvider  # noqa: E402
from selfeng.llm.model_files import ensure_model  # noqa: E402

CODE_PROMPT = [{"role": "user", "content": "Write a Python function reverse_string(s) that returns s reversed. "
                                           "Reply with only code."}]
SPEC_SCHEMA = {
    "type": "object",
    "properties": {
        "function_name": {"type": "string"},
        "description": {"type": "string"},
        "parameters": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "type": {"type": "string"}}, "required": ["name", "type"]}},
        "returns": {"type": "string"},
    },
    "required": ["function_name", "description", "parameters", "returns"],
}
LONG_TEXT = " ".join(f"Line {i}: the quick brown fox jumps over the lazy dog while counting sheep." for i in range(30))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cold(provider: LocalProvider) -> None:
    """Forget every evaluated prompt: no prefix reuse from the previous call, nor from the prompt cache."""
    provider.llm.reset()
    if provider.llm.cache is not None:
        provider.llm.cache.cache_state.clear()


def timed(provider: LocalProvider, messages, **kw):
    cold(provider)
    return provider.complete(messages, purpose="bench", **kw)


def prompt_rate(provider: LocalProvider) -> float:
    rates = []
    for i in range(3):
        c = timed(provider, [{"role": "user", "content": f"Run {i}. Summarise:\n{LONG_TEXT}"}], max_tokens=1)
        rates.append(c.prompt_tokens / c.seconds)
    return statistics.median(rates)


def generation_rate(provider: LocalProvider) -> float:
    """Tokens/s after the first token, from a streamed reply (so prompt time is excluded)."""
    llm = provider.llm
    with provider._lock:
        cold(provider)
        stream = llm.create_chat_completion(
            [{"role": "user", "content": "Count from 1 to 200, separated by commas."}],
            max_tokens=160, temperature=0.0, stream=True)
        n, first = 0, None
        for chunk in stream:
            if chunk["choices"][0]["delta"].get("content"):
                n += 1
                if first is None:
                    first = time.monotonic()
        end = time.monotonic()
    # One chunk per token for plain text; the first token's time belongs to the prompt.
    return (n - 1) / (end - first)


def synthesis_pattern(path: str, threads: int, cache: str) -> dict:
    from llama_cpp import LlamaRAMCache

    p = LocalProvider(path, n_threads=threads)  # comes with selfeng's trimmed prompt cache
    if cache == "off":
        p.llm.set_cache(None)
    elif cache == "stock":
        p.llm.set_cache(LlamaRAMCache(capacity_bytes=1 << 30))

    def system(stage: str) -> str:
        rules = "\n".join(f"- Rule {i} for the {stage} stage: keep outputs precise, deterministic and "
                          "well-typed; never use the network." for i in range(12))
        return f"You write {stage} for a Python tool-synthesis pipeline.\n{rules}"

    total, calls = 0.0, []
    for task in ("reverse a string", "count vowels in a text", "sum of squares of a list"):
        for stage in ("specifications", "pytest tests", "implementations"):
            c = p.complete([{"role": "system", "content": system(stage)}, {"role": "user", "content": f"Task: {task}"}],
                           purpose="bench", max_tokens=8)
            total += c.seconds
            calls.append(round(c.seconds, 2))
    return {"cache": cache, "total_s": round(total, 2), "calls_s": calls, "max_rss_mb": round(rss_mb())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1.5b", choices=["1.5b", "0.5b"])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--cache", action="store_true", help="also compare llama.cpp's RAM prompt cache")
    ap.add_argument("--_pattern", choices=["off", "stock", "selfeng"], help=argparse.SUPPRESS)
    ap.add_argument("--_path", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._pattern:
        print(json.dumps(synthesis_pattern(args._path, args.threads, args._pattern)))
        return

    path = ensure_model(load_settings(), size=args.size)
    t0 = time.monotonic()
    p = LocalProvider(path, n_threads=args.threads)
    load_s = time.monotonic() - t0
    print(f"model            {path.name}  threads={p.llm.n_threads or 'auto'}")
    print(f"load             {load_s:.2f} s")
    print(f"prompt           {prompt_rate(p):.1f} tok/s (median of 3, ~450-token prompt)")
    print(f"generation       {generation_rate(p):.1f} tok/s (160 tokens, greedy)")

    walls, toks = [], []
    for _ in range(args.runs):
        c = timed(p, CODE_PROMPT, max_tokens=256, temperature=0.0)
        walls.append(c.seconds)
        toks.append(c.completion_tokens)
    print(f"reverse_string   median {statistics.median(walls):.2f} s over {args.runs} runs "
          f"(min {min(walls):.2f}, max {max(walls):.2f}; {c.prompt_tokens} prompt + {statistics.median(toks):.0f} "
          f"completion tokens)")
    print("                 reply: " + c.text.replace("\n", "\\n")[:120])

    walls = []
    for _ in range(max(1, args.runs // 2 + 1)):
        c = timed(p, [{"role": "user", "content": "Specify a Python function that counts the vowels in a string."}],
                  json_schema=SPEC_SCHEMA, max_tokens=256, temperature=0.0)
        walls.append(c.seconds)
    json.loads(c.text)
    print(f"json_schema call median {statistics.median(walls):.2f} s over {len(walls)} runs "
          f"({c.prompt_tokens} prompt + {c.completion_tokens} completion tokens)")
    print("                 reply: " + c.text.replace("\n", " ")[:120])
    print(f"max RSS          {rss_mb():.0f} MB")

    if args.cache:
        for mode in ("off", "stock", "selfeng"):
            out = subprocess.run([sys.executable, __file__, "--_pattern", mode, "--_path", str(path),
                                  "--threads", str(args.threads)], capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"prompt cache {mode:7} 9 synthesis-like calls: {r['total_s']:.2f} s total, max RSS "
                  f"{r['max_rss_mb']} MB; per call {r['calls_s']}")


if __name__ == "__main__":
    main()
