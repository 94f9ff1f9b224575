"""Template context: the signed-in person's role, for showing only what they may use."""

from __future__ import annotations

from django.http import HttpRequest

from freedomcities.web.accounts.models import ROLE_ORDER, role_of


def role(request: HttpRequest) -> dict[str, object]:
    """``role`` and ``can`` (role name -> bool) for every template."""
    mine = role_of(getattr(request, "user", None))
    level = ROLE_ORDER.index(mine)
    return {"role": mine, "can": {name: level >= i for i, name in enumerate(ROLE_ORDER)}}
