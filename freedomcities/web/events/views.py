"""Pages about events: the map and list, an event, RSVPs, and the organizer's tools.

Views are thin: they parse the request, call :mod:`.actions` (or :mod:`.search`), and render.
Private events and attendees' details are for the group (see
:mod:`freedomcities.web.campaign.access`); everything else here is public.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from freedomcities.web.accounts.guard import over_limit
from freedomcities.web.campaign.access import can_organize, can_see_group, organized_groups
from freedomcities.web.campaign.feeds import group_for_feed
from freedomcities.web.errors import ActionError
from freedomcities.web.events import actions, exports, ics, jsonld, signin
from freedomcities.web.events.forms import (
    EventForm,
    RsvpForm,
    SearchForm,
    SignInSheetForm,
    VolunteersForm,
    event_initial,
)
from freedomcities.web.events.maps import event_map
from freedomcities.web.events.models import Attendance, Event, EventStatus, RsvpStatus
from freedomcities.web.events.search import EventQuery, SearchResult, find_events, public_events
from freedomcities.web.geography.places import UnknownZip
from freedomcities.web.jurisdictions.models import Jurisdiction
from freedomcities.web.pagecache.pages import public_page
from freedomcities.web.responses import attach, shared

View = Callable[..., HttpResponse]


def _base_url(request: HttpRequest) -> str:
    """The site's address, for links in e-mails and feeds."""
    return request.build_absolute_uri("/").rstrip("/")


def _absolute(request: HttpRequest) -> Callable[[Event], str]:
    """A function giving an event's absolute page URL."""
    base = _base_url(request)
    return lambda event: base + event.get_absolute_url()


def _user(request: HttpRequest) -> User:
    """The signed-in user of a view guarded by a sign-in check."""
    assert isinstance(request.user, User), "the view lets only signed-in users through"
    return request.user


def _slow_down(request: HttpRequest) -> HttpResponse:
    """429: the rate limit's kind answer."""
    return render(request, "events/slow_down.html", status=429)


def _event_or_404(request: HttpRequest, key: uuid.UUID) -> Event:
    """The event, if it is public or the person is in its group; a 404 otherwise."""
    event = get_object_or_404(Event.objects.select_related("group", "jurisdiction"), uuid=key)
    if not event.public and not can_see_group(request.user, event.group):
        raise Http404(_("No such event."))
    return event


