"""The product in Spanish, in Debian's chromium, on a desktop and on a phone.

A browser whose language is Spanish (Accept-Language ``es-MX``) walks the
events map, an event page and an RSVP with its e-mail, a public scorecard, and
an organizer recording a meeting outcome and writing a letter; every page is
scanned for common English words left untranslated (the data people typed,
such as an event's title, and quotes from English policies are set aside) and
checked with axe-core. Then the language menu: it keeps the page, and a
signed-in person's choice follows them to another browser.
Screenshots go to ``tests/output/es-*.png``.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail
from playwright.sync_api import Browser, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from freedomcities.web.accounts.models import Profile
from freedomcities.web.campaign.models import Group, Meeting, Person
from freedomcities.web.events import actions as event_actions
from freedomcities.web.events.models import Event, Tactic
from freedomcities.web.jurisdictions.models import Jurisdiction
from freedomcities.web.scorecards.models import PolicyVersion
from tests.web.browser import (  # noqa: F401  (pytest finds fixtures by name)
    accessibility_problems,
    axe_fixture,
    browser_fixture,
    screenshot,
    sqlite_test_database_in_a_file,
)

PASSWORD = "correct horse battery"  # every user made by conftest.make_user
SIZES: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 900},
    "phone": {"width": 390, "height": 844},
}
_ENGLISH_WORDS = """
    about add address all already an and any are at back be but by can cancel coming date
    done draft due edit email event events find for from group groups have help here how
    if in into is it its language letter list map meeting meetings miles more must name near
    next none not nothing of official officials on only or our page phone place places please
    policy previous review rule rules save search send share should sign staff thank thanks
    that the their them there these they this those time title to today upload waiting was
    week were what when where which who why will with would yet you your
"""
ENGLISH = frozenset(_ENGLISH_WORDS.split())
"""Common English words that are not Spanish words too (no "a", "no", "me", "come", "plan")."""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_VISIBLE_TEXT = """() => {
  const skip = "script, style, svg, blockquote, q, textarea, [lang]:not([lang|='es'])";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest(skip) && parent.getClientRects().length) {
      parts.push(walker.currentNode.textContent);
    }
  }
  return parts.join(" ");
}"""


def english_words(text: str, data: list[str]) -> list[str]:
    """Common English words in ``text``, each with its neighbours; data and links set aside."""
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"https?://\S+", " ", text)
    return sorted(
        {
            f"{w.group(0)} in '{text[max(0, w.start() - 30) : w.end() + 30].strip()}'"
            for w in re.finditer(r"[A-Za-z]+", text)
            if w.group(0).lower() in ENGLISH and not w.group(0).isupper()
        }
    )


def test_the_scanner_finds_english_and_leaves_spanish_and_data_alone() -> None:
    spanish = "Confirme su asistencia: el grupo le enviará la dirección. No hay plan."
    assert english_words(spanish, []) == []
    found = english_words("Guardar · Save the page", [])
    assert [word.split()[0] for word in found] == ["Save", "page", "the"]
    assert english_words("Evento: Letters to the chief", ["Letters to the chief"]) == []
    assert english_words("Vea https://example.org/events/1/cancel/", []) == []


def _untranslated(page: Page, data: list[str]) -> list[str]:
    """The page's English leftovers, with the page's path, for the failure message."""
    found = english_words(page.evaluate(_VISIBLE_TEXT), data)
    return [f"{page.url}: {', '.join(found)}"] if found else []


def _data(*objects: Any) -> list[str]:
    """Text people typed (names, titles, descriptions, places) that is not the app's own."""
    fields = ("name", "title", "description", "venue", "address_lines", "host_name", "label")
    values = [str(getattr(o, f)) for o in objects for f in fields if getattr(o, f, "")]
    return [line.strip() for v in values for line in v.splitlines() if line.strip()]


def _sign_in(page: Page, url: str, username: str) -> None:
    """Sign in through the Spanish sign-in form."""
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Entrar").click()
    expect(page.locator("form[action$='/logout/'] button")).to_contain_text(username)


