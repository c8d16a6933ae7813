"""Settings from environment variables and an optional `.env`, in one place.

Every setting has a documented default (see the README's table), so selfeng works with no `.env` at
all. All state lives under one data directory; nothing depends on the current working directory.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values


class ConfigError(ValueError):
    """A setting has a value selfeng cannot use."""


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "selfeng"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "selfeng"


# env var -> (attribute, parser). The README's configuration table lists the same names.
_BOOL_TRUE = {"1", "true", "yes", "on"}


def _bool(v: str) -> bool:
    return v.strip().lower() in _BOOL_TRUE


@dataclass
class Settings:
    """Resolved configuration. Build with `load_settings()`; tests may pass overrides."""

    data_dir: Path = field(default_factory=_default_data_dir)
    cache_dir: Path = field(default_factory=_default_cache_dir)

    # LLM
    llm_provider: str = "local"            # local | openai | anthropic | scripted
    local_model: str | None = None         # path to a .gguf; default: assembled from PyPI parts
    local_model_size: str = "1.5b"         # 1.5b | 0.5b
    local_threads: int = 0                 # 0 = all cores
    local_ctx: int = 4096
    script: str | None = None              # scripted provider's JSON file
    record: str | None = None              # append real exchanges here as JSON lines
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"
    anthropic_api_key: str | None = None
    anthropic_model: str = "claude-3-5-haiku-latest"
    llm_timeout: float = 60.0
    llm_max_retries: int = 3

    # Embeddings and store
    embedder: str = "minilm"               # minilm | openai
    openai_embedding_model: str = "text-embedding-3-small"
    store: str = "sqlite"                  # sqlite | postgres
    database_url: str | None = None
    vector_store: str = "numpy"            # numpy | pgvector | chroma (where tool vectors are searched)
    chroma_persist_dir: Path | None = None  # default: <data_dir>/chroma
    similarity_threshold: float | None = None  # None = the registry's calibrated default

    # Sandbox
    sandbox_backend: str = "bwrap"
    sandbox_memory_mb: int = 512
    sandbox_timeout: float = 30.0
    sandbox_cpu_seconds: int = 30
    sandbox_nproc: int = 64
    sandbox_fsize_mb: int = 16
    sandbox_tmp_mb: int = 64

    # Synthesis
    synthesis_max_attempts: int = 4
    synthesis_min_tests: int = 3
    synthesis_agreement: int = 3
    allow_experimental: bool = False
    usage_views: int = 0  # example requests the model writes for each new tool (0: none); see usage_views.py
    routing_answer_check: bool = True  # an uncertain candidate is also run and compared (answer_check.py)

    # Requests and answers
    max_prompt_chars: int = 4000
    response_style: str = "auto"           # auto | model | template (see ResponseSynthesizer)

    # Web
    web_host: str = "127.0.0.1"
    web_port: int = 5000
    api_token: str | None = None           # when set, REST and Socket.IO require it
    secret_key: str | None = None          # Flask session key; random per process when unset

    # Jobs: in-process queue, or Celery workers on a Redis broker (selfeng.broker)
    broker_url: str | None = None          # redis://…: `selfeng serve` queues requests for `selfeng worker`
    rest_wait_seconds: float = 30.0        # POST /api/query waits this long, then answers 202 + Location
    max_waiting: int = 64                  # waiting jobs in all
    max_waiting_per_client: int = 8        # waiting jobs of one Socket.IO client (or REST address)

    @property
    def tools_dir(self) -> Path:
        return self.data_dir / "tools"

    @property
    def files_dir(self) -> Path:
        """User data files (CSV/JSON) that tools may read, read-only, inside the sandbox."""
        return self.data_dir / "data"

    @property
    def outputs_dir(self) -> Path:
        return self.data_dir / "outputs"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "selfeng.db"

    @property
    def model_dir(self) -> Path:
        return self.cache_dir / "models"

    def ensure_dirs(self) -> None:
        for d in (self.data_dir, self.tools_dir, self.files_dir, self.outputs_dir):
            d.mkdir(parents=True, exist_ok=True)


_ENV: dict[str, tuple[str, type]] = {
    "SELFENG_DATA_DIR": ("data_dir", Path),
    "SELFENG_CACHE_DIR": ("cache_dir", Path),
    "SELFENG_LLM_PROVIDER": ("llm_provider", str),
    "SELFENG_LOCAL_MODEL": ("local_model", str),
    "SELFENG_LOCAL_MODEL_SIZE": ("local_model_size", str),
    "SELFENG_LOCAL_THREADS": ("local_threads", int),
    "SELFENG_LOCAL_CTX": ("local_ctx", int),
    "SELFENG_SCRIPT": ("script", str),
    "SELFENG_RECORD": ("record", str),
    "SELFENG_OPENAI_BASE_URL": ("openai_base_url", str),
    "SELFENG_OPENAI_API_KEY": ("openai_api_key", str),
    "SELFENG_OPENAI_MODEL": ("openai_model", str),
    "SELFENG_ANTHROPIC_API_KEY": ("anthropic_api_key", str),
    "SELFENG_ANTHROPIC_MODEL": ("anthropic_model", str),
    "SELFENG_LLM_TIMEOUT": ("llm_timeout", float),
    "SELFENG_LLM_MAX_RETRIES": ("llm_max_retries", int),
    "SELFENG_EMBEDDER": ("embedder", str),
    "SELFENG_OPENAI_EMBEDDING_MODEL": ("openai_embedding_model", str),
    "SELFENG_STORE": ("store", str),
    "SELFENG_DATABASE_URL": ("database_url", str),
    "SELFENG_VECTOR_STORE": ("vector_store", str),
    "CHROMA_PERSIST_DIR": ("chroma_persist_dir", Path),
    "SELFENG_SIMILARITY_THRESHOLD": ("similarity_threshold", float),
    "SELFENG_SANDBOX": ("sandbox_backend", str),
    "SELFENG_SANDBOX_MEMORY_MB": ("sandbox_memory_mb", int),
    "SELFENG_SANDBOX_TIMEOUT": ("sandbox_timeout", float),
    "SELFENG_SANDBOX_CPU_SECONDS": ("sandbox_cpu_seconds", int),
    "SELFENG_SANDBOX_NPROC": ("sandbox_nproc", int),
    "SELFENG_SANDBOX_FSIZE_MB": ("sandbox_fsize_mb", int),
    "SELFENG_SANDBOX_TMP_MB": ("sandbox_tmp_mb", int),
    "SELFENG_SYNTHESIS_MAX_ATTEMPTS": ("synthesis_max_attempts", int),
    "SELFENG_SYNTHESIS_MIN_TESTS": ("synthesis_min_tests", int),
    "SELFENG_SYNTHESIS_AGREEMENT": ("synthesis_agreement", int),
    "SELFENG_ALLOW_EXPERIMENTAL": ("allow_experimental", _bool),
    "SELFENG_USAGE_VIEWS": ("usage_views", int),
    "SELFENG_ROUTING_ANSWER_CHECK": ("routing_answer_check", _bool),
    "SELFENG_MAX_PROMPT_CHARS": ("max_prompt_chars", int),
    "SELFENG_RESPONSE_STYLE": ("response_style", str),
    "SELFENG_HOST": ("web_host", str),
    "SELFENG_PORT": ("web_port", int),
    "SELFENG_API_TOKEN": ("api_token", str),
    "SELFENG_SECRET_KEY": ("secret_key", str),
    "SELFENG_BROKER_URL": ("broker_url", str),
    "SELFENG_REST_WAIT_SECONDS": ("rest_wait_seconds", float),
    "SELFENG_MAX_WAITING": ("max_waiting", int),
    "SELFENG_MAX_WAITING_PER_CLIENT": ("max_waiting_per_client", int),
}

# Conventional names the SDKs already use; selfeng-specific names win when both are set.
_FALLBACKS = {
    "openai_api_key": "OPENAI_API_KEY",
    "openai_base_url": "OPENAI_BASE_URL",
    "anthropic_api_key": "ANTHROPIC_API_KEY",
}

_CHOICES = {
    "llm_provider": {"local", "openai", "anthropic", "scripted"},
    "local_model_size": {"1.5b", "0.5b"},
    "embedder": {"minilm", "openai"},
    "store": {"sqlite", "postgres"},
    "vector_store": {"numpy", "pgvector", "chroma"},
    "response_style": {"auto", "model", "template"},
}


def load_settings(env: Mapping[str, str] | None = None, env_file: str | os.PathLike | None = None,
                  **overrides) -> Settings:
    """Read settings from `env` (default: os.environ) layered over a `.env` file.

    The `.env` is looked up at `env_file`, else `$SELFENG_ENV_FILE`, else `./.env`; real environment
    variables take precedence over it. Keyword overrides win over both.
    """
    environ = dict(os.environ if env is None else env)
    path = env_file or environ.get("SELFENG_ENV_FILE") or ".env"
    merged: dict[str, str] = {}
    if Path(path).is_file():
        merged.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    merged.update(environ)

    s = Settings()
    for var, (attr, parse) in _ENV.items():
        raw = merged.get(var)
        if raw is None or raw == "":
            continue
        try:
            value = parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{var}={raw!r} is not a valid {getattr(parse, '__name__', parse)}") from exc
        setattr(s, attr, value)
    for attr, var in _FALLBACKS.items():
        if getattr(s, attr) is None and merged.get(var):
            setattr(s, attr, merged[var])
    known = {f.name for f in fields(Settings)}
    for k, v in overrides.items():
        if k not in known:
            raise ConfigError(f"unknown setting {k!r}")
        setattr(s, k, v)
    s.data_dir = Path(s.data_dir).expanduser().resolve()
    s.cache_dir = Path(s.cache_dir).expanduser().resolve()
    s.chroma_persist_dir = Path(s.chroma_persist_dir or s.data_dir / "chroma").expanduser().resolve()
    if not 0 <= s.usage_views <= 10:  # each one is model output to write and embed
        raise ConfigError(f"SELFENG_USAGE_VIEWS must be between 0 and 10, got {s.usage_views}")
    for attr, allowed in _CHOICES.items():
        if getattr(s, attr) not in allowed:
            raise ConfigError(f"{attr} must be one of {sorted(allowed)}, got {getattr(s, attr)!r}")
    return s


def env_var_table() -> list[tuple[str, str, object]]:
    """(variable, attribute, default) rows, used to check the README's table stays complete."""
    d = Settings()
    return [(var, attr, getattr(d, attr)) for var, (attr, _) in _ENV.items()]
