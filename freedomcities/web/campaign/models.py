"""What a local group lives in between research and victory.

People, posts and memberships follow Popolo and Open Civic Data: a Person
(an official or staff member) holds a Post (sheriff of Maricopa County) through
a Membership over time. An Answer is one official's reply on one rule at one
meeting; an official's Position on a rule is their latest answer, and the
earlier ones are its history.

Privacy: meeting notes, volunteers' names and contacts are for the group's
members and affiliate staff only; officials' answers become public only once
staff publish them. No model here, or anywhere, has a field for anyone's
immigration status.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from freedomcities.web.jurisdictions.models import Agency, Jurisdiction

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise


def someone(
    *, blank: bool = False, related_name: str = "+", help_text: StrOrPromise = ""
) -> models.ForeignKey[User | None, User | None]:
    """A person who did something here; the row stays, emptied, if their account is deleted.

    ``related_name="+"``: a user has no list of the rows that name them, unless asked for.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name=related_name,
        help_text=help_text,
    )


class Group(models.Model):
    """A local volunteer group campaigning in one or more jurisdictions."""

    name = models.CharField(max_length=200)
    state = models.CharField(max_length=2, help_text=_("Postal code of the affiliate's state"))
    home = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="groups",
        help_text=_("The city or county the group mostly works in"),
    )
    members: models.ManyToManyField[User, GroupMember] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="GroupMember", related_name="campaign_groups"
    )
    jurisdictions = models.ManyToManyField(
        Jurisdiction,
        related_name="campaign_groups",
        blank=True,
        help_text=_("Where the group campaigns: its campaigns, one per jurisdiction"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    feed_token = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_(
            "The secret part of the group's events calendar address; empty until first shown, "
            "made anew when an organizer retires the old address"
        ),
    )

    class Meta:
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("group", args=[self.pk])

    def campaigns(self) -> QuerySet[Jurisdiction]:
        """Where the group campaigns: its home and the places it added, by name."""
        ids = set(self.jurisdictions.values_list("pk", flat=True))
        ids |= {self.home_id} if self.home_id else set()
        return Jurisdiction.objects.filter(pk__in=ids).order_by("name")


class GroupRole(models.TextChoices):
    """A volunteer's part in their group."""

    MEMBER = "member", _("Member")
    ORGANIZER = "organizer", _("Organizer")


class GroupMember(models.Model):
    """A volunteer in a group; their contact details are private to the group and staff."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(max_length=10, choices=GroupRole.choices, default=GroupRole.MEMBER)
    phone = models.CharField(max_length=40, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    invite_to_events = models.BooleanField(
        default=False, help_text=_("Agreed to hear about events near them")
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="group_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.group}"


class Friendliness(models.TextChoices):
    """How an official stands towards the campaign, in the group's judgement."""

    ALLY = "ally", _("Ally")
    UNDECIDED = "undecided", _("Undecided")
    OPPOSED = "opposed", _("Opposed")
    HOSTILE = "hostile", _("Hostile")


class Person(models.Model):
    """An official or a member of their staff (Popolo Person), with public office contacts."""

    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, help_text=_("Office e-mail"))
    phone = models.CharField(max_length=40, blank=True, help_text=_("Office phone"))
    office_address = models.CharField(max_length=300, blank=True)
    url = models.URLField(blank=True)
    friendliness = models.CharField(
        max_length=10, choices=Friendliness.choices, default=Friendliness.UNDECIDED
    )
    added_by = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="officials_added"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("person", args=[self.pk])


class PostRole(models.TextChoices):
    """The offices the guide says to press, from the top."""

    SHERIFF = "sheriff", _("Sheriff")
    POLICE_CHIEF = "police_chief", _("Police chief")
    PRECINCT_COMMANDER = "precinct_commander", _("Precinct commander")
    MAYOR = "mayor", _("Mayor")
    COUNCIL_MEMBER = "council_member", _("Council member")
    CITY_MANAGER = "city_manager", _("City manager")
    COUNTY_EXECUTIVE = "county_executive", _("County executive")
    SUPERVISOR = "supervisor", _("County supervisor")
    COMMUNITY_LIAISON = "community_liaison", _("Community liaison")
    STAFF = "staff", _("Staff member")


class Post(models.Model):
    """An office in a jurisdiction (Popolo Post), e.g. council member for district 7."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="posts")
    role = models.CharField(max_length=20, choices=PostRole.choices)
    label = models.CharField(max_length=200, help_text=_("e.g. Council member, district 7"))
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )

    class Meta:
        ordering = ["jurisdiction", "role", "label"]

    def __str__(self) -> str:
        return f"{self.label}, {self.jurisdiction}"


class Membership(models.Model):
    """A person holding a post over a span of time (Popolo Membership)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="memberships")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.person} as {self.post}"


class MeetingStatus(models.TextChoices):
    """A meeting's life, from the first request to the report-back."""

    REQUESTED = "requested", _("Requested")
    NO_ANSWER = "no_answer", _("No answer to the request")
    REFUSED = "refused", _("Refused")
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    REPORTED = "reported", _("Reported to the affiliate")


