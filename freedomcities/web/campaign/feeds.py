"""Calendar feeds at secret addresses: a person's due dates, and a group's events.

A group's events feed lives at ``/events/feeds/group/<token>.ics``, where the
token is random and kept on the group (not its id, which anyone could count
through, reading every group's name). Organizers retire an address by making a
new one (:func:`renew_group_feed`).

Calendar apps fetch a feed without signing in, so the address itself is the
key: ``/feeds/promises/<token>.ics``, where the token is the user's id signed
with the site's secret key (``django.core.signing``), so no table is needed.
The signed value also carries a short fingerprint of the user's password hash:
changing the password retires every address given out before.

The feed holds the open promises and next steps of the groups the person
belongs to now (leaving a group drops them), each an all-day event on its due
date that links to the group's follow-up page.
"""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth.models import User
from django.core import signing
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from icalendar import Event

from freedomcities.web.calendars.ics import new_calendar, sequence, uid
from freedomcities.web.campaign import access
from freedomcities.web.campaign.actions import NotAllowed
from freedomcities.web.campaign.changes import record_change
from freedomcities.web.campaign.models import Group, Promise, PromiseState

SALT = "freedomcities.campaign.feeds.promises"
PRODID = "-//Freedom Cities//Promises and next steps//EN"


def group_feed_token(group: Group) -> str:
    """The secret part of the group's events feed address, made on first use."""
    if not group.feed_token:
        token = secrets.token_urlsafe(24)
        Group.objects.filter(pk=group.pk, feed_token="").update(feed_token=token)
        group.feed_token = Group.objects.values_list("feed_token", flat=True).get(pk=group.pk)
    return group.feed_token


def renew_group_feed(group: Group, *, by: User) -> str:
    """Retire the group's events feed address and make a new one (organizers and staff)."""
    if not access.can_organize(by, group):
        raise NotAllowed(_("Only the group's organizers and affiliate staff can do this."))
    group.feed_token = secrets.token_urlsafe(24)
    group.save(update_fields=["feed_token"])
    record_change(by, group, "group", group.pk, "feed_renewed")
    return group.feed_token


def group_for_feed(token: str) -> Group | None:
    """The group whose events feed address this is, or None for an unknown or retired one."""
    if len(token) < 16:
        return None
    return Group.objects.filter(feed_token=token).first()


def _fingerprint(user: User) -> str:
    """Eight hex digits that change whenever the user's password does."""
    return salted_hmac(SALT, user.password).hexdigest()[:8]


def feed_token(user: User) -> str:
    """The secret part of a user's feed address; the same every time until the password changes."""
    return signing.Signer(salt=SALT).sign(f"{user.pk}.{_fingerprint(user)}")


def user_for_token(token: str) -> User | None:
    """The active user a token was made for, or None for a forged, stale or unknown one."""
    try:
        value = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _dot, fingerprint = value.partition(".")
    if not pk.isdigit():
        return None
    user = User.objects.filter(pk=int(pk), is_active=True).first()
    if user is None or not constant_time_compare(fingerprint, _fingerprint(user)):
        return None
    return user


def feed_promises(user: User) -> list[Promise]:
    """Open promises of the groups the user belongs to, soonest first."""
    return list(
        Promise.objects.filter(group__in=access.groups_of(user), state=PromiseState.OPEN)
        .select_related("group", "person", "owner")
        .order_by("due_on", "pk")
    )


def promises_calendar(user: User, *, follow_ups_url: dict[int, str]) -> bytes:
    """The iCalendar file of the user's groups' due dates.

    Args:
        user: whose groups to include.
        follow_ups_url: group id -> absolute address of its follow-up page
            (the view builds these from the request).
    """
    calendar = new_calendar(_("Freedom Cities: due dates"), PRODID)
    stamp = timezone.now().astimezone(datetime.UTC)
    for promise in feed_promises(user):
        calendar.add_component(_event(promise, stamp, follow_ups_url.get(promise.group_id, "")))
    return bytes(calendar.to_ical())


def _event(promise: Promise, stamp: datetime.datetime, url: str) -> Event:
    """One promise as an all-day event on its due date."""
    event = Event()
    event.add("uid", uid("promise", promise.pk))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence(promise.created_at, promise.updated_at))
    event.add("dtstart", promise.due_on)
    event.add("dtend", promise.due_on + datetime.timedelta(days=1))
    event.add("summary", _("Due: %(text)s") % {"text": promise.text})
    event.add("description", _description(promise))
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
    return event


def _description(promise: Promise) -> str:
    """Who promised, who follows it up, and for which group."""
    lines = [_("Group: %(name)s") % {"name": promise.group.name}]
    if promise.person is not None:
        lines.append(_("Promised by: %(name)s") % {"name": promise.person.name})
    else:
        lines.append(_("One of the group's own next steps."))
    if promise.owner is not None:
        owner = promise.owner.get_full_name() or promise.owner.get_username()
        lines.append(_("Followed up by: %(name)s") % {"name": owner})
    return "\n".join(lines)
