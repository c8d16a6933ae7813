"""What both evaluations share: checkpoints, scratch libraries, medians and shares."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

from ..config import Settings

Progress = Callable[[str], None]
Checkpoint = Callable[[dict], None] | None


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _share(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _frac(num: int, den: int) -> str:
    share = _share(num, den)
    return f"{num}/{den} ({share:.2f})" if share is not None else f"{num}/{den} (—)"


def default_json_path(settings: Settings, kind: str) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return settings.outputs_dir / f"eval-{kind}-{stamp}.json"


def write_json(path: str | Path, report: dict) -> Path:
    """Atomically: a run killed mid-write leaves the previous checkpoint, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


@contextlib.contextmanager
def _scratch_settings(base: Settings, prefix: str) -> Iterator[Settings]:
    """Settings whose data directory is a new temporary folder: a fresh, empty library."""
    root = tempfile.mkdtemp(prefix=prefix)
    try:
        settings = dataclasses.replace(base, data_dir=Path(root).resolve())
        settings.ensure_dirs()
        yield settings
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _first_line(text: Any, limit: int = 300) -> str | None:
    if text is None:
        return None
    lines = str(text).strip().splitlines()
    return (lines[0] if lines else "")[:limit]


def _preload(llm_client) -> float:
    """Load the model before the first timed item, so no item's seconds include the load."""
    t0 = time.perf_counter()
    llm_client.provider  # noqa: B018 - the property builds (and for llama.cpp, loads) the provider
    return round(time.perf_counter() - t0, 3)
