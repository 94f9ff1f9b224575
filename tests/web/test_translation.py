"""Every word the web app shows is marked for translation, so Spanish can follow.

Two checks: no template carries visible words outside ``{% translate %}`` or
``{% blocktranslate %}``, and Django's own ``makemessages`` (GNU gettext) finds
the marked strings, ready for an ``es`` catalogue.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

WEB = Path(__file__).resolve().parents[2] / "freedomcities" / "web"
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))

_BLOCK_TRANSLATE = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_MARKUP = re.compile(r"<script.*?</script>|<style.*?</style>|<!--.*?-->|<[^>]+>", re.S)
_ENTITY = re.compile(r"&[a-z]+;|&#x?[0-9a-f]+;", re.I)
# Words that are the same in every language: format names and symbols.
_UNTRANSLATED = {"CSV", "GeoJSON", "JSON", "PDF", "Word", "FIPS", "API", "ICS", "OSDI", "ZIP"}


def _visible_words(template: str) -> list[str]:
    """Words a reader would see that no translation tag covers."""
    text = _BLOCK_TRANSLATE.sub(" ", template)
    text = _TAG.sub(" ", text)
    text = _MARKUP.sub(" ", text)
    text = _ENTITY.sub(" ", text)
    words = re.findall(r"[A-Za-z][A-Za-z'\u2019]{1,}", text)
    return [word for word in words if word not in _UNTRANSLATED]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB / "templates")))
def test_templates_show_no_untranslated_words(path: Path) -> None:
    assert _visible_words(path.read_text(encoding="utf-8")) == []


def test_the_checker_finds_a_bare_word() -> None:
    assert _visible_words("<p>{% translate 'Hello' %} there {{ name }}</p>") == ["there"]
    assert _visible_words("{% blocktranslate %}All {{ n }} here{% endblocktranslate %}") == []


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_makemessages_extracts_the_interface_for_spanish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management import call_command
    from django.test import override_settings

    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    (copy / "locale").mkdir()
    monkeypatch.chdir(copy)
    with override_settings(LOCALE_PATHS=[copy / "locale"]):
        call_command("makemessages", locale=["es"], no_wrap=True, verbosity=0)
    catalogue = (copy / "locale" / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for phrase in (
        "Rules in place in writing",
        "Upload a policy",
        "Confirm all unreviewed rules",
        "Say why you changed rule %(rule)s, so others can follow.",
    ):
        assert f'msgid "{phrase}"' in catalogue


def test_only_languages_with_a_compiled_catalogue_are_offered(tmp_path: Path) -> None:
    from freedomcities.web.config import offered_languages

    translations = [("es", "Español"), ("fr", "Français")]
    assert offered_languages(tmp_path, translations) == [("en", "English")]
    messages = tmp_path / "es" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text('msgid "Sign in"\nmsgstr "Entrar"\n', encoding="utf-8")
    assert offered_languages(tmp_path, translations) == [("en", "English")]  # not compiled yet
    (messages / "django.mo").write_bytes(b"")
    assert offered_languages(tmp_path, translations) == [("en", "English"), ("es", "Español")]


@pytest.mark.django_db
def test_the_language_menu_appears_only_when_there_is_a_language_to_choose(client: Any) -> None:
    from django.core.cache import cache
    from django.test import override_settings

    with override_settings(LANGUAGES=[("en", "English")]):
        page = client.get("/events/").content.decode()
    assert 'id="language"' not in page
    assert "Sign in" in page  # the header itself is there
    cache.clear()  # the events page is cached for visitors; only a restart changes LANGUAGES
    with override_settings(LANGUAGES=[("en", "English"), ("es", "Español")]):
        page = client.get("/events/").content.decode()
    assert 'id="language"' in page and ">Español</option>" in page
