"""How a new volunteer gets in: an organizer's invitation link, or a request an organizer approves.

Accounts used to exist only through the command line or the admin. Now:

- an organizer (or staff) makes an **invitation** for their group: a link that lets one
  person sign up (or, signed in already, join) within :data:`INVITATION_DAYS`, once;
- anyone may **ask to join** a group: their account is made but stays closed (Django's
  ``is_active``) until an organizer of that group, or staff, approves the request.

Passwords follow Django's validators (``AUTH_PASSWORD_VALIDATORS``); the public form is
rate-limited like the RSVP form. Nothing asks for or keeps anyone's immigration status.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import smtplib

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from freedomcities.web.accounts.models import Profile, Role
from freedomcities.web.campaign import access
from freedomcities.web.campaign.changes import record_change
from freedomcities.web.campaign.models import (
    Group,
    GroupMember,
    GroupRole,
    Invitation,
    JoinRequest,
    JoinState,
)
from freedomcities.web.errors import ActionError

INVITATION_DAYS = 7


def _digest(key: str) -> str:
    """An invitation key's SHA-256: keys are random, so no salt is needed."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def invite(group: Group, *, by: User, email: str = "") -> tuple[Invitation, str]:
    """A new single-use invitation to the group; returns it and its key (shown only once)."""
    if not access.can_organize(by, group):
        raise ActionError(_("Only the group's organizers and affiliate staff can invite people."))
    key = secrets.token_urlsafe(24)
    now = timezone.now()
    invitation = Invitation.objects.create(
        group=group,
        digest=_digest(key),
        email=email.strip().lower(),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
    )
    record_change(by, group, "invitation", invitation.pk, "created")
    return invitation, key


def send_invitation(invitation: Invitation, link: str) -> None:
    """E-mail an invitation's link to the address it was made for.

    Raises:
        ActionError: the mail server refused it; the organizer can still copy the link.
    """
    context = {"group": invitation.group, "link": link, "by": invitation.created_by}
    subject = " ".join(render_to_string("campaign/email/invitation_subject.txt", context).split())
    body = render_to_string("campaign/email/invitation_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    except (smtplib.SMTPException, OSError) as exc:
        raise ActionError(
            _("The e-mail could not be sent (%(why)s). Copy the link below and send it yourself.")
            % {"why": exc}
        ) from exc


def open_invitation(key: str) -> Invitation:
    """The invitation a link's key opens, or why it no longer does."""
    invitation = (
        Invitation.objects.select_related("group").filter(digest=_digest(key or "")).first()
    )
    if invitation is None:
        raise ActionError(
            _("This invitation link is not one we know. Ask the organizer for a new one.")
        )
    if invitation.used_at is not None:
        raise ActionError(
            _(
                "This invitation link was used already. Each link lets one person in; "
                "ask for another."
            )
        )
    if invitation.expires_at < timezone.now():
        raise ActionError(
            _(
                "This invitation link has expired (links last a week). "
                "Ask the organizer for a new one."
            )
        )
    return invitation


@transaction.atomic
def accept(key: str, user: User) -> GroupMember:
    """Use an invitation: the person joins its group as a member; the link is spent.

    The link is marked used by a conditional UPDATE, so two people opening it at once
    cannot both get in.
    """
    invitation = open_invitation(key)
    spent = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=timezone.now(), used_by=user
    )
    if not spent:
        raise ActionError(_("This invitation link was used already. Ask for another."))
    return _join(invitation.group, user, by=invitation.created_by)


def _join(group: Group, user: User, *, by: User | None) -> GroupMember:
    """Make the user a volunteer and a member of the group (kept as they are if already in)."""
    Profile.objects.get_or_create(user=user, defaults={"role": Role.VOLUNTEER})
    member, created = GroupMember.objects.get_or_create(
        group=group, user=user, defaults={"role": GroupRole.MEMBER}
    )
    if created:
        record_change(by, group, "member", member.pk, "joined")
    return member


@transaction.atomic
def ask_to_join(group: Group, user: User, message: str = "") -> JoinRequest:
    """Record a request to join; the account stays closed until an organizer approves."""
    if GroupMember.objects.filter(group=group, user=user).exists():
        raise ActionError(_("You are in this group already."))
    if JoinRequest.objects.filter(group=group, user=user, state=JoinState.PENDING).exists():
        raise ActionError(_("You asked to join this group already; an organizer will answer."))
    return JoinRequest.objects.create(
        group=group, user=user, message=message.strip()[:2000], created_at=timezone.now()
    )


@transaction.atomic
def decide(request: JoinRequest, *, approve: bool, by: User) -> JoinRequest:
    """An organizer's answer: approving opens the account and adds the person to the group."""
    if not access.can_organize(by, request.group):
        raise ActionError(_("Only the group's organizers and affiliate staff can answer requests."))
    if request.state != JoinState.PENDING:
        raise ActionError(_("This request was answered already."))
    request.state = JoinState.APPROVED if approve else JoinState.DECLINED
    request.decided_by, request.decided_at = by, timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    if approve:
        if not request.user.is_active:
            request.user.is_active = True
            request.user.save(update_fields=["is_active"])
        _join(request.group, request.user, by=by)
    return request


def pending_requests(group: Group) -> list[JoinRequest]:
    """The group's requests waiting for an answer, oldest first."""
    return list(group.join_requests.filter(state=JoinState.PENDING).select_related("user"))
