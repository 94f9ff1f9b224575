"""The events API in the shape of OSDI, mounted by the main API at ``/api/events/``.

- ``GET /api/events/``: public events (upcoming by default), filtered like the map, as an OSDI
  collection with the events under ``_embedded["osdi:events"]``.
- ``GET /api/events/{uuid}``: one public event.
- ``GET /api/events/{uuid}/attendances``: its RSVPs and attendance, for the group's organizers
  and affiliate staff only, with ``Authorization: Bearer <key>`` (an :class:`ApiToken`).

Everything here is read-only; private addresses never appear (see :mod:`.osdi`).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer
from pydantic import StringConstraints

from freedomcities.web.accounts.models import ApiToken
from freedomcities.web.campaign.access import can_organize
from freedomcities.web.events import osdi
from freedomcities.web.events.models import Event, Tactic
from freedomcities.web.events.places import MAX_RADIUS_MILES, UnknownZip
from freedomcities.web.events.search import DEFAULT_MILES, EventQuery, find_events, public_events

API_PREFIX = "/api/events"
"""Where the main API mounts this router; the HAL links are built from it."""
MAX_PER_PAGE = 100
MAX_PAGE = 10_000

router = Router(tags=["events"])


class Message(Schema):
    """An error: what happened, why, and what to do next."""

    detail: str


EventKey = Annotated[uuid.UUID, Path(description="The event's identifier (a UUID).")]


class EventsQuery(Schema):
    """Filters for the list of events, the same as the map's."""

    zip: Annotated[str, StringConstraints(max_length=10)] | None = Field(
        None, description="A U.S. ZIP code to search around."
    )
    miles: float = Field(
        DEFAULT_MILES, ge=1, le=MAX_RADIUS_MILES, description="The radius around the ZIP code."
    )
    start: datetime.date | None = Field(None, description="Events ending on or after this day.")
    end: datetime.date | None = Field(None, description="Events starting on or before this day.")
    tactic: Tactic | None = Field(None, description="Only this kind of action.")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Which page of results, from 1.")
    per_page: int = Field(
        25, ge=1, le=MAX_PER_PAGE, description="How many events per page of results."
    )


class EventsToken(HttpBearer):
    """``Authorization: Bearer <key>``, a key from :meth:`ApiToken.issue`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = ApiToken.find(token)
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found.user


def _url(request: HttpRequest) -> osdi.Url:
    """Absolute URLs of API paths."""
    return request.build_absolute_uri


def _resource(request: HttpRequest, event: Event) -> dict[str, Any]:
    """An event as OSDI, with its API links and its public page."""
    path = f"{API_PREFIX}/{event.uuid}"
    page = request.build_absolute_uri(event.get_absolute_url())
    return osdi.event_resource(event, path, page, _url(request))


def _public_event(key: uuid.UUID) -> Event:
    """A public event, or a 404 (private events are not in the API)."""
    event = public_events().select_related("group", "jurisdiction").filter(uuid=key).first()
    if event is None:
        raise HttpError(404, _("No public event has the id %(id)s.") % {"id": key})
    return event


@router.get("/", response={200: dict[str, Any], 400: Message}, url_name="osdi_events")
def list_events(request: HttpRequest, query: Query[EventsQuery]) -> dict[str, Any]:
    """Public events as an OSDI collection: upcoming ones, or those in the dates given."""
    if query.start and query.end and query.end < query.start:
        raise HttpError(400, _("The end date is before the start date."))
    search = EventQuery(
        postal_code=query.zip or "",
        miles=query.miles,
        start=query.start,
        end=query.end,
        tactic=query.tactic.value if query.tactic else "",
        sort="date",
        limit=query.per_page,
        offset=(query.page - 1) * query.per_page,
    )
    try:
        result = find_events(search)
    except UnknownZip as exc:
        message = _("%(zip)s is not a U.S. ZIP code we know.") % {"zip": query.zip}
        raise HttpError(400, message) from exc
    items = [_resource(request, item.event) for item in result.found]
    return osdi.collection(
        "osdi:events",
        items,
        self_url=request.build_absolute_uri(),
        total=result.total,
        page=query.page,
        per_page=query.per_page,
    )


@router.get("/{key}", response={200: dict[str, Any], 404: Message}, url_name="osdi_event")
def get_event(request: HttpRequest, key: EventKey) -> dict[str, Any]:
    """One public event in OSDI's shape."""
    return _resource(request, _public_event(key))


@router.get(
    "/{key}/attendances",
    response={200: dict[str, Any], 401: Message, 403: Message, 404: Message},
    auth=EventsToken(),
    url_name="osdi_attendances",
)
def list_attendances(request: HttpRequest, key: EventKey) -> dict[str, Any]:
    """An event's RSVPs and who came, for its group's organizers and affiliate staff."""
    event = Event.objects.select_related("group").filter(uuid=key).first()
    user = getattr(request, "auth", None)
    if event is None:
        raise HttpError(404, _("No event has the id %(id)s.") % {"id": key})
    if not can_organize(user, event.group):
        raise HttpError(403, _("Only the group's organizers and affiliate staff see attendances."))
    path = f"{API_PREFIX}/{event.uuid}"
    items = [
        osdi.attendance_resource(attendance, path, _url(request))
        for attendance in event.attendances.all()
    ]
    total = len(items)
    return osdi.collection(
        "osdi:attendances",
        items,
        self_url=request.build_absolute_uri(),
        total=total,
        page=1,
        per_page=max(total, 1),
    )
