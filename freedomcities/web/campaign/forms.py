"""Forms for the campaign pages: they parse what people typed into the actions' inputs.

A form turns text into values, offers the right choices, and builds the same
input type the API takes (:mod:`.inputs`) with :func:`~.inputs.checked`. Checks
that need the database (dates in order, people in the group, rules that exist)
live in the actions, so the JSON API gets the same answers.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from freedomcities.web.campaign.actions import OFFICE_FIELDS, PLAN_STATUSES, officials_of
from freedomcities.web.campaign.inputs import (
    AcceptIn,
    AnswerIn,
    GroupIn,
    MemberIn,
    OfficialIn,
    OfficialPatch,
    OutcomeIn,
    PlaceIn,
    PlanIn,
    PlanPatch,
    PromiseIn,
    PromisePatch,
    ReportIn,
    ReturnIn,
    StageIn,
    checked,
)
from freedomcities.web.campaign.models import (
    Friendliness,
    Group,
    GroupRole,
    InPlace,
    Meeting,
    MeetingStatus,
    Person,
    PostRole,
    PromiseState,
    Support,
)
from freedomcities.web.jurisdictions.models import Agency, Jurisdiction, Kind, Stage
from freedomcities.web.scorecards import dashboard

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
PROMISE_ROWS = 3
ANSWER_KEY = re.compile(r"^(in_place|support|note)_(\d+)_(.+)$")


class MemberChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A group member, shown by their full name or username."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class MembersChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several group members, shown by their full name or username."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


def members_of(group: Group) -> QuerySet[User]:
    """The group's volunteers, for choosing attendees and owners."""
    return User.objects.filter(group_memberships__group=group).order_by("username")


def find_place(text: str, state: str) -> Jurisdiction | None:
    """A county or place in the state by its name ("Mesa", "Mesa, AZ") or its OCD id."""
    text = text.strip()
    places = Jurisdiction.objects.filter(state=state.upper(), kind__in=[Kind.COUNTY, Kind.PLACE])
    if text.startswith("ocd-division/"):
        return places.filter(ocd_id=text).first()
    name = re.sub(rf",\s*{re.escape(state)}$", "", text, flags=re.IGNORECASE).strip()
    found = list(places.filter(name__iexact=name)[:2])
    return found[0] if len(found) == 1 else None


def _place_error(text: str, state: str) -> str:
    """Why a place name was not found, and what to type instead."""
    return str(
        _(
            "No single city or county called “%(name)s” in %(state)s. Type its name as the "
            "place page shows it (e.g. Mesa or Maricopa County)."
        )
        % {"name": text, "state": state}
    )


