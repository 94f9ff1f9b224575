"""The Spanish catalogue is complete and current, so no Spanish reader meets English.

These fail after a merge that brings new strings: run ``scripts/messages``,
translate what it lists, and commit the ``.po`` and ``.mo``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from freedomcities.web.accounts import catalogue

SPANISH = catalogue.LOCALE_DIR / "es" / "LC_MESSAGES" / "django.po"
needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="GNU gettext is not installed"
)


def test_every_spanish_message_is_translated_and_none_is_fuzzy() -> None:
    assert len(catalogue.read_po(SPANISH)) > 900
    assert catalogue.problems(SPANISH) == []


def test_the_checker_finds_empty_and_fuzzy_entries(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Sign in"\nmsgstr "Entrar"\n\n'
        'msgid "Events"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Event"\nmsgstr "Evento"\n\n'
        'msgid "%(n)s page"\nmsgid_plural "%(n)s pages"\nmsgstr[0] "%(n)s página"\n'
        'msgstr[1] ""\n',
        encoding="utf-8",
    )
    found = catalogue.problems(po)
    assert [line.split(": ", 1)[1] for line in found] == [
        "not translated: 'Events'",
        "fuzzy (check it, then delete the fuzzy line)",
        "not translated: '%(n)s page'",
    ]


@needs_gettext
def test_msgfmt_check_is_clean_and_the_committed_mo_matches_the_po(tmp_path: Path) -> None:
    fresh = catalogue.compile_catalogue(SPANISH, tmp_path / "django.mo")
    committed = SPANISH.with_suffix(".mo")
    assert committed.is_file(), "compile it: scripts/messages"
    assert catalogue.compiled_messages(committed) == catalogue.compiled_messages(fresh), (
        "django.mo is older than django.po: run scripts/messages and commit both"
    )


@needs_gettext
def test_the_catalogue_has_every_string_the_app_marks(tmp_path: Path) -> None:
    """A fresh extraction finds no string that the committed catalogue lacks."""
    web = tmp_path / "web"
    shutil.copytree(catalogue.WEB_DIR, web, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    catalogue.extract(web, web / "locale")
    extracted = {
        (e.context, e.msgid)
        for e in catalogue.read_po(web / "locale" / "es" / "LC_MESSAGES" / "django.po")
    }
    committed = {(e.context, e.msgid) for e in catalogue.read_po(SPANISH)}
    assert sorted(m for _, m in extracted - committed) == [], (
        "new strings: run scripts/messages and translate what it lists"
    )
