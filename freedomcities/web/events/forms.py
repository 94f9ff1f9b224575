"""Forms: posting an event, searching the map, RSVPing, sign-in sheets, finding volunteers.

Forms only parse what was typed; the checks that matter live in :mod:`.actions`, whose
messages the views put back on the form.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from freedomcities.web.accounts.guard import GuardedForm
from freedomcities.web.campaign.access import organized_groups
from freedomcities.web.campaign.models import Group, Person
from freedomcities.web.events.actions import EventDraft, RsvpDraft
from freedomcities.web.events.models import DESCRIPTION_MAX, TITLE_MAX, Event, Tactic
from freedomcities.web.events.search import DEFAULT_MILES, EventQuery
from freedomcities.web.geography.places import MAX_RADIUS_MILES
from freedomcities.web.jurisdictions.models import Jurisdiction, Kind

US_ZONES = [
    ("", gettext_lazy("The ZIP code's own time zone")),
    ("America/New_York", gettext_lazy("Eastern (New York)")),
    ("America/Chicago", gettext_lazy("Central (Chicago)")),
    ("America/Denver", gettext_lazy("Mountain (Denver)")),
    ("America/Phoenix", gettext_lazy("Arizona (Phoenix, no daylight saving)")),
    ("America/Los_Angeles", gettext_lazy("Pacific (Los Angeles)")),
    ("America/Anchorage", gettext_lazy("Alaska (Anchorage)")),
    ("Pacific/Honolulu", gettext_lazy("Hawaii (Honolulu)")),
    ("America/Puerto_Rico", gettext_lazy("Atlantic (Puerto Rico)")),
]


def _miles(miles: int) -> str:
    """A distance choice in the reader's language ("25 miles", "25 millas")."""
    return _("%(miles)s miles") % {"miles": miles}


# Lazy, so each request gets the words of its language (not those of the import).
RADII = [(m, lazy(_miles, str)(m)) for m in (5, 10, 25, 50, 100, 250)]
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
AnyUser = AbstractBaseUser | AnonymousUser


def find_jurisdiction(text: str) -> Jurisdiction | None:
    """A jurisdiction by OCD id, by "Name, ST", or by a state's name."""
    text = text.strip()
    found = Jurisdiction.objects.filter(ocd_id=text).first()
    if found or not text:
        return found
    name, _comma, state = (part.strip() for part in text.rpartition(","))
    if name and len(state) == 2:
        matches = Jurisdiction.objects.filter(name__iexact=name, state__iexact=state)
        return matches.order_by("-kind").first()  # a place before a county of the same name
    return Jurisdiction.objects.filter(name__iexact=text, kind=Kind.STATE).first()


