"""The deployment's home state, for every template.

A deployment serves a campaign in one state first (``FREEDOMCITIES_HOME_STATE``,
Arizona by default): the main menu links to that state's dashboard, whichever page
one is on.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from freedomcities.web.jurisdictions.data import state_by_postal


@dataclass(frozen=True)
class HomeState:
    """The state a deployment's campaign starts in."""

    code: str
    name: str

    @property
    def slug(self) -> str:
        return self.code.lower()


def home_state() -> HomeState:
    """The configured home state (``HOME_STATE``, checked when the settings load)."""
    record = state_by_postal(settings.HOME_STATE)
    return HomeState(record.state, record.name)


def home_state_context(request: HttpRequest) -> dict[str, object]:
    """``home_state`` for every template: the main menu's first link."""
    return {"home_state": home_state()}
