"""The events API in the shape of OSDI, mounted by the main API at ``/api/events/``.

- ``GET /api/events/``: public events (upcoming by default), filtered like the map, as an OSDI
  collection with the events under ``_embedded["osdi:events"]``.
- ``GET /api/events/{uuid}``: one public event.
- ``GET /api/events/{uuid}/attendances``: its RSVPs and attendance, for the group's organizers
  and affiliate staff only; ``.../attendances/{uuid}`` one of them, and ``.../person`` who gave
  it. The key (an :class:`ApiToken`) goes in OSDI's ``OSDI-API-Token`` header, its
  ``osdi-api-token`` query parameter, or ``Authorization: Bearer <key>``.

Answers are HAL (``application/hal+json``), as OSDI clients expect. Everything here is
read-only; private addresses never appear (see :mod:`.osdi`).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.constants import NOT_SET
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.security import APIKeyHeader, APIKeyQuery, HttpBearer
from pydantic import StringConstraints

from freedomcities.web.accounts.apiauth import token_user
from freedomcities.web.apitypes import Day, Message
from freedomcities.web.campaign.access import can_organize
from freedomcities.web.events import osdi
from freedomcities.web.events.models import Attendance, Event, Tactic
from freedomcities.web.events.search import DEFAULT_MILES, EventQuery, find_events, public_events
from freedomcities.web.geography.places import MAX_RADIUS_MILES, UnknownZip
from freedomcities.web.responses import shared

API_PREFIX = "/api/events"
"""Where the main API mounts this router; the HAL links are built from it."""
MAX_PER_PAGE = 100
MAX_PAGE = 10_000

router = Router(tags=["events"])


EventKey = Annotated[uuid.UUID, Path(description="The event's identifier (a UUID).")]
AttendanceKey = Annotated[uuid.UUID, Path(description="The attendance's identifier (a UUID).")]


class EventsQuery(Schema):
    """Filters for the list of events, the same as the map's."""

    zip: Annotated[str, StringConstraints(max_length=10)] | None = Field(
        None, description="A U.S. ZIP code to search around."
    )
    miles: float = Field(
        DEFAULT_MILES, ge=1, le=MAX_RADIUS_MILES, description="The radius around the ZIP code."
    )
    start: Day | None = Field(None, description="Events ending on or after this day.")
    end: Day | None = Field(None, description="Events starting on or before this day.")
    tactic: Tactic | None = Field(None, description="Only this kind of action.")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Which page of results, from 1.")
    per_page: int = Field(
        25, ge=1, le=MAX_PER_PAGE, description="How many events per page of results."
    )


def _organizer_key(key: str | None) -> User | None:
    """The active user an API key belongs to, noting when it was last used; None if none sent.

    A key that is sent but not valid is refused with 401 at once, as in the rest of the API,
    even when another header carries a good one: a typo never passes silently.
    """
    if not key:
        return None
    return token_user(key)


class EventsToken(HttpBearer):
    """``Authorization: Bearer <key>``, a key from :meth:`ApiToken.issue`."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return _organizer_key(token)


class OsdiHeaderToken(APIKeyHeader):
    """OSDI's own header, ``OSDI-API-Token: <key>``, which OSDI clients send."""

    param_name = "OSDI-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _organizer_key(key)


class OsdiQueryToken(APIKeyQuery):
    """OSDI's query parameter, ``?osdi-api-token=<key>``, for clients that cannot set headers."""

    param_name = "osdi-api-token"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return _organizer_key(key)


ORGANIZER_AUTH = [OsdiHeaderToken(), OsdiQueryToken(), EventsToken()]
HAL_OPERATIONS: set[str] = set()
"""The operations that answer HAL; the main API's schema documents their content type."""

V = TypeVar("V", bound=Callable[..., Any])


def _as_hal(view: V) -> V:
    """Serve a successful answer as ``application/hal+json``, the type OSDI clients expect."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = view(*args, **kwargs)
        if response.status_code == 200:
            response["Content-Type"] = f"{osdi.HAL}; charset=utf-8"
        return response

    return wrapper  # type: ignore[return-value]


def hal(view: V) -> V:
    """Mark an operation as HAL: its answer's type, and its entry in the OpenAPI schema."""
    HAL_OPERATIONS.add(view.__name__)
    return decorate_view(_as_hal)(view)


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


