"""Keeping robots and floods off the public forms: a rate limit, a honeypot and a fill timer.

- **Rate limit**: a counter per client address and form in Django's cache (the default
  in-process cache is enough for one server; a shared cache serves several). Past the limit
  the view answers 429 with a kind message.
- **Honeypot**: a field people never see (hidden by CSS, skipped by the keyboard); robots
  that fill every field fill it too.
- **Fill timer**: the form carries the time it was shown, signed so it cannot be forged;
  a form sent back quicker than a person could type is refused, and so is a stale one.
  Each stamp also carries a random nonce and is good for one accepted form: a robot
  that waits once and replays the same stamp is refused (the used nonces are kept in
  Django's cache until the stamp would expire anyway).

Limits are settings with defaults here (``EVENTS_RATE_LIMIT``, ``EVENTS_RATE_WINDOW``,
``EVENTS_MIN_FILL_SECONDS``), so tests and deployments may change them.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from freedomcities.web.accounts.clients import client_address

RATE_LIMIT = 10
"""Form submissions one address may make per window."""
RATE_WINDOW_SECONDS = 60
MIN_FILL_SECONDS = 3.0
MAX_FORM_AGE_SECONDS = 2 * 24 * 3600
_SALT = "freedomcities.events.form-started"


def over_limit(request: HttpRequest, form_name: str) -> bool:
    """Count one submission of ``form_name`` from this address; True once past the limit."""
    limit = int(getattr(settings, "EVENTS_RATE_LIMIT", RATE_LIMIT))
    window = int(getattr(settings, "EVENTS_RATE_WINDOW", RATE_WINDOW_SECONDS))
    bucket = int(time.time() // window)
    key = f"events:rate:{form_name}:{client_address(request)}:{bucket}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count > limit


def form_stamp() -> str:
    """The signed time a form is shown and a one-time nonce, for its hidden ``started`` field."""
    return signing.dumps([time.time(), secrets.token_urlsafe(12)], salt=_SALT)


def check_stamp(stamp: str) -> str | None:
    """Why a form's ``started`` stamp is refused, or None if a person could have filled it.

    A stamp that passes is used up: sending it again is refused.
    """
    try:
        started, nonce = signing.loads(stamp, salt=_SALT, max_age=MAX_FORM_AGE_SECONDS)
        started = float(started)
        nonce = str(nonce)
    except signing.SignatureExpired:
        return _("This form was opened too long ago. Please fill it in again.")
    except (signing.BadSignature, TypeError, ValueError):
        return _("This form could not be checked. Please reload the page and try again.")
    quickest = float(getattr(settings, "EVENTS_MIN_FILL_SECONDS", MIN_FILL_SECONDS))
    if time.time() - started < quickest:
        return _("That was very quick. Please check the form and send it again.")
    if not cache.add(f"events:stamp:{nonce}", 1, timeout=MAX_FORM_AGE_SECONDS):
        return _("This form was already sent. Please reload the page to send it again.")
    return None


class GuardedForm(forms.Form):
    """A form with the honeypot and the fill timer; subclasses add their own fields."""

    website = forms.CharField(
        required=False,
        label=gettext_lazy("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = form_stamp()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(
                _("This looks like an automated submission, so it was not saved.")
            )
        problem = check_stamp(str(data.get("started") or ""))
        if problem:
            raise forms.ValidationError(problem)
        return data

    def refresh_stamp(self) -> None:
        """Give a re-shown form a new stamp, so the person's second try is timed afresh."""
        if isinstance(self.data, QueryDict):
            data = self.data.copy()
            data[self.add_prefix("started")] = form_stamp()
            self.data = data
