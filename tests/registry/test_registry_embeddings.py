import threading

import numpy as np
import pytest

from selfeng import embeddings
from selfeng.config import load_settings
from selfeng.embeddings import EmbedderError, MiniLMEmbedder, OpenAIEmbedder, create_embedder


def test_minilm_shape_norm_and_meaning(embedder):
    v = embedder.embed(["convert fahrenheit to celsius", "Convert a temperature from Fahrenheit to Celsius.",
                        "count the vowels in a word"])
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.7 > v[0] @ v[2]
    assert embedder.embed([]).shape == (0, 384)


def test_batching_is_consistent(embedder):
    texts = [f"sentence number {i} about tools" for i in range(40)]
    together = embedder.embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts[:3]])
    assert np.allclose(together[:3], alone, atol=1e-4)


def test_thread_safe_embed(embedder):
    ref = embedder.embed(["reverse a string"])[0]
    out, errors = [], []

    def work():
        try:
            for _ in range(5):
                out.append(embedder.embed(["reverse a string"])[0])
        except Exception as exc:
            errors.append(exc)

    ts = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in ts]
    [t.join() for t in ts]
    assert not errors and all(np.allclose(o, ref, atol=1e-5) for o in out)


def test_checksum_mismatch_is_a_clear_error(monkeypatch):
    pkg, rel, _ = embeddings._MODEL_FILE
    with pytest.raises(EmbedderError, match="sha256"):
        embeddings._package_file(pkg, rel, "0" * 64)
    with pytest.raises(EmbedderError, match="not installed"):
        embeddings._package_file("no_such_package_xyz", rel, "0" * 64)


def test_factory(tmp_path):
    s = load_settings(env={}, env_file=str(tmp_path / "x"), data_dir=tmp_path)
    assert isinstance(create_embedder(s), MiniLMEmbedder)
    s.embedder = "openai"
    s.openai_base_url = "http://127.0.0.1:9/v1"  # constructed only, never called
    e = create_embedder(s)
    assert isinstance(e, OpenAIEmbedder) and e.name == "openai:text-embedding-3-small" and e.dim == 1536
    s.embedder = "nope"
    with pytest.raises(EmbedderError):
        create_embedder(s)
