from __future__ import annotations

import pytest

from selfeng.config import load_settings
from selfeng.embeddings import MiniLMEmbedder
from tests.conftest import store_env


@pytest.fixture(scope="session")
def embedder():
    return MiniLMEmbedder()


@pytest.fixture
def settings(tmp_path):
    return load_settings(env=store_env(), env_file=str(tmp_path / "absent.env"), data_dir=tmp_path / "data")


@pytest.fixture
def registry(settings, embedder):
    from selfeng.capability_registry import CapabilityRegistry

    reg = CapabilityRegistry(settings=settings, embedder=embedder)
    yield reg
    reg.close()
