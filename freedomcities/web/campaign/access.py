"""Who may see and do what in a campaign: the one place the privacy rules live.

Meeting notes, volunteers' names and contacts, promises and reports belong to the
group: its members, the staff of its state's affiliate and admins see them, nobody
else (staff of another state included).
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

from freedomcities.web.accounts.models import Role, has_role, is_staff_for, staff_states
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
    """Affiliate staff and admins, whatever their states: who may open the staff pages."""
    return has_role(user, Role.STAFF)


def staff_for(user: AnyUser, state: str) -> bool:
    """Whether the user is staff (or admin) for the state: who may read its groups' campaigns."""
    return is_staff_for(user, state)


def staff_groups(user: AnyUser) -> QuerySet[Group]:
    """The groups the user oversees as staff: their states' ones; all for admins; none else."""
    states = staff_states(user)
    if states is None:
        return Group.objects.all()
    return Group.objects.filter(state__in=sorted(states))


def groups_of(user: AnyUser) -> QuerySet[Group]:
    """The groups the user belongs to (as member or organizer); none when signed out."""
    if user is None or not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(memberships__user_id=user.pk).distinct()


def _mine_or_overseen(user: AnyUser, mine: Q) -> QuerySet[Group]:
    """Groups matched by ``mine`` (the user's own), plus those the user oversees as staff."""
    states = staff_states(user)
    if states is None:
        return Group.objects.all()
    if user is None or not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(mine | Q(state__in=sorted(states))).distinct()


def organized_groups(user: AnyUser) -> QuerySet[Group]:
    """The groups the user may run: those they organize, plus their states' ones for staff."""
    return _mine_or_overseen(
        user,
        Q(memberships__user_id=getattr(user, "pk", None), memberships__role=GroupRole.ORGANIZER),
    )


def visible_groups(user: AnyUser) -> QuerySet[Group]:
    """A person's own groups, plus the groups of the states they work for as staff."""
    return _mine_or_overseen(user, Q(memberships__user_id=getattr(user, "pk", None)))


def is_member(user: AnyUser, group: Group) -> bool:
    """Whether the user belongs to the group, whatever their part in it."""
    if user is None or not user.is_authenticated:
        return False
    return GroupMember.objects.filter(group=group, user_id=user.pk).exists()


def can_see_group(user: AnyUser, group: Group) -> bool:
    """Members of the group, its state's staff and admins: who may read its private pages."""
    return staff_for(user, group.state) or is_member(user, group)


def can_organize(user: AnyUser, group: Group) -> bool:
    """The group's organizers, its state's staff and admins: who may change its campaign."""
    if staff_for(user, group.state):
        return True
    if user is None or not user.is_authenticated:
        return False
    return GroupMember.objects.filter(
        group=group, user_id=user.pk, role=GroupRole.ORGANIZER
    ).exists()


def visible_meetings(user: AnyUser) -> QuerySet[Meeting]:
    """Meetings whose notes the user may read: those of the groups they may see."""
    if staff_states(user) is None:
        return Meeting.objects.all()
    return Meeting.objects.filter(group__in=visible_groups(user))


def visible_promises(user: AnyUser) -> QuerySet[Promise]:
    """Promises and next steps the user may read: those of the groups they may see."""
    if staff_states(user) is None:
        return Promise.objects.all()
    return Promise.objects.filter(group__in=visible_groups(user))


def visible_reports(user: AnyUser) -> QuerySet[Report]:
    """Report-backs the user may read: those of the groups they may see."""
    if staff_states(user) is None:
        return Report.objects.all()
    return Report.objects.filter(meeting__group__in=visible_groups(user))


def reviewable_reports(user: AnyUser) -> QuerySet[Report]:
    """Report-backs the user may review: those of the groups of their states (staff only)."""
    return Report.objects.filter(meeting__group__in=staff_groups(user))


def visible_answers(user: AnyUser) -> QuerySet[Answer]:
    """Officials' answers the user may read: published ones, plus those of groups they may see."""
    if staff_states(user) is None:
        return Answer.objects.all()
    published = Q(published_at__isnull=False)
    if user is None or not user.is_authenticated:
        return Answer.objects.filter(published)
    return Answer.objects.filter(published | Q(meeting__group__in=visible_groups(user)))


def can_see_friendliness(user: AnyUser, person: Person) -> bool:
    """How friendly an official is, is the judgement of the group that added them."""
    if person.added_by is None:
        return is_staff(user)
    return can_see_group(user, person.added_by)


def can_edit_person(user: AnyUser, person: Person) -> bool:
    """Organizers of the group that added an official, and its state's staff, may edit them."""
    if person.added_by is None:
        return is_staff(user)
    return can_organize(user, person.added_by)


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
