"""Cross-origin reads of public data, so a coalition's own web page can show the map's data.

Browsers let a page on another site read an answer only when it carries
``Access-Control-Allow-Origin``. Public reads (the API's open GETs, the state exports, the
events CSV and calendar feeds) answer ``*``: anyone may read them, and with ``*`` a browser
never sends cookies or a session, so nothing private can leak through them. Everything
else (writes, sign-in pages, organizers' exports, anything needing a token) gets no header,
and a browser keeps other sites from reading it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

V = TypeVar("V", bound=Callable[..., Any])
SAFE_METHODS = ("GET", "HEAD")


def shared(view: V) -> V:
    """Let pages on any site read this view's answers to GET (public data only)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = view(request, *args, **kwargs)
        if request.method in SAFE_METHODS:
            response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper  # type: ignore[return-value]