class EventForm(GuardedForm):
    """An organizer's event: what, where, when, for whom."""

    group = forms.ModelChoiceField(queryset=Group.objects.none(), label=gettext_lazy("Group"))
    tactic = forms.ChoiceField(
        label=gettext_lazy("Kind of action"), choices=[("", "—"), *Tactic.choices]
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DESCRIPTION_MAX}),
        help_text=gettext_lazy(
            "Plain text, up to 5,000 characters: what to bring, whom to ask for at the door."
        ),
    )
    jurisdiction = forms.CharField(
        label=gettext_lazy("City, county or state it is about"),
        max_length=200,
        help_text=gettext_lazy("For example Mesa, AZ or Maricopa County, AZ."),
    )
    officials = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label=gettext_lazy("Officials it targets"),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    starts = forms.DateTimeField(
        label=gettext_lazy("Starts"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends = forms.DateTimeField(
        label=gettext_lazy("Ends"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M"]
    )
    timezone = forms.ChoiceField(label=gettext_lazy("Time zone"), choices=US_ZONES, required=False)
    venue = forms.CharField(label=gettext_lazy("Venue"), max_length=200, required=False)
    address_lines = forms.CharField(
        label=gettext_lazy("Street address"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    locality = forms.CharField(
        label=gettext_lazy("Town or city"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Leave empty for the ZIP code's town."),
    )
    postal_code = forms.CharField(label=gettext_lazy("ZIP code"), max_length=10)
    address_public = forms.BooleanField(
        label=gettext_lazy("Show the exact address to everyone"),
        required=False,
        help_text=gettext_lazy(
            "Unticked, the public sees only the town and ZIP code, and a point on the map "
            "moved by about a mile."
        ),
    )
    public = forms.BooleanField(
        label=gettext_lazy("Put it on the public map"), required=False, initial=True
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("How many people fit"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=gettext_lazy("Empty for no limit; past it, people join a waiting list."),
    )
    host_name = forms.CharField(label=gettext_lazy("Host's name"), max_length=200, required=False)
    host_email = forms.EmailField(label=gettext_lazy("Host's e-mail"), required=False)
    host_phone = forms.CharField(label=gettext_lazy("Host's phone"), max_length=40, required=False)
    host_public = forms.BooleanField(
        label=gettext_lazy("Show the host's contact to everyone"), required=False
    )

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = organized_groups(user)
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ModelChoiceField)
        group_field.queryset = groups
        officials = self.fields["officials"]
        assert isinstance(officials, forms.ModelMultipleChoiceField)
        officials.queryset = Person.objects.filter(
            Q(added_by__in=groups) | Q(memberships__isnull=False)
        ).distinct()
        if groups.count() == 1 and not self.is_bound:
            self.initial.setdefault("group", groups.first())

    def clean_jurisdiction(self) -> Jurisdiction:
        found = find_jurisdiction(self.cleaned_data["jurisdiction"])
        if found is None:
            raise forms.ValidationError(
                _("We found no city, county or state called %(name)s; write it as Mesa, AZ.")
                % {"name": self.cleaned_data["jurisdiction"]}
            )
        return found

    def draft(self) -> EventDraft:
        """The cleaned form as the action's input."""
        data = self.cleaned_data
        return EventDraft(
            group=data["group"],
            tactic=data["tactic"],
            jurisdiction=data["jurisdiction"],
            title=data["title"],
            description=data["description"],
            starts=_naive(data["starts"]),
            ends=_naive(data["ends"]),
            timezone=data["timezone"],
            venue=data["venue"],
            address_lines=data["address_lines"],
            locality=data["locality"],
            postal_code=data["postal_code"],
            address_public=data["address_public"],
            public=data["public"],
            capacity=data["capacity"],
            host_name=data["host_name"],
            host_email=data["host_email"],
            host_phone=data["host_phone"],
            host_public=data["host_public"],
            officials=tuple(data["officials"]),
        )


def _naive(value: datetime.datetime) -> datetime.datetime:
    """The wall-clock time as typed: Django read it in the site's zone; the event has its own."""
    if value.tzinfo is None:
        return value
    return timezone.localtime(value).replace(tzinfo=None)


def event_initial(event: Event) -> dict[str, object]:
    """An event's values for the edit form, times in the event's own zone."""
    return {
        "group": event.group,
        "tactic": event.tactic,
        "title": event.title,
        "description": event.description,
        "jurisdiction": event.jurisdiction.ocd_id,
        "officials": list(event.officials.all()),
        "starts": event.local_start.replace(tzinfo=None),
        "ends": event.local_end.replace(tzinfo=None),
        "timezone": event.timezone if event.timezone in dict(US_ZONES) else "",
        "venue": event.venue,
        "address_lines": event.address_lines,
        "locality": event.locality,
        "postal_code": event.postal_code,
        "address_public": event.address_public,
        "public": event.public,
        "capacity": event.capacity,
        "host_name": event.host_name,
        "host_email": event.host_email,
        "host_phone": event.host_phone,
        "host_public": event.host_public,
    }


class SearchForm(forms.Form):
    """The map's filters; all optional."""

    zip = forms.CharField(label=gettext_lazy("ZIP code"), max_length=10, required=False)
    miles = forms.TypedChoiceField(
        label=gettext_lazy("Within"),
        choices=RADII,
        coerce=int,
        required=False,
        empty_value=None,
        initial=DEFAULT_MILES,
    )
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tactic = forms.ChoiceField(
        label=gettext_lazy("Kind of action"),
        choices=[("", gettext_lazy("Any")), *Tactic.choices],
        required=False,
    )
    sort = forms.ChoiceField(
        label=gettext_lazy("Order"),
        choices=[("", gettext_lazy("Nearest first")), ("date", gettext_lazy("Soonest first"))],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        return data

    def query(self) -> EventQuery:
        """The cleaned filters as a search query."""
        data = self.cleaned_data
        return EventQuery(
            postal_code=data.get("zip") or "",
            miles=min(float(data.get("miles") or DEFAULT_MILES), MAX_RADIUS_MILES),
            start=data.get("start"),
            end=data.get("end"),
            tactic=data.get("tactic") or "",
            sort=data.get("sort") or "",
        )


class RsvpForm(GuardedForm):
    """RSVP without an account: a name, an e-mail and a ZIP code."""

    given_name = forms.CharField(label=gettext_lazy("Given name"), max_length=100)
    family_name = forms.CharField(label=gettext_lazy("Family name"), max_length=100)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254)
    postal_code = forms.CharField(label=gettext_lazy("ZIP code"), max_length=10)
    phone = forms.CharField(label=gettext_lazy("Phone (optional)"), max_length=40, required=False)
    consent_to_contact = forms.BooleanField(
        label=gettext_lazy("The group may contact me about this and other actions"),
        required=False,
    )

    def draft(self) -> RsvpDraft:
        """The cleaned form as the action's input."""
        data = self.cleaned_data
        return RsvpDraft(
            given_name=data["given_name"],
            family_name=data["family_name"],
            email=data["email"],
            postal_code=data["postal_code"],
            phone=data["phone"],
            consent_to_contact=data["consent_to_contact"],
        )


class SignInSheetForm(forms.Form):
    """A typed-up paper sign-in sheet."""

    sheet = forms.FileField(
        label=gettext_lazy("Sign-in sheet (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class VolunteersForm(forms.Form):
    """How far from the event to look for volunteers to invite."""

    miles = forms.IntegerField(
        label=gettext_lazy("Within (miles)"),
        min_value=1,
        max_value=MAX_RADIUS_MILES,
        initial=DEFAULT_MILES,
    )
