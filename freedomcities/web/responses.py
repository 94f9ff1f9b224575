"""How the web app's answers leave it: who may read them, and what their files are called.

**Cross-origin reads** (:func:`shared`), so a coalition's own web page can show the map's
data. Browsers let a page on another site read an answer only when it carries
``Access-Control-Allow-Origin``. Public reads (the API's open GETs, the state exports, the
events CSV and calendar feeds) answer ``*``: anyone may read them, and with ``*`` a browser
never sends cookies or a session, so nothing private can leak through them. Everything
else (writes, sign-in pages, organizers' exports, anything needing a token) gets no header,
and a browser keeps other sites from reading it.

**Download names** (:func:`attach`): the one way the web app names a download, an RFC 6266
``Content-Disposition`` header. Agency and group names go into file names, and they are often
outside latin-1 ("Policía de Tucsón", "Diné") or hold quotes. A header built with an f-string
breaks on both: non-latin-1 text cannot be sent at all, and a ``"`` ends the quoted name and
adds header parameters. So every view calls :func:`attach`, which sends a plain-ASCII
``filename`` for old clients and the exact name as an RFC 5987 ``filename*`` (UTF-8,
percent-encoded) that current browsers prefer.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

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


# Download names ----------------------------------------------------------------------------

_UNSAFE_IN_QUOTES = set('"\\')


def ascii_filename(name: str) -> str:
    """The name in plain ASCII for the fallback ``filename``: accents dropped, quotes replaced."""
    decomposed = unicodedata.normalize("NFKD", name)
    kept = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        if char in _UNSAFE_IN_QUOTES or not (32 <= ord(char) < 127):
            kept.append("_")
        else:
            kept.append(char)
    return "".join(kept).strip() or "download"


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The header's value: ``attachment`` (or ``inline``), an ASCII name and the exact UTF-8 one."""
    name = " ".join(name.replace("/", "-").replace("\\", "-").split())  # no paths, no newlines
    kind = "inline" if inline else "attachment"
    fallback = ascii_filename(name)
    if fallback == name:
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def attach(
    response: HttpResponse | StreamingHttpResponse, name: str, *, inline: bool = False
) -> HttpResponse | StreamingHttpResponse:
    """Name the response's file ``name``; returned for chaining."""
    response["Content-Disposition"] = content_disposition(name, inline=inline)
    return response
