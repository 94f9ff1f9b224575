"""Two guards every response passes: a Content-Security-Policy, and the upload size limit.

- **CSP**: pages load scripts and styles only from the app itself, and no inline
  script runs (page behaviours live in ``static/freedomcities/app.js``), so an
  injected ``<script>`` or ``onclick`` does nothing even if escaping ever failed.
  The policy is the ``CONTENT_SECURITY_POLICY`` setting.
- **Upload size**: a request whose ``Content-Length`` says it is larger than the
  upload limit (plus room for the form around the file) is refused with 413 before
  a byte of its body is read; :class:`LimitedUploadHandler` stops a body that
  gives no length (or lies about it) at the same limit while it arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

FORM_ROOM_BYTES = 1024 * 1024
"""Room for the form fields and multipart framing around an uploaded file."""


def body_limit() -> int:
    """The most bytes a request body may hold: the upload limit and room for the form."""
    return int(settings.MAX_UPLOAD_BYTES) + FORM_ROOM_BYTES


def too_large_message() -> str:
    """The refusal, naming the limit exactly as configured ("50 MB" for 50)."""
    return _(
        "This file is too large: the largest file accepted is %(limit)s MB. "
        "Try a smaller copy, or split the document."
    ) % {"limit": settings.MAX_UPLOAD_MB}


class ContentSecurityPolicyMiddleware:
    """Adds the ``Content-Security-Policy`` header to every response that lacks one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class UploadLimitMiddleware:
    """Refuses, unread, a body whose declared length is over the limit (413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > body_limit():
            return refuse_too_large(request)
        response = self.get_response(request)
        if getattr(request, "upload_too_large", False):  # stopped while arriving
            return refuse_too_large(request)
        return response


def refuse_too_large(request: HttpRequest) -> HttpResponse:
    """The 413 answer: JSON for the API, a short page otherwise; the connection is closed."""
    message = too_large_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=413)
    else:
        response = render(request, "too_large.html", {"message": message}, status=413)
    response["Connection"] = "close"  # the unread body must not be taken for a next request
    return response


class LimitedUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit, whatever the headers said."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > int(settings.MAX_UPLOAD_BYTES):
            if self.request is not None:
                self.request.upload_too_large = True  # type: ignore[attr-defined]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> Any:
        return None  # the next handlers keep the file
