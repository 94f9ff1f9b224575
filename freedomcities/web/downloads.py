"""The one way the web app names a download: an RFC 6266 ``Content-Disposition`` header.

Agency and group names go into file names, and they are often outside latin-1
("Policía de Tucsón", "Diné") or hold quotes. A header built with an f-string
breaks on both: non-latin-1 text cannot be sent at all, and a ``"`` ends the
quoted name and adds header parameters. So every view calls :func:`attach`,
which sends a plain-ASCII ``filename`` for old clients and the exact name as an
RFC 5987 ``filename*`` (UTF-8, percent-encoded) that current browsers prefer.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse

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
