"""Events on the map: the actions a group organises, who said they would come, and who came.

An **Event** is one tactic from the guide, at a time and place, posted by a group so that
nearby people can find it and join. An **Attendance** (OSDI's word) is one person's RSVP to it
and, after the event, whether they came; paper sign-in sheets add attendances too.

Privacy: when ``address_public`` is off, the street address is for the group only. The public
sees the locality and ZIP code, and a point blurred by about 1-2 km (``public_latitude``,
``public_longitude``); everything the public reads (pages, feeds, JSON-LD, the API, CSV) goes
through :meth:`Event.public_location`. Attendees' contacts are for the group's organizers and
affiliate staff. Nothing records anyone's immigration status.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freedomcities.web.campaign.models import Group, Person
from freedomcities.web.geography import places
from freedomcities.web.jurisdictions.models import Jurisdiction
from freedomcities.web.pagecache.stamps import StampedQuerySet

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


class Tactic(models.TextChoices):
    """The kinds of action the guides describe, in the order a campaign usually meets them."""

    ORGANIZING_MEETING = "organizing_meeting", _("Organizing meeting")
    MEETING_WITH_OFFICIALS = "meeting_with_officials", _("Meeting with officials")
    COUNCIL_MEETING = "council_meeting", _("Speaking at a council meeting")
    TOWN_HALL = "town_hall", _("Town hall")
    CALLS_LETTERS = "calls_letters", _("Calls and letters party")
    LETTERS_TO_EDITOR = "letters_to_editor", _("Letter-to-the-editor workshop")
    PETITION_DRIVE = "petition_drive", _("Petition drive")
    RALLY = "rally", _("Rally or protest")
    SOLIDARITY = "solidarity", _("Solidarity action")
    KNOW_YOUR_RIGHTS = "know_your_rights", _("Know-your-rights training")


class EventStatus(models.TextChoices):
    """Whether an event is still on; ``passed`` is set by a periodic task once it has ended."""

    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")
    PASSED = "passed", _("Passed")


@dataclass(frozen=True)
class PublicLocation:
    """What anyone may know about where an event is."""

    venue: str
    address_lines: tuple[str, ...]
    locality: str
    region: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    exact: bool


class Event(models.Model):
    """One action of a group, on the map: a tactic, at a time and place, for a jurisdiction."""

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="events")
    tactic = models.CharField(max_length=30, choices=Tactic.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        on_delete=models.PROTECT,
        related_name="events",
        help_text=_("The city, county or state the action is about"),
    )
    officials = models.ManyToManyField(
        Person, blank=True, related_name="events", help_text=_("The officials it targets")
    )
    title = models.CharField(max_length=TITLE_MAX)
    description = models.TextField(blank=True, help_text=_("Plain text; no HTML"))
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    timezone = models.CharField(max_length=64, help_text=_("IANA time zone, e.g. America/Phoenix"))
    venue = models.CharField(max_length=200, blank=True)
    address_lines = models.CharField(
        max_length=300, blank=True, help_text=_("Street address; one line per line")
    )
    locality = models.CharField(max_length=100)
    region = models.CharField(max_length=2, help_text=_("State postal code, e.g. AZ"))
    postal_code = models.CharField(max_length=5)
    latitude = models.FloatField(help_text=_("From the ZIP code; private when the address is"))
    longitude = models.FloatField()
    public_latitude = models.FloatField(help_text=_("Blurred when the address is private"))
    public_longitude = models.FloatField()
    address_public = models.BooleanField(
        default=False, help_text=_("Show the exact address to everyone, not only the area")
    )
    public = models.BooleanField(
        default=True, help_text=_("On the public map; otherwise only the group sees it")
    )
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text=_("Empty for no limit"))
    host_name = models.CharField(max_length=200, blank=True)
    host_email = models.EmailField(blank=True)
    host_phone = models.CharField(max_length=40, blank=True)
    host_public = models.BooleanField(
        default=False, help_text=_("Show the host's contact to everyone")
    )
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            # The nearby search: a latitude range, then longitude, read from the index alone.
            models.Index(fields=["public_latitude", "public_longitude"], name="event_near"),
            models.Index(fields=["starts_at"], name="event_start"),
            models.Index(fields=["jurisdiction", "starts_at"], name="event_jurisdiction"),
            models.Index(fields=["group", "starts_at"], name="event_group"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("event", args=[self.uuid])

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, always deriving the public point from the exact one and ``address_public``."""
        self.public_latitude, self.public_longitude = self.public_point()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "public_latitude", "public_longitude"}
        super().save(*args, **kwargs)

    def public_point(self) -> tuple[float, float]:
        """The exact point when the address is public, else one blurred by about 1-2 km."""
        if self.address_public:
            return self.latitude, self.longitude
        return places.blur(self.latitude, self.longitude, str(self.uuid))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The event's time zone (UTC if the stored name is unknown to this system)."""
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def local_start(self) -> datetime.datetime:
        """The start in the event's own time zone, as people there read it."""
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> datetime.datetime:
        """The end in the event's own time zone."""
        return self.ends_at.astimezone(self.zone)

    @property
    def current_status(self) -> str:
        """The status, counting an ended event as passed before the periodic task marks it."""
        if self.status == EventStatus.SCHEDULED and self.ends_at < timezone.now():
            return EventStatus.PASSED.value
        return self.status

    @property
    def identifier(self) -> str:
        """The OSDI identifier other organizing tools know this event by."""
        return f"freedomcities:{self.uuid}"

    def public_location(self) -> PublicLocation:
        """Where the event is, as far as the public may know: the one door out for addresses."""
        exact = self.address_public
        return PublicLocation(
            venue=self.venue if exact else "",
            address_lines=tuple(self.address_lines.splitlines()) if exact else (),
            locality=self.locality,
            region=self.region,
            postal_code=self.postal_code,
            latitude=self.public_latitude,
            longitude=self.public_longitude,
            exact=exact,
        )


class RsvpStatus(models.TextChoices):
    """An RSVP's state; OSDI's attendance ``status`` values where they fit."""

    ACCEPTED = "accepted", _("Coming")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Source(models.TextChoices):
    """How an attendance was recorded."""

    RSVP = "rsvp", _("RSVP on the website")
    SIGN_IN = "sign_in", _("Paper sign-in sheet")


class Attendance(models.Model):
    """One person's RSVP to an event and whether they came; one per event and e-mail."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(help_text=_("Stored in lower case; people are matched by it"))
    phone = models.CharField(max_length=40, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=RsvpStatus.choices, default=RsvpStatus.ACCEPTED
    )
    attended = models.BooleanField(null=True, blank=True, help_text=_("Empty until marked"))
    comment = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.RSVP)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "email"], name="attendance_one_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} at {self.event}"

    @property
    def name(self) -> str:
        """Given and family name, as a person reads them."""
        return f"{self.given_name} {self.family_name}".strip()
