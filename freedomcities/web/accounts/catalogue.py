"""The translation catalogues: bring them up to date and say what is left to translate.

Engineers mark new strings with ``{% translate %}`` and ``gettext`` and never
touch a ``.po`` file; whoever translates then runs ``scripts/messages``, which
extracts every marked string into each catalogue (Django's ``makemessages``,
GNU gettext underneath), compiles them, and lists the entries still empty or
fuzzy. The compiled ``django.mo`` files are committed, so a plain
``pip install`` serves every language without gettext on the machine; a test
(``tests/web/test_catalogue.py``) fails while a catalogue lacks a string, has
an empty or fuzzy entry, or its ``.mo`` is older than its ``.po``.
"""

from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parents[1]
LOCALE_DIR = WEB_DIR / "locale"


@dataclass(frozen=True)
class Entry:
    """One message of a ``.po`` file: its English text and its translations."""

    msgid: str
    msgstr: tuple[str, ...]
    plural: str | None = None
    context: str | None = None
    fuzzy: bool = False
    line: int = 0

    @property
    def untranslated(self) -> bool:
        """Whether any form of the message still has no translation."""
        return not all(text.strip() for text in self.msgstr)


def read_po(path: Path) -> list[Entry]:
    """The messages of a ``.po`` file, header left out, in file order."""
    entries: list[Entry] = []
    for block, line in _blocks(path.read_text(encoding="utf-8")):
        fields, fuzzy = _fields(block)
        if not fields.get("msgid"):
            continue  # the header, the only entry with an empty msgid
        strings = tuple(v for k, v in sorted(fields.items()) if k.startswith("msgstr"))
        entries.append(
            Entry(
                msgid=fields["msgid"],
                msgstr=strings,
                plural=fields.get("msgid_plural"),
                context=fields.get("msgctxt"),
                fuzzy=fuzzy,
                line=line,
            )
        )
    return entries


def _blocks(text: str) -> list[tuple[list[str], int]]:
    """The file's blank-line-separated entries, obsolete ones (``#~``) left out."""
    blocks: list[tuple[list[str], int]] = []
    current: list[str] = []
    start = 1
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            if current:
                blocks.append((current, start))
            current = []
            continue
        if not current:
            start = number
        if not raw.startswith("#~"):
            current.append(raw)
    if current:
        blocks.append((current, start))
    return blocks


def _fields(block: list[str]) -> tuple[dict[str, str], bool]:
    """A block's keywords (``msgid``, ``msgstr[1]``...) with their joined strings."""
    fields: dict[str, str] = {}
    fuzzy = False
    key = ""
    for line in block:
        if line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            fields[key] = ast.literal_eval(value)
    return fields, fuzzy


def problems(path: Path) -> list[str]:
    """Each empty or fuzzy entry of a catalogue, as ``file:line: message``."""
    found = []
    for entry in read_po(path):
        if entry.fuzzy:
            found.append(f"{path}:{entry.line}: fuzzy (check it, then delete the fuzzy line)")
        elif entry.untranslated:
            found.append(f"{path}:{entry.line}: not translated: {entry.msgid[:70]!r}")
    return found


def catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every language's ``django.po`` under the locale folder."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/django.po"))


def languages(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """The language codes that have a catalogue."""
    return [path.parents[1].name for path in catalogues(locale_dir)]


def extract(web_dir: Path = WEB_DIR, locale_dir: Path = LOCALE_DIR) -> None:
    """Run ``makemessages`` for every language: new strings added empty, gone ones made obsolete.

    Runs from the web app's folder so the ``#:`` references stay short and stable.
    """
    import os

    from django.core.management import call_command
    from django.test import override_settings

    here = Path.cwd()
    os.chdir(web_dir)
    try:
        with override_settings(LOCALE_PATHS=[locale_dir]):
            call_command(
                "makemessages",
                locale=languages(locale_dir),
                no_wrap=True,
                no_obsolete=True,
                verbosity=0,
            )
    finally:
        os.chdir(here)


def compile_catalogue(po: Path, mo: Path | None = None) -> Path:
    """Compile one ``.po`` with ``msgfmt --check`` (formats, plurals, header); returns the ``.mo``.

    Raises:
        RuntimeError: ``msgfmt`` is missing or finds a mistake; the message has its output.
    """
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise RuntimeError("msgfmt is missing: install GNU gettext (apt-get install gettext).")
    target = mo or po.with_suffix(".mo")
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(target), str(po)], capture_output=True, text=True
    )
    if result.returncode != 0 or result.stderr.strip():
        raise RuntimeError(f"msgfmt --check {po}:\n{result.stderr.strip()}")
    return target


def compiled_messages(mo: Path) -> dict[object, str]:
    """What a ``.mo`` file translates, as Python's gettext reads it."""
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
