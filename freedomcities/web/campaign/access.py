"""Who may see and do what in a campaign: the one place the privacy rules live.

Meeting notes, volunteers' names and contacts, promises and reports belong to the
group: its members and the affiliate's staff (and admins) see them, nobody else.
Someone who may not see a private thing gets a 404, never a 403, so that its very
existence stays private. Officials' answers are public only once staff publish them.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from freedomcities.web.accounts.models import Role, has_role
from freedomcities.web.campaign.models import (
    Answer,
    Group,
    GroupMember,
    GroupRole,
    Meeting,
    Person,
    Promise,
    Report,
)

AnyUser = AbstractBaseUser | AnonymousUser | None


def is_staff(user: AnyUser) -> bool:
    """Affiliate staff and admins see every group's campaign."""
    return has_role(user, Role.STAFF)


def groups_of(user: AnyUser) -> QuerySet[Group]:
    """The groups the user belongs to (as member or organizer); none when signed out."""
    if user is None or not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(memberships__user_id=user.pk).distinct()


def organized_groups(user: AnyUser) -> QuerySet[Group]:
    """The groups the user may run: those they organize; every group for staff."""
    if is_staff(user):
        return Group.objects.all()
    if user is None or not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(
        memberships__user_id=user.pk, memberships__role=GroupRole.ORGANIZER
    ).distinct()


def visible_groups(user: AnyUser) -> QuerySet[Group]:
    """Every group for staff; a volunteer's own groups otherwise."""
    return Group.objects.all() if is_staff(user) else groups_of(user)


def is_member(user: AnyUser, group: Group) -> bool:
    """Whether the user belongs to the group, whatever their part in it."""
    if user is None or not user.is_authenticated:
        return False
    return GroupMember.objects.filter(group=group, user_id=user.pk).exists()


def can_see_group(user: AnyUser, group: Group) -> bool:
    """Members of the group, staff and admins: who may read its private pages."""
    return is_staff(user) or is_member(user, group)


def can_organize(user: AnyUser, group: Group) -> bool:
    """The group's organizers, staff and admins: who may change the group and its campaign."""
    if is_staff(user):
        return True
    if user is None or not user.is_authenticated:
        return False
    return GroupMember.objects.filter(
        group=group, user_id=user.pk, role=GroupRole.ORGANIZER
    ).exists()


def visible_meetings(user: AnyUser) -> QuerySet[Meeting]:
    """Meetings whose notes the user may read: their groups' ones, all of them for staff."""
    if is_staff(user):
        return Meeting.objects.all()
    return Meeting.objects.filter(group__in=groups_of(user))


def visible_promises(user: AnyUser) -> QuerySet[Promise]:
    """Promises and next steps the user may read: their groups' ones, all for staff."""
    if is_staff(user):
        return Promise.objects.all()
    return Promise.objects.filter(group__in=groups_of(user))


def visible_reports(user: AnyUser) -> QuerySet[Report]:
    """Report-backs the user may read: their groups' ones, all for staff."""
    if is_staff(user):
        return Report.objects.all()
    return Report.objects.filter(meeting__group__in=groups_of(user))


def visible_answers(user: AnyUser) -> QuerySet[Answer]:
    """Officials' answers the user may read: published ones, plus their groups' (all for staff)."""
    if is_staff(user):
        return Answer.objects.all()
    published = Q(published_at__isnull=False)
    if user is None or not user.is_authenticated:
        return Answer.objects.filter(published)
    return Answer.objects.filter(published | Q(meeting__group__in=groups_of(user)))


def can_see_friendliness(user: AnyUser, person: Person) -> bool:
    """How friendly an official is, is the judgement of the group that added them."""
    if is_staff(user):
        return True
    return person.added_by is not None and is_member(user, person.added_by)


def can_edit_person(user: AnyUser, person: Person) -> bool:
    """Organizers of the group that added an official, and staff, may edit them."""
    if is_staff(user):
        return True
    return person.added_by is not None and can_organize(user, person.added_by)


def group_or_404(request: HttpRequest, pk: int) -> Group:
    """The group, if the user may see it; a 404 otherwise, so private groups stay unseen."""
    group = get_object_or_404(Group, pk=pk)
    if not can_see_group(request.user, group):
        raise Http404(_("No such group."))
    return group


def meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    """The meeting, if the user may see its group; a 404 otherwise."""
    meeting = get_object_or_404(Meeting.objects.select_related("group", "jurisdiction"), pk=pk)
    if not can_see_group(request.user, meeting.group):
        raise Http404(_("No such meeting."))
    return meeting


def promise_or_404(request: HttpRequest, pk: int) -> Promise:
    """The promise, if the user may see its group; a 404 otherwise."""
    promise = get_object_or_404(Promise.objects.select_related("group"), pk=pk)
    if not can_see_group(request.user, promise.group):
        raise Http404(_("No such promise."))
    return promise


def report_or_404(request: HttpRequest, pk: int) -> Report:
    """The report-back, if the user may see its group; a 404 otherwise."""
    report = get_object_or_404(Report.objects.select_related("meeting__group"), pk=pk)
    if not can_see_group(request.user, report.meeting.group):
        raise Http404(_("No such report."))
    return report