def organizer_view(view: View) -> View:
    """Let through the event's group organizers and staff; the view gets the event."""

    @wraps(view)
    def guarded(request: HttpRequest, key: uuid.UUID, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        event = _event_or_404(request, key)
        if not can_organize(request.user, event.group):
            raise PermissionDenied(
                _("Only the group's organizers and affiliate staff can do this.")
            )
        return view(request, event, *args, **kwargs)

    return guarded


# The map and the list ------------------------------------------------------------------------


def _search(request: HttpRequest) -> tuple[SearchForm, SearchResult, EventQuery]:
    """Run the search the query string asks for; a bad ZIP code becomes a message on the form."""
    form = SearchForm(request.GET or None)
    query = form.query() if form.is_bound and form.is_valid() else EventQuery()
    try:
        return form, find_events(query), query
    except UnknownZip:
        form.add_error(
            "zip", _("%(zip)s is not a U.S. ZIP code we know.") % {"zip": query.postal_code}
        )
        query = dataclasses.replace(query, postal_code="")
        return form, find_events(query), query


@public_page(minute=True)
def event_list(request: HttpRequest) -> HttpResponse:
    """The public map and list, searchable by ZIP code and radius, dates and tactic.

    Visitors who are not signed in get the page from the cache, under the
    minute as well as the data's stamp: events drop off the list when they end.
    """
    form, result, query = _search(request)
    center = (result.center.latitude, result.center.longitude) if result.center else None
    context = {
        "form": form,
        "result": result,
        "query": query,
        "map": event_map(result.found, center, query.miles),
        "can_post": organized_groups(request.user).exists(),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "events/list.html", context, status=400 if form.errors else 200)


@shared
def events_csv(request: HttpRequest) -> HttpResponse:
    """The list's events as CSV, public fields only."""
    _form, result, _query = _search(request)
    text = exports.events_csv([item.event for item in result.found], _absolute(request))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    attach(response, "events.csv")
    return response


# One event --------------------------------------------------------------------------------


def _counts(event: Event) -> Counter[str]:
    """How many people are coming, waiting, cancelled, and came."""
    counts: Counter[str] = Counter()
    for status, attended in event.attendances.values_list("status", "attended"):
        counts[status] += 1
        if attended is True:
            counts["attended"] += 1
        elif attended is False:
            counts["absent"] += 1
    return counts


def _detail(request: HttpRequest, event: Event, form: RsvpForm, status: int = 200) -> HttpResponse:
    """Render an event's page with its RSVP form."""
    organizer = can_organize(request.user, event.group)
    counts = _counts(event)
    context = {
        "event": event,
        "location": event.public_location(),
        "organizer": organizer,
        "member": organizer or can_see_group(request.user, event.group),
        "form": form,
        "counts": counts,
        "full": event.capacity is not None and counts[RsvpStatus.ACCEPTED] >= event.capacity,
        "open": event.public and event.current_status == EventStatus.SCHEDULED,
        "jsonld": jsonld.script_tag(jsonld.event_jsonld(event, _absolute(request)(event)))
        if event.public
        else "",
        "officials": list(event.officials.all()),
        # A form sent back with errors is shown with them, even from a browser that RSVPed
        # before (a second person, or a replayed stamp); otherwise that RSVP is shown.
        "mine": None if form.is_bound else _my_rsvp(request, event),
    }
    return render(request, "events/detail.html", context, status=status)


RSVPS = "rsvps"
"""Session key: event uuid -> the cancel token of the RSVP made from this browser."""


def _remember_rsvp(request: HttpRequest, attendance: Attendance) -> None:
    """Keep, in this browser's session, that it RSVPed, so the page says so next time."""
    kept = dict(request.session.get(RSVPS, {}))
    kept[str(attendance.event.uuid)] = actions.rsvp_cancel_token(attendance)
    request.session[RSVPS] = kept


def _my_rsvp(request: HttpRequest, event: Event) -> dict[str, object] | None:
    """This browser's RSVP to the event, if it made one still standing, with its cancel link."""
    token = request.session.get(RSVPS, {}).get(str(event.uuid))
    if not token:
        return None
    try:
        attendance = actions.attendance_for_token(token)
    except ActionError:
        return None
    if attendance.status == RsvpStatus.CANCELLED:
        return None
    return {"attendance": attendance, "cancel_url": reverse("rsvp_cancel", args=[token])}


def event_detail(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """An event's page: what, when, where (as public as the organizer chose), and RSVP."""
    return _detail(request, _event_or_404(request, key), RsvpForm())


@shared
def event_ics(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """One event as a .ics file, to add to a calendar."""
    event = _event_or_404(request, key)
    body = ics.calendar([event], event.title, _absolute(request))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    attach(response, f"event-{event.uuid}.ics")
    return response


@require_POST
def event_rsvp(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """RSVP without an account; the same e-mail again updates the RSVP."""
    event = _event_or_404(request, key)
    if over_limit(request, "rsvp"):
        return _slow_down(request)
    form = RsvpForm(request.POST)
    if form.is_valid():
        try:
            result = actions.rsvp(event, form.draft(), base_url=_base_url(request))
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _rsvp_message(result))
            _remember_rsvp(request, result.attendance)
            return redirect(event)
    form.refresh_stamp()
    return _detail(request, event, form, status=400)


def _rsvp_message(result: actions.RsvpResult) -> str:
    """What to tell someone who just RSVPed."""
    email = result.attendance.email
    if result.waitlisted:
        return _(
            "The event is full, so you are on the waiting list. If a place opens, we will "
            "e-mail %(email)s."
        ) % {"email": email}
    if not result.created:
        return _("Your RSVP is updated. We sent a confirmation to %(email)s.") % {"email": email}
    return _("Thank you, you're coming! We sent a confirmation to %(email)s.") % {"email": email}


def rsvp_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """The cancel link of the confirmation e-mail: a button to cancel (GET never changes it)."""
    try:
        attendance = actions.attendance_for_token(token)
        if request.method == "POST":
            actions.cancel_rsvp(token, base_url=_base_url(request))
            messages.success(request, _("Your RSVP is cancelled. Thank you for telling us."))
            return redirect("rsvp_cancel", token=token)  # a reload asks nothing again
    except ActionError as exc:
        return render(request, "events/rsvp_cancel.html", {"error": str(exc)}, status=400)
    context = {"attendance": attendance, "event": attendance.event, "token": token}
    return render(request, "events/rsvp_cancel.html", context)


# Posting and changing events ------------------------------------------------------------


def _event_form_page(
    request: HttpRequest, form: EventForm, event: Event | None, status: int = 200
) -> HttpResponse:
    if form.is_bound:
        form.refresh_stamp()
    return render(request, "events/form.html", {"form": form, "event": event}, status=status)


def event_new(request: HttpRequest) -> HttpResponse:
    """A group organizer posts an event."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not organized_groups(request.user).exists():
        raise PermissionDenied(
            _("Only a group's organizers post events; ask your group's organizer to post it.")
        )
    if request.method == "POST" and over_limit(request, "event"):
        return _slow_down(request)
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            event = actions.post_event(form.draft(), user=_user(request))
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your event is posted."))
            return redirect(event)
    return _event_form_page(request, form, None, 400 if request.method == "POST" else 200)


@organizer_view
def event_edit(request: HttpRequest, event: Event) -> HttpResponse:
    """An organizer changes an event."""
    if request.method == "POST" and over_limit(request, "event"):
        return _slow_down(request)
    form = EventForm(request.POST or None, user=request.user, initial=event_initial(event))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_event(event, form.draft())
        except ActionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The event is updated."))
            return redirect(event)
    return _event_form_page(request, form, event, 400 if request.method == "POST" else 200)


@require_POST
@organizer_view
def event_cancel(request: HttpRequest, event: Event) -> HttpResponse:
    """Call the event off; it stays listed as cancelled."""
    try:
        actions.cancel_event(event)
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The event is cancelled; it stays on the map, marked so."))
    return redirect(event)


# The organizer's tools ------------------------------------------------------------------


def _manage(
    request: HttpRequest,
    event: Event,
    *,
    report: signin.ImportReport | None = None,
    sheet_form: SignInSheetForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "event": event,
        "attendances": list(event.attendances.all()),
        "counts": _counts(event),
        "report": report,
        "sheet_form": sheet_form or SignInSheetForm(),
        "volunteers_form": VolunteersForm(),
        "columns": ", ".join(signin.COLUMNS),
    }
    return render(request, "events/manage.html", context, status=status)


IMPORT_REPORT = "signin_report"
"""Session key: the last sign-in import's counts and refused lines, shown once after it."""


@organizer_view
def event_manage(request: HttpRequest, event: Event) -> HttpResponse:
    """RSVPs, who came, the sign-in sheet import and the counts."""
    kept = request.session.pop(IMPORT_REPORT, None)
    report = None
    if kept and kept.get("event") == str(event.uuid):
        errors = [signin.RowError(line, message) for line, message in kept["errors"]]
        report = signin.ImportReport(kept["added"], kept["updated"], kept["unchanged"], errors)
    return _manage(request, event, report=report)


@require_POST
@organizer_view
def event_attended(request: HttpRequest, event: Event) -> HttpResponse:
    """Save the organizer's marks of who came."""
    values = {"yes": True, "no": False, "": None}
    marks: dict[int, bool | None] = {}
    for name, value in request.POST.items():
        if name.startswith("attended-") and name[9:].isdigit() and value in values:
            marks[int(name[9:])] = values[value]
    changed = actions.mark_attended(event, marks)
    messages.success(request, _("Saved: %(count)s changed.") % {"count": changed})
    return redirect("event_manage", event.uuid)


@organizer_view
def event_import(request: HttpRequest, event: Event) -> HttpResponse:
    """Read a typed-up paper sign-in sheet; show what was kept and every refused line.

    After a successful import the browser is sent to the manage page (which shows the
    report once), so a reload never imports the sheet twice and the address still works.
    """
    if request.method != "POST":
        return redirect("event_manage", event.uuid)
    form = SignInSheetForm(request.POST, request.FILES)
    if not form.is_valid():
        return _manage(request, event, sheet_form=form, status=400)
    try:
        report = signin.import_sheet(event, form.cleaned_data["sheet"].read())
    except ActionError as exc:
        form.add_error("sheet", str(exc))
        return _manage(request, event, sheet_form=form, status=400)
    request.session[IMPORT_REPORT] = {
        "event": str(event.uuid),
        "added": report.added,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": [(error.line, error.message) for error in report.errors],
    }
    return redirect("event_manage", event.uuid)


@organizer_view
def event_volunteers(request: HttpRequest, event: Event) -> HttpResponse:
    """Volunteers of the organizer's groups who opted in, within some miles, to invite."""
    form = VolunteersForm(request.GET or None)
    invitees: list[actions.Invitee] = []
    if form.is_bound and form.is_valid():
        invitees = actions.nearby_volunteers(
            event, form.cleaned_data["miles"], among=organized_groups(request.user)
        )
    emails = ",".join(i.member.user.email for i in invitees if i.member.user.email)
    context = {"event": event, "form": form, "invitees": invitees, "emails": emails}
    return render(request, "events/volunteers.html", context, status=400 if form.errors else 200)


@organizer_view
def attendances_csv(request: HttpRequest, event: Event) -> HttpResponse:
    """The event's RSVPs and attendance as CSV, for the group's own tools."""
    text = exports.attendances_csv(event.attendances.all())
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    attach(response, f"attendances-{event.uuid}.csv")
    return response


# Calendar feeds ------------------------------------------------------------------------


def _feed(request: HttpRequest, events: QuerySet[Event], name: str) -> HttpResponse:
    """Public events in the feed window as an iCalendar feed."""
    start, end = ics.feed_window()
    window = events.filter(ends_at__gte=start, starts_at__lte=end).select_related("group")
    body = ics.calendar(window.order_by("starts_at"), name, _absolute(request))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@shared
def group_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A group's public events, at the group's secret feed address (its id is not enough)."""
    group = group_for_feed(token)
    if group is None:
        raise Http404(_("No such calendar. Ask the group's organizers for its current address."))
    name = _("%(group)s: events") % {"group": group.name}
    return _feed(request, public_events().filter(group=group), name)


@shared
def jurisdiction_feed(request: HttpRequest, ocd_id: str) -> HttpResponse:
    """Public events about a jurisdiction or the places within it."""
    jurisdiction = get_object_or_404(Jurisdiction, ocd_id=ocd_id)
    name = _("Events in %(place)s") % {"place": jurisdiction}
    return _feed(request, public_events().filter(_within(jurisdiction)), name)


def _within(jurisdiction: Jurisdiction) -> Q:
    """Events about the jurisdiction, its children, or theirs."""
    return (
        Q(jurisdiction=jurisdiction)
        | Q(jurisdiction__parent=jurisdiction)
        | Q(jurisdiction__parent__parent=jurisdiction)
    )
