"""The embedded model: a Qwen2.5-Coder GGUF run in-process by llama.cpp (llama-cpp-python).

Loading takes seconds and a model takes 0.5-2 GB, so each file is loaded once per process and shared by
every provider instance; llama.cpp contexts are not thread-safe, so one lock per model serialises calls.

Prompt evaluation is the slow part on a CPU (~50 tok/s for 1.5B on 2 threads), and selfeng's calls
share long prefixes: each synthesis stage has its own fixed system prompt. llama.cpp already reuses the
prefix of the *previous* call; a RAM prompt cache also restores the longest matching prefix among
earlier calls (benchmarks/bench_llm.py --cache measures it).
"""
from __future__ import annotations

import atexit
import os
import threading
import time
from pathlib import Path

from ..config import Settings
from .base import Completion, LLMError

_REPEAT_PENALTY = 1.1
_PROMPT_CACHE_BYTES = 512 << 20  # KV states; ~28 KB per token for 1.5B, so ~18k cached tokens
_SETUP_HINT = "run scripts/setup (or `python -m selfeng.llm.model_files`) to assemble it"

_models: dict[Path, tuple[object, threading.Lock]] = {}
_models_lock = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free llama.cpp models before interpreter teardown: left to __del__ during shutdown, llama-cpp-python
    calls into already-unloaded bindings and prints a spurious 'NoneType is not callable' traceback."""
    with _models_lock:
        for llm, lock in _models.values():
            with lock:
                try:
                    llm.close()
                except Exception:  # noqa: BLE001 - best effort at exit
                    pass
        _models.clear()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _prompt_cache(capacity_bytes: int):
    from llama_cpp import LlamaRAMCache

    class PromptCache(LlamaRAMCache):
        """LlamaRAMCache without the per-state copy of the logits.

        A saved state carries a (min(n_tokens, n_batch), n_vocab) float32 copy of the logits: ~300 MB
        for Qwen's 152k vocabulary, which the cache does not count against its capacity (RSS went from
        2 to 4 GB in 9 calls). Only the last row can matter, and not even that: llama-cpp-python
        re-evaluates at least one token after restoring a state (`_requires_eval`) because restored
        logits are stale. So keep just that row; broadcasting makes `load_state` accept it.
        """

        def __setitem__(self, key, value):
            value.scores = value.scores[-1:].copy()
            super().__setitem__(key, value)

    return PromptCache(capacity_bytes)


def _load(path: Path, n_threads: int, n_ctx: int):
    """The process-wide Llama for `path` and its lock, loading it on first use."""
    with _models_lock:
        if path in _models:
            return _models[path]
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMError("the local provider needs llama-cpp-python==0.3.36: run scripts/setup") from exc
        threads = n_threads or _cpu_count()
        try:
            llm = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                        n_batch=512, verbose=False)
        except Exception as exc:  # llama.cpp reports a bad file as ValueError/RuntimeError
            raise LLMError(f"could not load {path}: {exc}") from exc
        llm.set_cache(_prompt_cache(_PROMPT_CACHE_BYTES))
        _models[path] = (llm, threading.Lock())
        return _models[path]


class LocalProvider:
    name = "local"

    def __init__(self, model_path: str | Path, n_threads: int = 0, n_ctx: int = 4096):
        self.model_path = Path(model_path).expanduser().resolve()
        if not self.model_path.is_file():
            raise LLMError(f"local model {self.model_path} not found: {_SETUP_HINT}")
        self._llm, self._lock = _load(self.model_path, n_threads, n_ctx)

    @property
    def llm(self):
        """The underlying `llama_cpp.Llama` (shared; hold no reference across threads)."""
        return self._llm

    def complete(self, messages: list[dict], *, purpose: str, json_schema: dict | None = None,
                 max_tokens: int = 512, temperature: float = 0.0) -> Completion:
        kwargs = {}
        if json_schema is not None:
            # llama-cpp-python turns the schema into a GBNF grammar, so decoding can only produce
            # schema-valid JSON (its handler falls back to a generic JSON grammar if conversion fails).
            kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
        with self._lock:
            t0 = time.monotonic()
            try:
                if json_schema is None:
                    text, prompt_tokens, completion_tokens = self._stream_until_fence_closes(
                        messages, max_tokens, temperature)
                else:
                    resp = self._llm.create_chat_completion(
                        messages=messages, max_tokens=max_tokens, temperature=temperature,
                        repeat_penalty=_REPEAT_PENALTY, **kwargs)
                    usage = resp.get("usage") or {}
                    text = resp["choices"][0]["message"].get("content") or ""
                    prompt_tokens = usage.get("prompt_tokens", 0)
                    completion_tokens = usage.get("completion_tokens", 0)
            except ValueError as exc:  # e.g. "Requested tokens (...) exceed context window of ..."
                raise LLMError(f"local model: {exc}") from exc
            seconds = time.monotonic() - t0
        return Completion(text=text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                          seconds=seconds)

    def _stream_until_fence_closes(self, messages: list[dict], max_tokens: int,
                                   temperature: float) -> tuple[str, int, int]:
        """Free text, streamed; a reply that opened a ``` code block ends when the block closes.

        Code prompts ask for exactly one fenced block, so whatever a small model adds after it (sampled
        replies like to explain themselves) is never read, and on a CPU each such token costs ~60 ms.
        """
        parts: list[str] = []
        n = 0
        stream = self._llm.create_chat_completion(
            messages=messages, max_tokens=max_tokens, temperature=temperature,
            repeat_penalty=_REPEAT_PENALTY, stream=True)
        try:
            for chunk in stream:
                delta = chunk["choices"][0].get("delta", {}).get("content") or ""
                if not delta:
                    continue
                parts.append(delta)
                n += 1
                if _closed_fence("".join(parts)):
                    break
        finally:
            stream.close()
        prompt_tokens = max(0, int(getattr(self._llm, "n_tokens", 0)) - n)
        return "".join(parts), prompt_tokens, n


def _closed_fence(text: str) -> bool:
    """A ``` block holding a function definition has been closed on a line of its own (a first block of
    imports alone does not count: some replies put the function in a second block)."""
    lines = text.split("\n")[:-1]  # the last line may still be growing
    fences = [i for i, line in enumerate(lines) if line.strip().startswith("```")]
    for start, end in zip(fences[::2], fences[1::2]):
        if any(line.lstrip().startswith(("def ", "async def ", "class ")) for line in lines[start + 1:end]):
            return True
    return False


def from_settings(settings: Settings) -> LocalProvider:
    from .model_files import ensure_model, model_path

    path = model_path(settings)
    if not path.is_file():
        if settings.local_model:
            raise LLMError(f"SELFENG_LOCAL_MODEL={path} not found")
        # Assembling downloads up to 1.1 GB: that belongs in the setup, not in the middle of a request.
        raise LLMError(f"local model {path} not found: {_SETUP_HINT}")
    path = ensure_model(settings, progress=lambda _msg: None)  # cheap: checks the verification stamp
    return LocalProvider(path, n_threads=settings.local_threads, n_ctx=settings.local_ctx)
