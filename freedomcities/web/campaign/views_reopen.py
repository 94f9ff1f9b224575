"""Asking to reopen a reported meeting, and staff deciding: two small forms on the meeting page.

Views are thin: the meeting is found as on its own page (a 404 for anyone who may
not see its group), the action in :mod:`.reopen` decides, and a refusal comes
back as a message on the meeting page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from freedomcities.web.accounts.decorators import role_required
from freedomcities.web.accounts.models import Role
from freedomcities.web.campaign import access, reopen
from freedomcities.web.campaign.inputs import ReopenIn, checked
from freedomcities.web.campaign.models import ReopenRequest
from freedomcities.web.errors import ActionError


def _user(request: HttpRequest) -> User:
    """The signed-in user of a view guarded by ``role_required``."""
    assert isinstance(request.user, User), "role_required lets only signed-in users through"
    return request.user


@require_POST
@role_required(Role.VOLUNTEER)
def meeting_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """A member asks the affiliate to reopen a reported meeting, saying why."""
    meeting = access.meeting_or_404(request, pk)
    try:
        asked = checked(ReopenIn, reason=request.POST.get("reason", ""))
        reopen.request_reopen(meeting, asked, by=_user(request))
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your request to reopen the meeting was sent to staff."))
    return redirect(meeting)


@require_POST
@role_required(Role.STAFF)
def reopen_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff of the group's state grant or decline a request to reopen (404 for others)."""
    asked = get_object_or_404(ReopenRequest.objects.select_related("meeting__group"), pk=pk)
    meeting = access.meeting_or_404(request, asked.meeting_id)
    grant = request.POST.get("decision") == "grant"
    try:
        reopen.decide_reopen(
            asked, by=_user(request), grant=grant, note=request.POST.get("note", "")
        )
    except ActionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Reopened: the group can change the meeting and send the report again.")
            if grant
            else _("The meeting stays locked; the group sees your note."),
        )
    return redirect(meeting)