class Meeting(models.Model):
    """A meeting with officials: asked for, scheduled, held, reported."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="meetings"
    )
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.REQUESTED
    )
    requested_on = models.DateField()
    request_note = models.TextField(
        blank=True, help_text=_("Whom you asked, how, and what they said")
    )
    officials = models.ManyToManyField(Person, related_name="meetings", blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="meetings_attended", blank=True
    )
    spokesperson = someone(blank=True)
    note_taker = someone(blank=True)
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True, help_text=_("Private to the group and affiliate staff"))
    point_of_contact = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_meeting_on = models.DateField(null=True, blank=True)
    created_by = someone()
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(
        default=0, help_text=_("Bumped on each saved outcome, so a stale form is refused")
    )

    class Meta:
        ordering = ["-requested_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.group} with {self.jurisdiction} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("meeting", args=[self.pk])

    @property
    def local_start(self) -> datetime.datetime | None:
        """The start on the clock of the jurisdiction's state, as the people meeting read it."""
        if self.starts_at is None:
            return None
        from freedomcities.web.jurisdictions.times import jurisdiction_zone

        return self.starts_at.astimezone(jurisdiction_zone(self.jurisdiction))


class InPlace(models.TextChoices):
    """An official's answer to "is this rule in place?"."""

    WRITTEN = "written", _("Yes, in writing")
    PRACTICE = "practice", _("In practice only")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Don't know")


class Support(models.TextChoices):
    """An official's answer to "will you support this rule?"."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    EVASIVE = "evasive", _("Evasive")
    NOT_ASKED = "not_asked", _("Not asked")


class Answer(models.Model):
    """One official's reply on one rule at one meeting; their position is the latest one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="answers")
    rule_id = models.CharField(max_length=10)
    in_place = models.CharField(max_length=10, choices=InPlace.choices, default=InPlace.UNKNOWN)
    support = models.CharField(max_length=10, choices=Support.choices, default=Support.NOT_ASKED)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = someone()
    recorded_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Set when staff publish the official's position")
    )

    class Meta:
        ordering = ["person", "rule_id", "meeting__starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person", "rule_id"], name="answer_unique")
        ]


class PromiseState(models.TextChoices):
    """Where a promise or next step stands."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    BROKEN = "broken", _("Broken")
    DROPPED = "dropped", _("Dropped")


class Promise(models.Model):
    """A commitment an official made, or a next step the group took on, with a due date."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="promises")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="promises"
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promises",
        help_text=_("The official who promised; empty for the group's own next steps"),
    )
    text = models.CharField(max_length=500)
    owner = someone(
        blank=True,
        related_name="promises_owned",
        help_text=_("The group member who follows it up"),
    )
    due_on = models.DateField()
    state = models.CharField(max_length=10, choices=PromiseState.choices, default=PromiseState.OPEN)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the calendar feed's SEQUENCE grows with it

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text


class ReportState(models.TextChoices):
    """A report-back's place in the affiliate's queue."""

    SUBMITTED = "submitted", _("Waiting for review")
    ACCEPTED = "accepted", _("Reviewed")
    RETURNED = "returned", _("Returned with questions")


class Report(models.Model):
    """The report-back of a meeting to the state affiliate."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="report")
    summary = models.TextField(help_text=_("A short summary the group can share"))
    state = models.CharField(
        max_length=10, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    submitted_by = someone()
    submitted_at = models.DateTimeField()
    reviewed_by = someone(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    staff_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at"]


class Decided(models.Model):
    """A request someone decides on: who decided it, and when (empty while it waits).

    Abstract: each request keeps these columns in its own table.
    """

    decided_by = someone(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class ReopenRequest(Decided):
    """A group's request to change a meeting already reported to the affiliate.

    A reported meeting and its answers are locked, so the report under review is the
    report that was sent; the group asks, with a reason, and the state's staff grant
    (the report goes back to the group) or decline. Every request is kept.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reopen_requests")
    reason = models.TextField(help_text=_("What the group needs to change, and why"))
    requested_by = someone()
    requested_at = models.DateTimeField(auto_now_add=True)
    granted = models.BooleanField(
        null=True, help_text=_("Empty while waiting; yes or no once staff decide")
    )
    staff_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]


class Change(models.Model):
    """Who changed what, when: every edit of a position, promise or report is recorded."""

    user = someone()
    at = models.DateTimeField(auto_now_add=True)
    group = models.ForeignKey(Group, null=True, on_delete=models.CASCADE, related_name="changes")
    subject = models.CharField(max_length=40, help_text=_("e.g. answer, report, promise"))
    subject_id = models.PositiveBigIntegerField()
    action = models.CharField(max_length=40)
    details = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["subject", "subject_id"])]


def answer_history(answers: QuerySet[Answer]) -> dict[tuple[int, str], list[Answer]]:
    """Each (official, rule)'s answers, oldest meeting first: the last one is their position."""
    ordered = answers.select_related("meeting", "person").order_by(
        models.F("meeting__starts_at").asc(nulls_first=True), "meeting_id", "pk"
    )
    history: dict[tuple[int, str], list[Answer]] = {}
    for answer in ordered:
        history.setdefault((answer.person_id, answer.rule_id), []).append(answer)
    return history


class Invitation(models.Model):
    """A link an organizer gives a new volunteer: it lets one person join, once, for a week.

    Only a hash of the link's key is kept, so the table cannot be used to join a group.
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    email = models.EmailField(blank=True, help_text=_("Whom it was e-mailed to, if anyone"))
    created_by = someone()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = someone(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.group}"


class JoinState(models.TextChoices):
    """Where a request to join a group stands."""

    PENDING = "pending", _("Waiting for an organizer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


class JoinRequest(Decided):
    """Someone asking to join a group; their account opens when an organizer approves."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests"
    )
    message = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=JoinState.choices, default=JoinState.PENDING)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user} asks to join {self.group}"
