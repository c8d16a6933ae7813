"""compose.yaml documents the team deployment for machines with Docker and a registry. None is reachable
here, so it cannot be started; what can be checked is that it says what the code means: the same services
as `selfeng cluster up`, settings the code reads (a misspelt variable is silently ignored at run time),
commands and options that exist, the extras and embedding packages setup installs, and the model file
setup assembles."""
from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from selfeng.config import _ENV
from tests.broker.conftest import REPO

COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]


def test_the_services_are_the_cluster_s_own():
    assert set(SERVICES) == {"redis", "postgres", "model", "worker", "web"}
    assert "--appendonly" in SERVICES["redis"]["command"] and "always" in SERVICES["redis"]["command"]


def test_every_selfeng_setting_is_one_the_code_reads():
    for name in ("worker", "web"):
        env = SERVICES[name]["environment"]
        unknown = [k for k in env if k.startswith("SELFENG_") and k not in _ENV]
        assert not unknown, f"{name}: {unknown}"
        assert env["SELFENG_STORE"] == "postgres" and env["SELFENG_LLM_PROVIDER"] == "openai"
        assert env["SELFENG_BROKER_URL"].startswith("redis://redis:")
        assert "@postgres:" in env["SELFENG_DATABASE_URL"] and "//model:" in env["SELFENG_OPENAI_BASE_URL"]


def test_the_commands_and_their_options_exist():
    for name in ("worker", "web"):
        cmd = SERVICES[name]["command"]
        assert cmd[0] == "selfeng"
        help_text = subprocess.run([sys.executable, "-m", "selfeng", cmd[1], "--help"], capture_output=True,
                                   text=True, timeout=120, cwd=REPO).stdout
        for opt in (a for a in cmd[2:] if a.startswith("--")):
            assert opt in help_text, f"`selfeng {cmd[1]}` has no {opt}"


def test_the_image_installs_what_setup_installs():
    dockerfile = SERVICES["worker"]["build"]["dockerfile_inline"]
    extras = re.search(r'-e "\.\[([^\]]+)\]"', dockerfile).group(1).split(",")
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert all(e in declared for e in extras), extras
    setup = (REPO / "scripts" / "setup").read_text()
    for pkg in re.findall(r"\b([a-z0-9-]+==[0-9.]+)", dockerfile):
        assert pkg in setup, f"{pkg}: not the embedding package scripts/setup installs"


def test_the_model_service_serves_the_file_setup_assembles():
    from selfeng.llm.model_files import MODELS
    served = SERVICES["model"]["command"][SERVICES["model"]["command"].index("-m") + 1].rsplit("/", 1)[1]
    assert served in {m.filename for m in MODELS.values()}, served
    assert "local" in SERVICES["model"]["command"]  # the alias SELFENG_OPENAI_MODEL names
