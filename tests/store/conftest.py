from __future__ import annotations

import pytest

from selfeng.embeddings import MiniLMEmbedder


@pytest.fixture(scope="session")
def embedder():
    return MiniLMEmbedder()
