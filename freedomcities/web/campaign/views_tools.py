"""A group's tools: next tactics, drafts with a language check, follow-ups and a calendar feed.

Views are thin: they find the group (members and staff only, others get a
404), call the tool, and render. Bad input gets a message on the page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from freedomcities.web.campaign import access, drafts, feeds, language, tactics
from freedomcities.web.campaign.actions import overdue
from freedomcities.web.campaign.models import Group, Person, Promise, PromiseState
from freedomcities.web.errors import ActionError
from freedomcities.web.languages import document_language, in_language
from freedomcities.web.responses import attach

SOON_DAYS = 7
"""The follow-up page lists promises due within this many days as 'coming up'."""


def _user(request: HttpRequest) -> User:
    """The signed-in user of a view guarded by ``login_required``."""
    assert isinstance(request.user, User), "login_required lets only signed-in users through"
    return request.user


# Next steps --------------------------------------------------------------------------------


@dataclass
class Target:
    """One official (or a place's officials) on the next-steps page, with what to try."""

    official: Person | None
    facts: tuple[str, ...]
    suggestions: list[tactics.Suggestion] = field(default_factory=list)


def _targets(suggestions: list[tactics.Suggestion]) -> list[Target]:
    """Suggestions grouped by official, keeping their order."""
    targets: dict[int | None, Target] = {}
    for item in suggestions:
        key = item.official.pk if item.official else None
        target = targets.setdefault(key, Target(item.official, item.facts))
        target.suggestions.append(item)
    return list(targets.values())


@login_required
@require_GET
def next_steps(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggested tactics after refusals, dodges and overdue promises, with each how-to."""
    group = access.group_or_404(request, pk)
    context = {
        "group": group,
        "targets": _targets(tactics.suggest_tactics(group)),
        "tactics": sorted(tactics.current_tactics(), key=lambda t: t.level),
        "draft_kinds": drafts.KINDS,
    }
    return render(request, "campaign/tools_next_steps.html", context)


# Drafts -------------------------------------------------------------------------------------


def _official(group: Group, value: str | None) -> Person | None:
    """The official chosen on the form, among those the group deals with."""
    if not value:
        return None
    officials = {str(person.pk): person for person in drafts.officials_for(group)}
    if value not in officials:
        raise drafts.DraftError(_("Choose an official from the list."))
    return officials[value]


def _draft_context(
    request: HttpRequest, group: Group, kind: str, official: Person | None, text: str
) -> dict[str, object]:
    """What the drafts page shows around the text."""
    return {
        "group": group,
        "kinds": drafts.KINDS,
        "kind": kind,
        "official": official,
        "officials": drafts.officials_for(group),
        "text": text,
        "max_text": drafts.MAX_TEXT,
        "draft_language": document_language(request),
    }


@login_required
@require_http_methods(["GET", "POST"])
def draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a draft from the facts (GET), or check or export the edited text (POST)."""
    group = access.group_or_404(request, pk)
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind") or "letter"
    try:
        drafts.check_kind(kind)
        official = _official(group, data.get("official"))
    except drafts.DraftError as exc:
        context = _draft_context(request, group, "letter", None, "")
        return render(request, "campaign/tools_drafts.html", {**context, "error": exc}, status=400)
    if request.method == "POST":
        return _edited(request, group, kind, official)
    try:
        with in_language(
            document_language(request)
        ):  # a Spanish page may write to an English official
            written = drafts.build_draft(kind, group, official=official, sender=_sender(request))
    except drafts.DraftError as exc:
        context = _draft_context(request, group, kind, official, "")
        return render(request, "campaign/tools_drafts.html", {**context, "error": exc}, status=400)
    context = _draft_context(request, group, kind, official, written.text)
    return render(request, "campaign/tools_drafts.html", context)


def _sender(request: HttpRequest) -> str:
    """The signed-in person's full name for the signature, if they gave one."""
    return _user(request).get_full_name()


def _edited(request: HttpRequest, group: Group, kind: str, official: Person | None) -> HttpResponse:
    """The person's edited text: checked for language, or exported as .txt or .docx."""
    text = request.POST.get("text", "").replace("\r\n", "\n")
    action = request.POST.get("action", "check")
    context = _draft_context(request, group, kind, official, text)
    problem = _text_problem(text, action)
    if problem:
        return render(
            request, "campaign/tools_drafts.html", {**context, "error": problem}, status=400
        )
    if action in ("txt", "docx"):
        return _export(text, action, kind, official, group)
    flags = language.check_language(text)
    context.update(checked=True, flags=flags, segments=language.marked_segments(text, flags))
    return render(request, "campaign/tools_drafts.html", context)


def _text_problem(text: str, action: str) -> str:
    """What is wrong with the posted text or button, in words for the page; empty when fine."""
    if action not in ("check", "txt", "docx"):
        return _("Choose check language, or export as text or Word.")
    if not text.strip():
        return _("There is no text yet: write a draft first, or generate one.")
    if len(text) > drafts.MAX_TEXT:
        return _("The text is too long: keep it under %(count)s characters.") % {
            "count": f"{drafts.MAX_TEXT:,}"
        }
    return ""


def _export(text: str, fmt: str, kind: str, official: Person | None, group: Group) -> HttpResponse:
    """The edited draft as a download."""
    title = f"{drafts.KINDS[kind]}: {official.name if official else group.name}"
    stem = slugify(title) or "draft"
    if fmt == "docx":
        response = HttpResponse(
            drafts.draft_docx(title, text),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    else:
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    attach(response, f"{stem}.{fmt}")
    return response


# Follow-ups ---------------------------------------------------------------------------------


@login_required
@require_GET
def follow_ups(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's open promises and next steps: overdue first, then what is coming up."""
    group = access.group_or_404(request, pk)
    today = timezone.localdate()
    open_ones = Promise.objects.filter(group=group, state=PromiseState.OPEN).select_related(
        "person", "owner", "meeting"
    )
    soon = today + datetime.timedelta(days=SOON_DAYS)
    user = _user(request)
    feed_url = ""
    if access.is_member(user, group):
        feed_url = request.build_absolute_uri(
            reverse("promise_feed", args=[feeds.feed_token(user)])
        )
    context = {
        "group": group,
        "today": today,
        "overdue": overdue(open_ones, today).order_by("due_on", "pk"),
        "coming": open_ones.filter(due_on__gte=today, due_on__lte=soon).order_by("due_on", "pk"),
        "later": open_ones.filter(due_on__gt=soon).order_by("due_on", "pk"),
        "feed_url": feed_url,
        "group_feed_url": request.build_absolute_uri(
            reverse("group_feed", args=[feeds.group_feed_token(group)])
        ),
        "can_organize": access.can_organize(user, group),
    }
    return render(request, "campaign/tools_follow_ups.html", context)


@login_required
@require_http_methods(["POST"])
def renew_group_feed(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire the group's events feed address and make a new one."""
    group = access.group_or_404(request, pk)
    try:
        feeds.renew_group_feed(group, by=_user(request))
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The old calendar address no longer works; share the new one."))
    return redirect("follow_ups", pk=group.pk)


@require_GET
def promise_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's calendar of due dates; the token in the address is the key."""
    user = feeds.user_for_token(token)
    if user is None:
        raise Http404(_("No such calendar. Copy the address again from a follow-up page."))
    urls = {
        group.pk: request.build_absolute_uri(reverse("follow_ups", args=[group.pk]))
        for group in access.groups_of(user)
    }
    response = HttpResponse(
        feeds.promises_calendar(user, follow_ups_url=urls),
        content_type="text/calendar; charset=utf-8",
    )
    attach(response, "freedomcities-due-dates.ics", inline=True)
    response["Cache-Control"] = "private, max-age=900"
    return response
