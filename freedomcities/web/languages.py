"""Which language a person reads, and the rules and documents in that language.

Django's ``LocaleMiddleware`` picks the interface language from the language
cookie or the browser's Accept-Language. On top of it, a signed-in person's
choice is saved on their profile (:func:`choose_language`) and wins from then
on, on any device (:class:`SavedLanguageMiddleware`).

A generated document (a letter, a call script, a meeting packet) has a language
of its own: an organizer reading Spanish may write to an English-speaking
sheriff. :func:`document_language` reads it from the request (``?language=``),
defaulting to the interface language, and :func:`in_language` renders in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from freedomcities.rules import DEFAULT_RULESET, Ruleset, load_ruleset, ruleset_languages


def offered() -> list[str]:
    """The language codes the app offers (English and every compiled catalogue)."""
    return [code for code, _ in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """The offered language for a code such as ``es-MX`` or ``ES``; None when not offered."""
    if not code:
        return None
    base = code.strip().lower().replace("_", "-").split("-")[0]
    return base if base in offered() else None


def reader_language() -> str:
    """The language of the page being rendered (``es`` for ``es-mx``), English by default."""
    return supported(translation.get_language()) or settings.LANGUAGE_CODE


def rules_in(language: str | None = None) -> Ruleset:
    """The shipped ruleset in a language (the reader's by default); English when untranslated."""
    wanted = language or reader_language()
    if wanted not in ruleset_languages(DEFAULT_RULESET):
        wanted = settings.LANGUAGE_CODE
    return load_ruleset(DEFAULT_RULESET, wanted)


def document_language(request: HttpRequest) -> str:
    """The language asked for a document (``language`` in the query or form), else the page's."""
    asked = request.GET.get("language") or request.POST.get("language")
    return supported(asked) or reader_language()


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Render (templates, gettext, dates) in ``language`` for the duration of the block."""
    with translation.override(language):
        yield


def language_of(user: AbstractBaseUser) -> str:
    """The language to write to a person in when no page is open (a reminder e-mail)."""
    from freedomcities.web.accounts.models import Profile

    saved = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True)
    return supported(saved.first()) or settings.LANGUAGE_CODE


def saved_language(request: HttpRequest) -> str | None:
    """The language a signed-in person chose, if it is offered; None when none is saved."""
    from freedomcities.web.accounts.models import chosen_language

    return supported(chosen_language(getattr(request, "user", None)))


class SavedLanguageMiddleware:
    """Apply a signed-in person's saved language (after authentication, over the browser's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = saved_language(request)
        if chosen and chosen != getattr(request, "LANGUAGE_CODE", None):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


@require_POST
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language menu: Django's ``set_language`` (cookie, back to the same page), then save it.

    Saving it on the profile makes the choice follow a signed-in person to
    their other devices.
    """
    response = set_language(request)
    chosen = supported(request.POST.get("language"))
    user = request.user
    if chosen and user.is_authenticated:
        from freedomcities.web.accounts.models import LANGUAGE_MEMO, Profile

        Profile.objects.update_or_create(user=user, defaults={"language": chosen})
        setattr(user, LANGUAGE_MEMO, chosen)
    return response
