"""Template filters for a rule's status: ``{{ status|status_symbol }} {{ status|status_word }}``.

They read the library's one table of symbols and words (see
:mod:`freedomcities.web.scorecards.statuses`), so templates spell out none.
"""

from __future__ import annotations

from django import template

from freedomcities.web.scorecards import statuses

register = template.Library()


@register.filter
def status_symbol(status: str | None) -> str:
    """The status's symbol (✔ ◐ ✘ ○), or a dash for no policy yet."""
    return statuses.status_symbol(status)


@register.filter
def status_word(status: str | None) -> str:
    """The status in a word or two, in the reader's language ("Partly", "No policy yet")."""
    return statuses.word(status)
