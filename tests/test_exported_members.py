"""The public API is exactly ``freedomcities.__all__`` (as httpx guards its own)."""

from __future__ import annotations

import types

import freedomcities

INCLUDED_PRIVATE_MEMBERS = {"__version__"}


def test_every_name_in_all_exists() -> None:
    missing = [name for name in freedomcities.__all__ if not hasattr(freedomcities, name)]
    assert missing == []


def test_all_is_sorted_without_repeats() -> None:
    assert freedomcities.__all__ == sorted(set(freedomcities.__all__))


def test_every_public_attribute_is_exported() -> None:
    public = {
        name
        for name, value in vars(freedomcities).items()
        if (not name.startswith("_") or name in INCLUDED_PRIVATE_MEMBERS)
        and not isinstance(value, types.ModuleType)  # submodules, e.g. freedomcities.cli
    }
    assert public == set(freedomcities.__all__)


def test_version_is_text() -> None:
    assert isinstance(freedomcities.__version__, str)
    assert freedomcities.__version__
