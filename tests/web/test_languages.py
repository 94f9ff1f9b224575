"""Choosing a language in the web app, and documents in a language of their own.

The Django test client in-process, a real SQLite database, the real Spanish
catalogue: Accept-Language, the language menu and the saved choice, dates in
Spanish, the meeting packet and reminders in the reader's language.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from freedomcities.web.accounts.models import Profile
from freedomcities.web.campaign.language import check_language
from freedomcities.web.jurisdictions.models import Agency
from freedomcities.web.languages import language_of, rules_in, supported
from freedomcities.web.scorecards.models import PolicyVersion
from tests.web.test_scorecard_pages import _analysed_version


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found, "the page names its language"
    return found.group(1)


def test_the_browser_language_picks_the_page_language(client: Client, arizona: object) -> None:
    spanish = client.get("/search/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert _lang(spanish.content.decode()) == "es"
    assert "Buscar un lugar" in spanish.content.decode()
    english = client.get("/search/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert _lang(english.content.decode()) == "en"
    other = client.get("/search/", HTTP_ACCEPT_LANGUAGE="de-DE")  # not offered: English
    assert _lang(other.content.decode()) == "en"


def test_the_menu_names_each_language_in_its_own_words(client: Client, arizona: object) -> None:
    page = client.get("/search/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<option value="en" lang="en">English</option>' in page
    assert '<option value="es" lang="es" selected>Español</option>' in page


def test_the_menu_keeps_the_page_and_saves_a_signed_in_choice(
    volunteer_client: Client, volunteer: User, arizona: object
) -> None:
    response = volunteer_client.post(
        "/i18n/setlang/", {"language": "es", "next": "/search/?q=mesa"}
    )
    assert response.status_code == 302 and response["Location"] == "/search/?q=mesa"
    assert Profile.objects.get(user=volunteer).language == "es"
    elsewhere = Client(HTTP_ACCEPT_LANGUAGE="en-US")  # another device, set to English
    elsewhere.force_login(volunteer)
    assert _lang(elsewhere.get("/search/").content.decode()) == "es"


def test_choosing_a_language_signed_out_saves_nothing(client: Client, arizona: object) -> None:
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/search/"})
    assert response.status_code == 302
    assert Profile.objects.count() == 0
    assert _lang(client.get("/search/").content.decode()) == "es"  # the cookie


def test_language_codes_are_read_kindly() -> None:
    assert [supported(c) for c in ("es-MX", "ES", "es_US", "en", "fr", "", None)] == [
        "es",
        "es",
        "es",
        "en",
        None,
        None,
        None,
    ]


def test_dates_and_numbers_are_written_the_spanish_way() -> None:
    from django.utils.formats import date_format, number_format

    when = datetime.datetime(2026, 12, 4, 18, 30)
    with translation.override("es"):
        assert date_format(when, "DATETIME_FORMAT") == "viernes, 4 de diciembre de 2026, 6:30 p.m."
        assert date_format(when.date(), "DATE_FORMAT") == "4 de diciembre de 2026"
        assert number_format(1250.5, 1, force_grouping=True) == "1,250.5"
    with translation.override("en"):
        assert date_format(when, "DATETIME_FORMAT") == "Friday, December 4, 2026, 6:30 PM"


def test_the_rules_follow_the_reader() -> None:
    with translation.override("es"):
        assert rules_in().rule("1").name == "Regla de la orden judicial"
    with translation.override("en"):
        assert rules_in().rule("1").name == "Judicial Warrant Rule"
    assert rules_in("es").rule("5").name == "Regla de no preguntar"


def test_the_language_check_reads_both_languages_from_any_page() -> None:
    text = "Los extranjeros ilegales y the illegal aliens."
    with translation.override("en"):
        flags = check_language(text)
    assert [f.phrase for f in flags] == ["extranjeros ilegales", "illegal aliens"]
    assert flags[1].suggestion.startswith('Say "undocumented people"')
    with translation.override("es"):
        flags = check_language(text)
    assert flags[1].suggestion.startswith('Diga "personas indocumentadas"')


@pytest.mark.django_db(transaction=True)  # the upload queues its analysis on commit
def test_the_packet_comes_in_the_language_asked_for(
    volunteer_client: Client, mesa_police: Agency
) -> None:
    version: PolicyVersion = _analysed_version(volunteer_client, mesa_police)
    page = volunteer_client.get(version.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es")
    text = page.content.decode()
    assert "La carpeta para la reunión en otro idioma" in text
    assert f"/versions/{version.pk}/report/packet.pdf?language=en" in text
    spanish = volunteer_client.get(f"/versions/{version.pk}/report/packet.html?language=es")
    assert '<html lang="es">' in spanish.content.decode()
    assert "Lo que pedimos" in spanish.content.decode()
    english = volunteer_client.get(
        f"/versions/{version.pk}/report/packet.html?language=en", HTTP_ACCEPT_LANGUAGE="es"
    )
    assert "What we ask" in english.content.decode()  # a Spanish page, an English packet


def test_a_reminder_is_written_in_the_owners_saved_language(
    volunteer: User, arizona: object
) -> None:
    from freedomcities.web.campaign.models import Group, GroupMember, GroupRole, Promise
    from freedomcities.web.campaign.reminders import send_reminders
    from freedomcities.web.jurisdictions.models import Jurisdiction

    mesa = Jurisdiction.objects.get(name="Mesa")
    group = Group.objects.create(name="People Power Mesa", state="AZ", home=mesa)
    GroupMember.objects.create(group=group, user=volunteer, role=GroupRole.MEMBER)
    volunteer.email = "vera@example.org"
    volunteer.save()
    Profile.objects.update_or_create(user=volunteer, defaults={"language": "es"})
    today = timezone.localdate()
    Promise.objects.create(group=group, owner=volunteer, text="Llamar a la alcaldía", due_on=today)
    assert language_of(volunteer) == "es"
    assert send_reminders(today) == 1
    (message,) = mail.outbox
    assert message.subject == "Recordatorio: vence un seguimiento de Freedom Cities"
    assert "Vence hoy." in message.body


def test_the_api_speaks_the_callers_language(client: Client, arizona: object) -> None:
    spanish = client.get("/api/agencies/424242", HTTP_ACCEPT_LANGUAGE="es")
    assert spanish.status_code == 404
    assert spanish.json() == {"detail": "Ninguna agencia tiene el número 424242."}
    english = client.get("/api/agencies/424242")
    assert english.json() == {"detail": "No agency has the id 424242."}
