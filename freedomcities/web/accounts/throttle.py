"""Slowing down password guessing: after ten wrong passwords in a minute, sign-in waits.

Failures are counted per account name and per client address, each over a
sliding window, in Django's cache (the in-process cache serves one server; give
several servers a shared cache). Once either count reaches the limit, further
attempts are refused with a kind message, even with the right password, until
the oldest failure leaves the window. No outside service is involved.

The address is :func:`freedomcities.web.accounts.clients.client_address`: behind proxies,
``FREEDOMCITIES_TRUSTED_PROXIES`` makes it the visitor's, not the proxy's.
The limit and the window are settings (``LOGIN_FAILURE_LIMIT``,
``LOGIN_FAILURE_WINDOW``) with the defaults below; both the sign-in page and the
admin's sign-in use :class:`ThrottledLoginMixin`.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from freedomcities.web.accounts.clients import client_address

FAILURE_LIMIT = 10
"""Wrong passwords allowed per account, and per address, within the window."""
FAILURE_WINDOW_SECONDS = 60


def _limit() -> int:
    return int(getattr(settings, "LOGIN_FAILURE_LIMIT", FAILURE_LIMIT))


def _window() -> int:
    return int(getattr(settings, "LOGIN_FAILURE_WINDOW", FAILURE_WINDOW_SECONDS))


def _keys(request: HttpRequest | None, username: str) -> list[str]:
    """Cache keys counting failures for the account name and for the client's address."""
    name = hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:32]
    address = client_address(request) if request else "unknown"
    return [f"login:fail:user:{name}", f"login:fail:addr:{address}"]


def _recent(key: str, now: float) -> list[float]:
    """The failure times under ``key`` still inside the window."""
    times: list[float] = cache.get(key) or []
    return [t for t in times if now - t < _window()]


def wait_seconds(request: HttpRequest | None, username: str) -> int:
    """How long sign-in must wait for this account or address; 0 when it may try now."""
    now = time.time()
    longest = 0.0
    for key in _keys(request, username):
        recent = _recent(key, now)
        if len(recent) >= _limit():
            longest = max(longest, recent[-_limit()] + _window() - now)
    return max(1, int(longest + 0.999)) if longest > 0 else 0


def record_failure(request: HttpRequest | None, username: str) -> None:
    """Count one wrong password for the account name and for the address."""
    now = time.time()
    for key in _keys(request, username):
        cache.set(key, [*_recent(key, now), now][-_limit() * 2 :], timeout=_window() + 1)


class ThrottledLoginMixin:
    """An authentication form that refuses to check passwords while a limit is reached."""

    request: HttpRequest | None
    throttled = False
    """True once the form was refused for too many wrong passwords (the page answers 429)."""

    def clean(self) -> dict[str, Any]:
        username = str(self.data.get("username") or "")  # type: ignore[attr-defined]
        waiting = wait_seconds(self.request, username)
        if waiting:
            self.throttled = True
            raise forms.ValidationError(
                _(
                    "There were too many wrong passwords for this account or from this "
                    "connection. To keep accounts safe, please wait %(seconds)s seconds and "
                    "try again, or reset your password."
                )
                % {"seconds": waiting},
                code="throttled",
            )
        try:
            return super().clean()  # type: ignore[misc, no-any-return]
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) == "invalid_login":
                record_failure(self.request, username)
            raise


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    """The sign-in page's form, throttled."""


class ThrottledLoginView(LoginView):
    """The sign-in page: a refusal for too many wrong passwords answers 429 Too Many Requests."""

    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if getattr(form, "throttled", False):
            response.status_code = 429
        return response


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's sign-in form, throttled the same way."""
