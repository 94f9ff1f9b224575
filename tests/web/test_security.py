"""Abusive clients: password guessing, replayed forms, oversized bodies; safe headers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

import freedomcities.web
from freedomcities.render.compare import COMPARE_CSS
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.responses import ascii_filename, content_disposition

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def sign_in(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_the_eleventh_wrong_password_in_a_minute_is_refused_kindly(
    client: Client, volunteer: Any
) -> None:
    for _ in range(10):
        assert sign_in(client, "vera", "wrong guess").status_code == 200
    refused = sign_in(client, "vera", "wrong guess")
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "too many wrong passwords" in text and "please wait" in text
    right = sign_in(client, "vera", PASSWORD)
    assert right.status_code == 429, "the right password waits too, or guessing would go on"
    assert "_auth_user_id" not in client.session


def test_the_limit_is_per_account_and_per_address(client: Client, volunteer: Any) -> None:
    for _ in range(10):
        sign_in(client, "nobody", "wrong guess", address="10.0.0.2")
    assert sign_in(client, "vera", PASSWORD, address="10.0.0.2").status_code == 429
    elsewhere = Client()
    assert sign_in(elsewhere, "vera", PASSWORD, address="10.0.0.3").status_code == 302


def test_the_admin_sign_in_is_throttled_too(client: Client, staff: Any) -> None:
    for _ in range(10):
        client.post("/admin/login/", {"username": "sam", "password": "nope"})
    page = client.post("/admin/login/", {"username": "sam", "password": PASSWORD})
    assert "too many wrong passwords" in page.content.decode()


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("events.csv", 'attachment; filename="events.csv"'),
        (
            'Policía "Tucsón".pdf',
            'attachment; filename="Policia _Tucson_.pdf"; '
            "filename*=UTF-8''Polic%C3%ADa%20%22Tucs%C3%B3n%22.pdf",
        ),
        (
            "Diné Nation police; x=1.docx",
            'attachment; filename="Dine Nation police; x=1.docx"; '
            "filename*=UTF-8''Din%C3%A9%20Nation%20police%3B%20x%3D1.docx",
        ),
        ("警察.html", "attachment; filename=\"__.html\"; filename*=UTF-8''%E8%AD%A6%E5%AF%9F.html"),
        ("a/b\r\nSet-Cookie: x.csv", 'attachment; filename="a-b Set-Cookie: x.csv"'),
    ],
)
def test_download_names_follow_rfc_6266(name: str, header: str) -> None:
    assert content_disposition(name) == header
    assert content_disposition(name, inline=True).startswith("inline; ")
    assert header.encode("latin-1")  # a header must be sendable as latin-1


def test_the_ascii_fallback_never_ends_the_quoted_name() -> None:
    assert '"' not in ascii_filename('say "hi"\\') and ascii_filename("") == "download"


def test_a_report_download_of_an_agency_with_accents_sends_a_valid_header(
    volunteer_client: Client, mesa_police: Agency
) -> None:
    mesa_police.name = 'Policía de "Mesa"'
    mesa_police.save()
    response = volunteer_client.get("/states/az/agencies.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="freedom-cities-az.csv"'


def test_an_oversized_body_is_refused_before_it_is_read(
    volunteer_client: Client, mesa_police: Agency, settings: Any
) -> None:
    settings.MAX_UPLOAD_MB = 50
    settings.MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    response = volunteer_client.generic(
        "POST",
        f"/agencies/{mesa_police.pk}/upload/",
        b"",  # the body is never read: the declared length is enough
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )
    assert response.status_code == 413
    text = response.content.decode()
    assert "the largest file accepted is 50 MB" in text and "52 MB" not in text
    api = volunteer_client.generic(
        "POST",
        f"/api/agencies/{mesa_police.pk}/versions",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * 1024 * 1024),
    )
    assert api.status_code == 413 and "50 MB" in api.json()["detail"]


def test_an_upload_that_passes_the_limit_while_arriving_is_stopped(
    volunteer_client: Client, mesa_police: Agency, settings: Any
) -> None:
    settings.MAX_UPLOAD_MB = 1
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    big = SimpleUploadedFile("policy.txt", b"x" * (1024 * 1024 + 10))
    response = volunteer_client.post(
        f"/agencies/{mesa_police.pk}/upload/",
        {"file": big, "obtained": "website", "policy_date": "2024-01-01"},
    )
    assert response.status_code == 413
    assert "the largest file accepted is 1 MB" in response.content.decode()
    assert not mesa_police.policies.exists()


def test_pages_carry_a_csp_without_inline_scripts_or_styles(client: Client, db: None) -> None:
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "'unsafe-inline'" not in policy
    html = response.content.decode()
    assert "<script>" not in html and "onchange=" not in html and "onclick=" not in html
    assert '"includeIndicatorStyles": false' in html  # htmx adds no <style> of its own


def test_no_template_has_an_inline_style() -> None:
    templates = Path(freedomcities.web.__file__).parent / "templates"
    inline = re.compile(r"<style|\sstyle=", re.I)
    found = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if inline.search(path.read_text(encoding="utf-8"))
    ]
    assert not found, f"inline styles, which the CSP refuses: {found}"


def test_the_comparison_styles_are_a_stylesheet(client: Client) -> None:
    response = client.get("/compare.css")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert response.content.decode() == COMPARE_CSS


def test_staff_of_another_state_cannot_review_or_publish_a_scorecard(
    volunteer_client: Client, staff_client: Client, mesa_police: Agency
) -> None:
    from freedomcities.web.scorecards.models import PolicyVersion
    from tests.web.conftest import make_user

    upload = SimpleUploadedFile("policy.txt", b"Officers shall not ask about immigration status.")
    volunteer_client.post(
        f"/agencies/{mesa_police.pk}/upload/",
        {"file": upload, "obtained": "website", "policy_date": "2024-01-01"},
    )
    version = PolicyVersion.objects.get(policy__agency=mesa_police)
    texan = Client()
    texan.force_login(make_user("tess", "staff", states="TX"))
    review = {"rule": "3", "revision": 0, "status": "partial", "reason": "From Texas."}
    assert texan.post(f"/versions/{version.pk}/review/", review).status_code == 404
    assert texan.post(f"/versions/{version.pk}/confirm/", {"revision": 0}).status_code == 404
    assert texan.post(f"/versions/{version.pk}/publish/").status_code == 404
    assert f"/versions/{version.pk}/" not in texan.get("/review/").content.decode()
    assert f"/versions/{version.pk}/" in staff_client.get("/review/").content.decode()
    assert not version.reviews.exists()
    assert staff_client.post(f"/versions/{version.pk}/review/", review).status_code == 302
