"""A rule's status as the pages show it: symbol and words from the library's one table.

The symbols and words live in :mod:`freedomcities.render` (Spanish in
``render/spanish.py``), so a page, a report and the terminal never disagree.
Each word is looked up when shown, in the reader's language.
"""

from __future__ import annotations

from django.utils.functional import lazy

from freedomcities.render import labels, status_symbol, status_word

__all__ = ["label", "status_symbol", "word"]


def word(status: str | None, form: str = "short") -> str:
    """A status in the reader's words: "short" for a table cell, "inline" in a sentence, "" full."""
    from freedomcities.web.languages import reader_language  # not while the models load

    return status_word(status, labels(reader_language()), form)


def _full(status: str) -> str:
    """The full words of a status, e.g. "In place in writing", in the reader's language."""
    return word(status, "")


label = lazy(_full, str)
"""The full words of a status, looked up when shown (for the model's choices)."""
