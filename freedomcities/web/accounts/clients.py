"""Where a request came from, also behind proxies: for counting sign-ins and submissions.

Behind a reverse proxy every request arrives from the proxy's address, so limits
per address would count every visitor together. Each proxy appends the address
it received the request from to ``X-Forwarded-For``; with
``FREEDOMCITIES_TRUSTED_PROXIES`` set to the number of proxies in front of the
app, the client is the entry that many places from the right. Entries further
left were written by the client itself and are never believed, so nobody can
reset their own count by sending the header.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the trusted proxies' record of it.

    With fewer ``X-Forwarded-For`` entries than trusted proxies (a request that went
    round them), the direct address counts, which can only make limits stricter.
    """
    direct = str(request.META.get("REMOTE_ADDR") or "unknown")
    proxies = int(getattr(settings, "TRUSTED_PROXIES", 0))
    if proxies <= 0:
        return direct
    chain = [part.strip() for part in str(request.META.get(FORWARDED_FOR, "")).split(",")]
    chain = [part for part in chain if part]
    return chain[-proxies] if len(chain) >= proxies else direct
