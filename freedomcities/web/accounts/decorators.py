"""Guarding views by role: signed-out people go to the login page, others are told why."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from freedomcities.web.accounts.models import Role, has_role

View = Callable[..., HttpResponse]


def role_required(role: str) -> Callable[[View], View]:
    """Let through people whose role is ``role`` or above."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, role):
                raise PermissionDenied(
                    _("This needs the %(role)s role; ask your affiliate's staff for it.")
                    % {"role": Role(role).label}
                )
            return view(request, *args, **kwargs)

        return guarded

    return decorate