def _spanish_page(browser: Browser, size: ViewportSize) -> Any:
    """A browser context that asks for Spanish, as a phone or laptop set to Spanish does."""
    context = browser.new_context(viewport=size, locale="es-MX")
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def event(group: Group, mesa: Jurisdiction) -> Event:
    """A public event of the group next week in Mesa (its title is the group's own words)."""
    start = (datetime.datetime.now() + datetime.timedelta(days=7)).replace(
        hour=18, minute=30, second=0, microsecond=0
    )
    draft = event_actions.EventDraft(
        group=group,
        tactic=Tactic.ORGANIZING_MEETING,
        jurisdiction=mesa,
        title="Reunión: las nueve reglas en Mesa",
        description="Traiga a un amigo.",
        starts=start,
        ends=start + datetime.timedelta(hours=2),
        postal_code="85201",
        venue="Mesa Public Library",
        address_lines="64 E 1st St",
        host_name="Olga",
        host_email="olga@example.org",
    )
    return event_actions.post_event(draft, user=None)


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_a_walk_in_spanish_finds_no_english(
    browser: Browser,
    live_server: LiveServer,
    settings: Any,
    size: str,
    event: Event,
    group: Group,
    organizer: User,
    chief: Person,
    meeting: Meeting,
    published_scorecard: PolicyVersion,
    mailoutbox: list[mail.EmailMessage],
    axe: Path,
) -> None:
    settings.EVENTS_MIN_FILL_SECONDS = 0
    url, viewport = live_server.url, SIZES[size]
    data = _data(event, group, chief, published_scorecard.policy.agency, event.jurisdiction)
    data += [published_scorecard.policy.title, published_scorecard.original_name, "Mesa, AZ"]
    data += [*meeting.agenda.splitlines(), "Chief of police"]  # drafted when it was planned
    context = _spanish_page(browser, viewport)
    page = context.new_page()
    leftovers: list[str] = []
    problems: list[str] = []

    def look(name: str) -> None:
        expect(page.locator("html")).to_have_attribute("lang", "es")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1
        leftovers.extend(_untranslated(page, data))
        problems.extend(accessibility_problems(page, axe))
        screenshot(page, f"es-{name}-{size}")

    page.goto(f"{url}/events/?zip=85201&miles=50")
    expect(page.get_by_role("heading", name="Eventos cerca de usted")).to_be_visible()
    look("events")

    page.goto(f"{url}{event.get_absolute_url()}")
    expect(page.get_by_test_id("event-when")).to_contain_text(" de ")
    look("event")
    page.get_by_label("Nombre", exact=True).fill("Lucía")
    page.get_by_label("Apellido").fill("Peña")
    page.get_by_label("Correo electrónico").fill("lucia@example.org")
    page.get_by_label("Código postal").fill("85203")
    page.get_by_role("button", name="Confirmar asistencia").click()
    expect(page.locator("main")).to_contain_text("¡Gracias, usted viene!")
    look("rsvp")
    (message,) = mailoutbox
    assert message.subject == f"Usted viene: {event.title}"
    assert "Cuándo:" in message.body and " de " in message.body
    leftovers.extend(f"e-mail: {w}" for w in english_words(message.body, [*data, url]))

    page.goto(f"{url}{published_scorecard.get_absolute_url()}")
    expect(page.get_by_text("Regla de la orden judicial").first).to_be_visible()
    look("scorecard")

    _sign_in(page, url, organizer.username)
    page.goto(f"{url}/meetings/{meeting.pk}/outcome/")
    expect(page.get_by_role("heading", name="¿Qué dijeron?")).to_be_visible()
    for rule, in_place, support in (("1", "no", "evasive"), ("5", "practice", "yes")):
        row = page.locator(f"#answer-{chief.pk}-{rule}")
        for question, value in (("in_place", in_place), ("support", support)):
            radio = row.locator(f"input[name='{question}_{chief.pk}_{rule}'][value='{value}']")
            row.locator(f"label[for='{radio.get_attribute('id')}']").click()
    look("outcome")
    page.get_by_role("button", name="Guardar el resultado").click()
    expect(page.locator("main")).to_contain_text("Guardado.")
    look("meeting")

    page.goto(f"{url}/groups/{group.pk}/drafts/")
    page.locator("select[name=kind]").select_option("letter")
    page.locator("select[name=official]").select_option(label=chief.name)
    page.get_by_role("button", name="Escribir el borrador").click()
    letter = page.locator("#draft-text")
    expect(letter).to_have_value(re.compile(rf"^Estimado/a {chief.name}:$", re.MULTILINE))
    expect(letter).to_have_value(re.compile("Regla de la orden judicial"))
    page.get_by_role("button", name="Revisar las palabras").click()
    expect(page.locator(".language-check")).to_contain_text("No hay palabras que cambiar")
    look("letter")
    written = letter.input_value()
    leftovers.extend(f"letter: {w}" for w in english_words(written, [*data, organizer.username]))

    page.get_by_label("Idioma del borrador").select_option("en")  # to an English-speaking chief
    page.get_by_role("button", name="Escribir el borrador").click()
    expect(letter).to_have_value(re.compile(rf"^Dear {chief.name},$", re.MULTILINE))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    context.close()
    assert leftovers == [], "\n".join(leftovers)
    assert problems == [], "\n".join(problems)


def test_the_language_menu_keeps_the_page_and_remembers_a_signed_in_choice(
    browser: Browser, live_server: LiveServer, event: Event, organizer: User
) -> None:
    url = live_server.url
    context = _spanish_page(browser, SIZES["desktop"])
    page = context.new_page()
    page.goto(f"{url}{event.get_absolute_url()}")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    page.get_by_label("Idioma").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(event.get_absolute_url())
    expect(page.get_by_role("button", name="RSVP")).to_be_visible()
    context.close()

    first = _spanish_page(browser, SIZES["phone"])
    phone = first.new_page()
    _sign_in(phone, url, organizer.username)
    phone.get_by_label("Idioma").select_option("en")
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    first.close()
    assert Profile.objects.get(user=organizer).language == "en"

    second = _spanish_page(browser, SIZES["desktop"])  # another browser, still set to Spanish
    laptop = second.new_page()
    _sign_in(laptop, url, organizer.username)
    laptop.goto(f"{url}/groups/")
    expect(laptop.locator("html")).to_have_attribute("lang", "en")
    expect(laptop.get_by_role("link", name="Groups", exact=True)).to_be_visible()
    second.close()
