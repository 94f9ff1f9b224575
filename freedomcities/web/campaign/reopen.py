"""Locking a reported meeting, and reopening it when the group asks and staff agree.

Once a meeting is reported to the affiliate, staff review what was sent; letting
anyone change the plan, the agenda or the answers underneath would change the
report under review. So a reported meeting is read-only, through the pages and
the API alike (every change goes through :mod:`.actions`, which asks
:func:`ensure_unlocked`). A member asks to reopen it, saying why; the staff of
the group's state grant the request, which hands the report back to the group
like a returned one, or decline it with a note. Every request is kept.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities.web.campaign import access
from freedomcities.web.campaign.changes import record_change
from freedomcities.web.campaign.inputs import ReopenIn
from freedomcities.web.campaign.models import (
    Meeting,
    MeetingStatus,
    ReopenRequest,
    Report,
    ReportState,
)
from freedomcities.web.errors import ActionError


class MeetingLocked(ActionError):
    """The meeting was reported to the affiliate, so it cannot change until staff reopen it."""


class NotStaffHere(ActionError):
    """Only the staff of the group's state decide on reopening its meetings."""


def is_locked(meeting: Meeting) -> bool:
    """Whether the meeting is reported, read from the database (a form may be stale)."""
    status = Meeting.objects.filter(pk=meeting.pk).values_list("status", flat=True).first()
    return status == MeetingStatus.REPORTED


def ensure_unlocked(meeting: Meeting) -> None:
    """Refuse any change to a meeting already reported to the affiliate."""
    if is_locked(meeting):
        raise MeetingLocked(
            _(
                "This meeting was reported to the affiliate, so it is locked. "
                "Ask the affiliate's staff to reopen it if something needs changing."
            )
        )


def waiting_request(meeting: Meeting) -> ReopenRequest | None:
    """The request to reopen the meeting that staff have not decided yet, if any."""
    return meeting.reopen_requests.filter(granted__isnull=True).first()


def request_reopen(meeting: Meeting, given: ReopenIn, *, by: User) -> ReopenRequest:
    """A member asks staff to reopen a reported meeting, saying what needs changing."""
    if not access.can_see_group(by, meeting.group):
        raise ActionError(_("Only the group's members can ask to reopen its meetings."))
    if not is_locked(meeting):
        raise ActionError(_("This meeting is not locked; you can change it directly."))
    reason = given.reason.strip()
    if not reason:
        raise ActionError(_("Say what needs changing, so staff can decide."))
    if waiting_request(meeting) is not None:
        raise ActionError(_("A request to reopen this meeting is already waiting for staff."))
    with transaction.atomic():
        asked = ReopenRequest.objects.create(meeting=meeting, reason=reason, requested_by=by)
        record_change(by, meeting.group, "meeting", meeting.pk, "reopen_requested", reason=reason)
    return asked


def decide_reopen(asked: ReopenRequest, *, by: User, grant: bool, note: str = "") -> ReopenRequest:
    """Staff of the group's state grant a request (the report goes back to the group) or not."""
    meeting = asked.meeting
    if not access.staff_for(by, meeting.group.state):
        raise NotStaffHere(_("Only the affiliate's staff reopen reported meetings."))
    note = note.strip()
    if not grant and not note:
        raise ActionError(_("Say why the meeting stays locked, so the group knows."))
    now = timezone.now()
    with transaction.atomic():
        decided = ReopenRequest.objects.filter(pk=asked.pk, granted__isnull=True).update(
            granted=grant, decided_by=by, decided_at=now, staff_note=note
        )
        if not decided:
            raise ActionError(_("Someone already decided on this request; the page shows how."))
        if grant:
            Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)
            Report.objects.filter(meeting=meeting).update(
                state=ReportState.RETURNED,
                reviewed_by=by,
                reviewed_at=now,
                staff_note=note or asked.reason,
            )
        action = "reopened" if grant else "reopen_declined"
        record_change(by, meeting.group, "meeting", meeting.pk, action, note=note)
    asked.refresh_from_db()
    meeting.refresh_from_db()
    return asked
