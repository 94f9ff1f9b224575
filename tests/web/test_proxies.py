"""Behind proxies, limits count the visitor's address, never one the visitor wrote."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from freedomcities.web.accounts.clients import client_address

PROXY = "10.0.0.1"
PASSWORD = "correct horse battery"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", PROXY),
        (0, "203.0.113.9", PROXY),  # no proxy trusted: the header is anyone's to write
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the visitor's own entry is ignored
        (2, "6.6.6.6, 203.0.113.9, 192.168.1.5", "203.0.113.9"),
        (2, "203.0.113.9", PROXY),  # fewer entries than proxies: the connecting address
        (1, " , ", PROXY),
    ],
)
def test_the_client_is_the_entry_the_trusted_proxies_wrote(
    settings: Any, proxies: int, forwarded: str, expected: str
) -> None:
    settings.TRUSTED_PROXIES = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, **extra)
    assert client_address(request) == expected


def _sign_in(client: Client, password: str, visitor: str, spoof: str = "") -> Any:
    forwarded = f"{spoof}, {visitor}" if spoof else visitor
    return client.post(
        "/accounts/login/",
        {"username": "nobody", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.django_db
def test_behind_one_proxy_a_guesser_is_stopped_and_others_are_not(
    settings: Any, volunteer: Any
) -> None:
    settings.TRUSTED_PROXIES = 1
    guesser = Client()
    for n in range(10):  # a new spoofed entry each time does not make a new address
        assert _sign_in(guesser, "wrong", "198.51.100.7", spoof=f"1.2.3.{n}").status_code == 200
    assert _sign_in(guesser, "wrong", "198.51.100.7", spoof="9.9.9.9").status_code == 429
    neighbour = Client()  # same proxy, another visitor: not held back by the guesser
    signed = neighbour.post(
        "/accounts/login/",
        {"username": "vera", "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert signed.status_code == 302
