"""Shared fixtures: every test gets its own data directory and the scripted provider.

Unit and integration tests drive the real pipeline (real sandbox, store and embedder); only the model is
scripted. A guard makes any accidental real-model construction fail; e2e tests opt out with the `e2e` mark.
"""
from __future__ import annotations


import pytest


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch, request):
    monkeypatch.setenv("SELFENG_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SELFENG_ENV_FILE", str(tmp_path / "no.env"))
    if request.node.get_closest_marker("e2e") is None:
        monkeypatch.setenv("SELFENG_LLM_PROVIDER", "scripted")
        monkeypatch.delenv("SELFENG_SCRIPT", raising=False)
        import selfeng.llm as llm

        def _no_real_models(settings):
            raise AssertionError("a unit test tried to build a real LLM provider")

        for name in ("local", "openai", "anthropic"):
            monkeypatch.setitem(llm.PROVIDERS._factories, name, _no_real_models)
    yield
