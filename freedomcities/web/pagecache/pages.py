"""Whole public pages from the cache, for visitors who are not signed in.

A page that everybody sees the same way (a state's dashboard, an agency, events
near a ZIP code) costs its queries and its drawing once per change of the data
stamp; every later visit is a cache read and one query, about what ``/healthz``
costs. Only visitors without a session are served from it, and only their pages
are stored, so a signed-in person's page (their role's links, drafts, messages)
is never stored and never shown to anyone else.

The one part of such a page that differs per visitor is the CSRF token of its
forms (the language switch). Pages are drawn for the cache with a placeholder in
its place (:func:`placeholder_token`, a context processor), and each visitor gets
their own token put in when the page is served.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from freedomcities.web.pagecache import stamps

PLACEHOLDER = "fc-csrf-placeholder-0f6c1b2e"
"""Stands for the visitor's CSRF token in a stored page."""
PAGE_SECONDS = 3600
"""How long a stored page is kept; a change of data makes a new key long before."""
STORED_HEADERS = ("Content-Type", "Content-Language", "Vary")
_DRAWING = "_fc_drawing_for_cache"

View = Callable[..., HttpResponseBase]


def placeholder_token(request: HttpRequest) -> dict[str, object]:
    """Template context: the placeholder as ``csrf_token`` while a page is drawn for the cache.

    Listed after Django's own CSRF processor, so it wins only for those drawings.
    """
    return {"csrf_token": PLACEHOLDER} if getattr(request, _DRAWING, False) else {}


def cacheable(request: HttpRequest) -> bool:
    """Whether the request is an anonymous GET with no session and no pending messages."""
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


def page_key(request: HttpRequest, *, minute: bool = False) -> str:
    """The cache key: the stamp, the language, the full path, and the minute if asked for.

    ``minute`` is for pages that hide what has ended (events), so a page is never
    more than a minute behind the clock.
    """
    parts = [
        str(stamps.current()),
        get_language() or "",
        request.get_full_path(),
        str(int(time.time() // 60)) if minute else "",
    ]
    return "page:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def public_page(*, minute: bool = False) -> Callable[[View], View]:
    """Serve the view's page from the cache to visitors who are not signed in.

    Args:
        minute: add the current minute to the key (pages that depend on the clock).
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not cacheable(request):
                return view(request, *args, **kwargs)
            key = page_key(request, minute=minute)
            stored = cache.get(key)
            if stored is None:
                setattr(request, _DRAWING, True)
                try:
                    response = view(request, *args, **kwargs)
                finally:
                    setattr(request, _DRAWING, False)
                stored = _storable(response)
                if stored is None:
                    return response
                cache.set(key, stored, PAGE_SECONDS)
            return _serve(request, stored)

        return wrapped

    return decorate


def _storable(response: HttpResponseBase) -> tuple[list[bytes], dict[str, str]] | None:
    """The page split at the placeholder, and its headers; None unless a plain 200 HTML page
    that sets no cookie. Kept as bytes so a visit only joins them around its token."""
    if (
        response.status_code != 200
        or not isinstance(response, HttpResponse)
        or response.cookies
        or not response.get("Content-Type", "").startswith("text/html")
    ):
        return None
    headers = {name: response[name] for name in STORED_HEADERS if name in response}
    return response.content.split(PLACEHOLDER.encode()), headers


def _serve(request: HttpRequest, stored: tuple[list[bytes], dict[str, str]]) -> HttpResponse:
    """The stored page with this visitor's own CSRF token in place of the placeholder."""
    parts, headers = stored
    body = get_token(request).encode().join(parts) if len(parts) > 1 else parts[0]
    response = HttpResponse(body)
    for name, value in headers.items():
        response[name] = value
    return response