class GroupForm(forms.Form):
    """A new local group: its name, state and home city or county."""

    name = forms.CharField(label=_("Group name"), max_length=200)
    state = forms.ChoiceField(label=_("State"))
    home = forms.CharField(
        label=_("Home city or county"),
        required=False,
        max_length=200,
        help_text=_("Where the group mostly works; you can add more places later."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        states = Jurisdiction.objects.filter(kind=Kind.STATE).order_by("name")
        self.fields["state"].choices = [(s.state, s.name) for s in states]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text, state = data.get("home", ""), data.get("state", "")
        data["home_place"] = None
        if text and state:
            data["home_place"] = find_place(text, state)
            if data["home_place"] is None:
                self.add_error("home", _place_error(text, state))
        return data

    def group(self) -> GroupIn:
        """The new group for the action, as the API takes it (see :meth:`OutcomeForm.outcome`)."""
        data = self.cleaned_data
        home = data["home_place"]
        return checked(
            GroupIn, name=data["name"], state=data["state"], home=home.ocd_id if home else None
        )


class CampaignForm(forms.Form):
    """Another city or county the group campaigns in."""

    place = forms.CharField(label=_("City or county"), max_length=200)

    def __init__(self, *args: Any, state: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state = state

    def clean_place(self) -> Jurisdiction:
        text: str = self.cleaned_data["place"]
        place = find_place(text, self.state)
        if place is None:
            raise forms.ValidationError(_place_error(text, self.state))
        return place

    def campaign(self) -> PlaceIn:
        """The place for the action, as the API takes it (see :meth:`OutcomeForm.outcome`)."""
        return checked(PlaceIn, jurisdiction=self.cleaned_data["place"].ocd_id)


class MemberForm(forms.Form):
    """A volunteer to add to the group, by username or e-mail."""

    who = forms.CharField(label=_("Username or e-mail"), max_length=254)
    role = forms.ChoiceField(label=_("Part in the group"), choices=GroupRole.choices)
    phone = forms.CharField(label=_("Phone (optional)"), required=False, max_length=40)
    postal_code = forms.CharField(label=_("ZIP code (optional)"), required=False, max_length=10)

    def member(self) -> MemberIn:
        """The member for the action, as the API takes it (see :meth:`OutcomeForm.outcome`)."""
        return checked(MemberIn, **self.cleaned_data)


class OfficeForm(forms.Form):
    """An official's public office contacts and the group's judgement of them."""

    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("Office e-mail"), required=False)
    phone = forms.CharField(label=_("Office phone"), required=False, max_length=40)
    office_address = forms.CharField(label=_("Office address"), required=False, max_length=300)
    url = forms.URLField(label=_("Web page"), required=False, assume_scheme="https")
    friendliness = forms.ChoiceField(
        label=_("How friendly (private to the group)"),
        choices=Friendliness.choices,
        initial=Friendliness.UNDECIDED,
    )

    def office(self) -> dict[str, str]:
        """The office contact fields, as the input types name them."""
        return {key: self.cleaned_data[key] for key in OFFICE_FIELDS}


class OfficialForm(OfficeForm):
    """A new official to press: who, which office, which group lists them."""

    role = forms.ChoiceField(label=_("Office"), choices=PostRole.choices)
    label = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=200,
        help_text=_("e.g. Council member, district 7; empty for the office's name."),
    )
    agency = forms.ModelChoiceField(
        label=_("Agency (optional)"), queryset=Agency.objects.none(), required=False
    )
    start_date = forms.DateField(label=_("In office since"), required=False, widget=DATE)
    group = forms.ModelChoiceField(label=_("Listed by"), queryset=Group.objects.none())

    field_order = ["name", "role", "label", "agency", "email", "phone", "office_address", "url"]

    def __init__(
        self,
        *args: Any,
        jurisdiction: Jurisdiction,
        groups: QuerySet[Group],
        staff: bool,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        agency = self.fields["agency"]
        group = self.fields["group"]
        assert isinstance(agency, forms.ModelChoiceField) and isinstance(
            group, forms.ModelChoiceField
        )
        agency.queryset = Agency.objects.filter(jurisdiction=jurisdiction)
        group.queryset = groups
        group.required = not staff
        campaigning = groups.filter(Q(jurisdictions=jurisdiction) | Q(home=jurisdiction)).first()
        group.initial = campaigning.pk if campaigning else None

    def official(self) -> OfficialIn:
        """The new official for the action, as the API takes it.

        Raises:
            ActionError: a value the API would refuse too.
        """
        data = self.cleaned_data
        return checked(
            OfficialIn,
            **self.office(),
            role=data["role"],
            label=data["label"],
            agency=data["agency"].pk if data["agency"] else None,
            start_date=data["start_date"],
            group=data["group"].pk if data["group"] else None,
        )


class OfficialEditForm(OfficeForm):
    """An official's contacts, friendliness, and the day they left office."""

    left_office_on = forms.DateField(
        label=_("Left office on"),
        required=False,
        widget=DATE,
        help_text=_("Only if they no longer hold the office."),
    )

    def changes(self) -> OfficialPatch:
        """Every field, to replace the official's (see :meth:`OfficialForm.official`)."""
        return checked(
            OfficialPatch, **self.office(), left_office_on=self.cleaned_data["left_office_on"]
        )


class MeetingForm(forms.Form):
    """A meeting's plan: the request, the officials, the date, the people, the agenda."""

    status = forms.ChoiceField(label=_("Status"), initial=MeetingStatus.REQUESTED)
    requested_on = forms.DateField(label=_("Asked on"), widget=DATE)
    request_note = forms.CharField(
        label=_("Whom you asked, how, and what they said"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    officials = forms.ModelMultipleChoiceField(
        label=_("Officials"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(label=_("Date and time"), required=False, widget=DATETIME)
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    attendees = MembersChoice(
        label=_("Group members attending"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    spokesperson = MemberChoice(
        label=_("Spokesperson"), queryset=User.objects.none(), required=False
    )
    note_taker = MemberChoice(label=_("Note taker"), queryset=User.objects.none(), required=False)
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 16})
    )

    def __init__(
        self, *args: Any, group: Group, jurisdiction: Jurisdiction, held: bool = False, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.jurisdiction = jurisdiction
        members = members_of(group)
        for name in ("attendees", "spokesperson", "note_taker"):
            self.fields[name].queryset = members  # type: ignore[attr-defined]
        self.fields["officials"].queryset = officials_of(jurisdiction)  # type: ignore[attr-defined]
        if held:  # a held meeting's status comes from its outcome and report, not from here
            del self.fields["status"]
        else:
            statuses = [(s.value, s.label) for s in PLAN_STATUSES]
            self.fields["status"].choices = statuses  # type: ignore[attr-defined]

    def plan(self) -> PlanIn:
        """A new meeting's plan, in the place the form is for, as the API takes it.

        Raises:
            ActionError: a value the API would refuse too (a year out of range, say).
        """
        return checked(PlanIn, jurisdiction=self.jurisdiction.ocd_id, **self._values())

    def changes(self) -> PlanPatch:
        """Every field of the plan, to replace the meeting's (see :meth:`plan`)."""
        return checked(PlanPatch, **self._values())

    def _values(self) -> dict[str, Any]:
        """The plan's fields by id; a held meeting's form has no status to send."""
        data = self.cleaned_data
        values = {
            "requested_on": data["requested_on"],
            "request_note": data["request_note"],
            "officials": [person.pk for person in data["officials"]],
            "starts_at": data["starts_at"],
            "place": data["place"],
            "attendees": [user.pk for user in data["attendees"]],
            "spokesperson": data["spokesperson"].pk if data["spokesperson"] else None,
            "note_taker": data["note_taker"].pk if data["note_taker"] else None,
            "agenda": data["agenda"],
        }
        if "status" in data:
            values["status"] = data["status"]
        return values


class OutcomeForm(forms.Form):
    """What was said: each rule for each official, notes, promises, contact, next meeting.

    Answer fields are named ``in_place_<official>_<rule>``, ``support_…`` and
    ``note_…``; a posted name for an official or rule that is not offered is
    kept, so the action can say exactly what was wrong with it.
    """

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    held_at = forms.DateTimeField(label=_("When was it held?"), widget=DATETIME)
    notes = forms.CharField(
        label=_("Notes (private to the group and affiliate staff)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    point_of_contact = forms.ModelChoiceField(
        label=_("Point of contact"), queryset=Person.objects.none(), required=False
    )
    next_meeting_on = forms.DateField(label=_("Next meeting"), required=False, widget=DATE)

    def __init__(self, *args: Any, meeting: Meeting, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.meeting = meeting
        self.officials = list(meeting.officials.all())
        self.rules = dashboard.rules()
        self.fields["point_of_contact"].queryset = officials_of(meeting.jurisdiction)  # type: ignore[attr-defined]
        for person in self.officials:
            for rule in self.rules:
                self._add_answer_fields(person.pk, rule.id)
        for row in range(PROMISE_ROWS):
            self._add_promise_fields(row, members_of(meeting.group))

    def _add_answer_fields(self, person_id: int, rule_id: str) -> None:
        """The two questions and a note for one official and one rule."""
        key = f"{person_id}_{rule_id}"
        self.fields[f"in_place_{key}"] = forms.ChoiceField(
            label=_("Is it in place?"),
            required=False,
            choices=InPlace.choices,
            initial=InPlace.UNKNOWN,
            widget=forms.RadioSelect,
        )
        self.fields[f"support_{key}"] = forms.ChoiceField(
            label=_("Will you support it?"),
            required=False,
            choices=Support.choices,
            initial=Support.NOT_ASKED,
            widget=forms.RadioSelect,
        )
        self.fields[f"note_{key}"] = forms.CharField(
            label=_("What they said"),
            required=False,
            max_length=500,
            # The summary that opens the box names it (outcome.html gives it this id).
            widget=forms.TextInput(attrs={"aria-labelledby": f"note_{key}-label"}),
        )

    def _add_promise_fields(self, row: int, members: QuerySet[User]) -> None:
        """One empty promise: what, by when, who promised, who follows it up."""
        self.fields[f"promise_text_{row}"] = forms.CharField(
            label=_("Promise or next step"), required=False, max_length=500
        )
        self.fields[f"promise_due_{row}"] = forms.DateField(
            label=_("Due on"), required=False, widget=DATE
        )
        self.fields[f"promise_person_{row}"] = forms.TypedChoiceField(
            label=_("Who promised"),
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", _("Our group (a next step)"))] + [(p.pk, p.name) for p in self.officials],
        )
        self.fields[f"promise_owner_{row}"] = MemberChoice(
            label=_("Who follows it up"), queryset=members, required=False
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for row in range(PROMISE_ROWS):
            if data.get(f"promise_text_{row}") and not data.get(f"promise_due_{row}"):
                self.add_error(f"promise_due_{row}", _("Give the promise a due date."))
        return data

    def grid(self) -> list[tuple[Person, list[tuple[Any, ...]]]]:
        """For the template: each official with, per rule, its bound answer fields."""
        return [
            (
                person,
                [
                    (rule, *(self[f"{kind}_{person.pk}_{rule.id}"] for kind in ANSWER_KINDS))
                    for rule in self.rules
                ],
            )
            for person in self.officials
        ]

    def promise_rows(self) -> list[tuple[Any, ...]]:
        """For the template: the empty promise rows' bound fields."""
        return [
            tuple(self[f"promise_{kind}_{row}"] for kind in ("text", "due", "person", "owner"))
            for row in range(PROMISE_ROWS)
        ]

    def outcome(self) -> OutcomeIn:
        """The outcome for the actions, with any unexpected answer names left in.

        Raises:
            ActionError: a value the API would refuse too (a year out of range, say).
        """
        data = self.cleaned_data
        poc = data["point_of_contact"]
        return checked(
            OutcomeIn,
            revision=data["revision"],
            held_at=data["held_at"],
            answers=self._answers(),
            promises=self._promises(),
            notes=data["notes"],
            point_of_contact=poc.pk if poc else None,
            next_meeting_on=data["next_meeting_on"],
        )

    def _answers(self) -> list[AnswerIn]:
        """One answer per official and rule, offered or not."""
        keys = {(p, r) for name in self.data for _k, p, r in _answer_key(name)}
        keys |= {(str(p.pk), rule.id) for p in self.officials for rule in self.rules}
        return [self._answer(int(person), rule) for person, rule in sorted(keys)]

    def _answer(self, person_id: int, rule_id: str) -> AnswerIn:
        """One answer from the cleaned fields, or from the raw data for names not offered."""
        key = f"{person_id}_{rule_id}"
        source = self.cleaned_data if f"in_place_{key}" in self.fields else self.data
        return checked(
            AnswerIn,
            official=person_id,
            rule=rule_id,
            in_place=str(source.get(f"in_place_{key}") or InPlace.UNKNOWN),
            support=str(source.get(f"support_{key}") or Support.NOT_ASKED),
            note=str(source.get(f"note_{key}") or ""),
        )

    def _promises(self) -> list[PromiseIn]:
        """The promise rows that were filled in."""
        data = self.cleaned_data
        promises = []
        for row in range(PROMISE_ROWS):
            if data.get(f"promise_text_{row}"):
                owner = data.get(f"promise_owner_{row}")
                promises.append(
                    checked(
                        PromiseIn,
                        text=data[f"promise_text_{row}"],
                        due_on=data[f"promise_due_{row}"],
                        official=data.get(f"promise_person_{row}"),
                        owner=owner.pk if owner else None,
                    )
                )
        return promises


ANSWER_KINDS = ("in_place", "support", "note")


def _answer_key(name: str) -> list[tuple[str, str, str]]:
    """``[(kind, official, rule)]`` for an answer field's name, ``[]`` for any other name."""
    match = ANSWER_KEY.match(name)
    return [(match[1], match[2], match[3])] if match else []


class PromiseForm(forms.Form):
    """A next step or promise added by hand: what, by when, who promised, who follows it up."""

    text = forms.CharField(label=_("Promise or next step"), max_length=500)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)
    person = forms.ModelChoiceField(
        label=_("Who promised"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Our group (a next step)"),
    )
    owner = MemberChoice(label=_("Who follows it up"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, group: Group, **kw: Any) -> None:
        super().__init__(*args, **kw)
        places = Jurisdiction.objects.filter(Q(campaign_groups=group) | Q(groups=group))
        people = Person.objects.filter(memberships__post__jurisdiction__in=places).distinct()
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
        self.fields["owner"].queryset = members_of(group)  # type: ignore[attr-defined]

    def promise(self) -> PromiseIn:
        """The promise for the actions (see :meth:`OutcomeForm.outcome` for what it raises)."""
        data = self.cleaned_data
        return checked(
            PromiseIn,
            text=data["text"],
            due_on=data["due_on"],
            official=data["person"].pk if data["person"] else None,
            owner=data["owner"].pk if data["owner"] else None,
        )


class PromiseStateForm(forms.Form):
    """A promise's new state, and perhaps a new due date."""

    state = forms.ChoiceField(label=_("State"), choices=PromiseState.choices)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)

    def changes(self) -> PromisePatch:
        """The change for the action, as the API takes it (see :meth:`OutcomeForm.outcome`)."""
        return checked(PromisePatch, **self.cleaned_data)


class ReportForm(forms.Form):
    """The group's short summary of the meeting, sent with its answers and promises."""

    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("A few sentences the group is happy to share; no private notes."),
    )

    def report(self) -> ReportIn:
        """The report for the action, as the API takes it (see :meth:`OutcomeForm.outcome`)."""
        return checked(ReportIn, **self.cleaned_data)


class ReviewReportForm(forms.Form):
    """Staff's decision on a report-back."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("return", _("Return to the group with a question"))],
        widget=forms.RadioSelect,
    )
    publish = forms.BooleanField(
        label=_("Publish the officials' answers on the public pages"), required=False
    )
    note = forms.CharField(
        label=_("Note to the group"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def acceptance(self) -> AcceptIn:
        """Accepting, as the API takes it (see :meth:`OutcomeForm.outcome`)."""
        data = self.cleaned_data
        return checked(AcceptIn, publish=data["publish"], note=data["note"])

    def question(self) -> ReturnIn:
        """Returning with a question, as the API takes it (see :meth:`OutcomeForm.outcome`)."""
        return checked(ReturnIn, note=self.cleaned_data["note"])


class StageForm(forms.Form):
    """A campaign's stage, set by hand."""

    stage = forms.ChoiceField(
        label=_("Campaign stage"), choices=[c for c in Stage.choices if c[0] != Stage.NONE]
    )

    def change(self) -> StageIn:
        """The stage for the action, as the API takes it (see :meth:`OutcomeForm.outcome`)."""
        return checked(StageIn, **self.cleaned_data)
