"""The production setup in docs/deploy.md passes Django's deployment checks with no warning."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def documented_settings() -> dict[str, str]:
    """The ``export NAME=value`` lines of docs/deploy.md's first example."""
    block = DOCS.read_text(encoding="utf-8").split("```")[1]
    found = dict(re.findall(r"^export (\w+)=(\S+)", block, flags=re.MULTILINE))
    found["FREEDOMCITIES_SECRET_KEY"] = secrets.token_urlsafe(50)  # "..." in the docs
    return found


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    settings = documented_settings()
    assert settings["FREEDOMCITIES_HTTPS"] == "1"
    assert settings["FREEDOMCITIES_PROXY_TLS_HEADER"] == "X-Forwarded-Proto"
    env = {**os.environ, **settings, "FREEDOMCITIES_DATA": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "freedomcities", "manage", "check", "--deploy"]
    done = subprocess.run(
        [*command, "--fail-level", "WARNING"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_without_https_settings_check_deploy_names_what_is_missing(tmp_path: Path) -> None:
    env = {**os.environ, "FREEDOMCITIES_DATA": str(tmp_path), "FREEDOMCITIES_HTTPS": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "freedomcities", "manage", "check", "--deploy"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    for warning in ("W004", "W008", "W012", "W016"):
        assert warning in done.stdout + done.stderr
