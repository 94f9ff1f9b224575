"""Shared fixtures: where the shared real documents live, and document building."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
"""Real manuals, agreements and the labelled corpus, kept beside the repository."""


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``shared/`` folder beside the repository; skip (or, in CI, fail) without it."""
    if SHARED_DIR.is_dir():
        return SHARED_DIR
    message = f"the shared documents folder {SHARED_DIR} is missing; clone it beside the repo"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