def _osdi_get(
    path: str, responses: dict[int, Any], name: str, auth: Any = NOT_SET
) -> Callable[[V], V]:
    """Register a HAL read: OSDI's names (``_links``, ``osdi:events``), no nulls for fields a
    resource lacks, and the ``application/hal+json`` type."""
    register = router.get(
        path, response=responses, auth=auth, url_name=name, by_alias=True, exclude_none=True
    )
    public = auth is NOT_SET  # other sites' pages may read public events, not attendances
    return lambda view: register(hal(decorate_view(shared)(view) if public else view))


class AttendancesQuery(Schema):
    """Which page of an event's attendances."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Which page, from 1.")
    per_page: int = Field(
        MAX_PER_PAGE, ge=1, le=MAX_PER_PAGE, description="How many attendances per page."
    )


@_osdi_get("/", {200: osdi.EventPage, 400: Message}, "osdi_events")
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


@_osdi_get("/{key}", {200: osdi.OsdiEvent, 404: Message}, "osdi_event")
def get_event(request: HttpRequest, key: EventKey) -> dict[str, Any]:
    """One public event in OSDI's shape."""
    return _resource(request, _public_event(key))


PRIVATE = {401: Message, 403: Message, 404: Message}


def _organized_event(request: HttpRequest, key: uuid.UUID) -> Event:
    """An event whose attendances the caller may read: its group's organizers and staff."""
    event = Event.objects.select_related("group").filter(uuid=key).first()
    if event is None:
        raise HttpError(404, _("No event has the id %(id)s.") % {"id": key})
    if not can_organize(getattr(request, "auth", None), event.group):
        raise HttpError(403, _("Only the group's organizers and affiliate staff see attendances."))
    return event


def _attendance(event: Event, key: uuid.UUID) -> Attendance:
    """One of the event's attendances, or a 404."""
    attendance = event.attendances.filter(uuid=key).first()
    if attendance is None:
        raise HttpError(404, _("This event has no attendance with the id %(id)s.") % {"id": key})
    return attendance


@_osdi_get(
    "/{key}/attendances", {200: osdi.AttendancePage, **PRIVATE}, "osdi_attendances", ORGANIZER_AUTH
)
def list_attendances(
    request: HttpRequest, key: EventKey, query: Query[AttendancesQuery]
) -> dict[str, Any]:
    """An event's RSVPs and who came, for its group's organizers and affiliate staff."""
    event = _organized_event(request, key)
    path = f"{API_PREFIX}/{event.uuid}"
    attendances = event.attendances.all()
    start = (query.page - 1) * query.per_page
    items = [
        osdi.attendance_resource(attendance, path, _url(request))
        for attendance in attendances[start : start + query.per_page]
    ]
    return osdi.collection(
        "osdi:attendances",
        items,
        self_url=request.build_absolute_uri(),
        total=attendances.count(),
        page=query.page,
        per_page=query.per_page,
    )


@_osdi_get(
    "/{key}/attendances/{attendance}",
    {200: osdi.OsdiAttendance, **PRIVATE},
    "osdi_attendance",
    ORGANIZER_AUTH,
)
def get_attendance(
    request: HttpRequest, key: EventKey, attendance: AttendanceKey
) -> dict[str, Any]:
    """One RSVP, for the event's group's organizers and affiliate staff."""
    event = _organized_event(request, key)
    path = f"{API_PREFIX}/{event.uuid}"
    return osdi.attendance_resource(_attendance(event, attendance), path, _url(request))


@_osdi_get(
    "/{key}/attendances/{attendance}/person",
    {200: osdi.OsdiPerson, **PRIVATE},
    "osdi_attendance_person",
    ORGANIZER_AUTH,
)
def get_attendance_person(
    request: HttpRequest, key: EventKey, attendance: AttendanceKey
) -> dict[str, Any]:
    """The person who gave an RSVP, with the contacts they left (organizers and staff only)."""
    event = _organized_event(request, key)
    path = f"{API_PREFIX}/{event.uuid}"
    return osdi.person_resource(_attendance(event, attendance), path, _url(request))
