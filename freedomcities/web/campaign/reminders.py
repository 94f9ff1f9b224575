"""Reminder e-mails about promises and next steps that are due soon or overdue.

Each morning the worker e-mails every owner of an open promise due within two
days (or already overdue) one message listing them, at most once a day: a
promise remembers the day it was last reminded. ``freedomcities remind`` does
the same from the command line (for cron, or to test the e-mail settings).

E-mails go through Django's ``send_mail``; with no ``FREEDOMCITIES_EMAIL_URL``
they are printed to the console. An owner who has left the group gets nothing:
a promise's details are private to the group.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from freedomcities.web.campaign import access
from freedomcities.web.campaign.models import Promise, PromiseState
from freedomcities.web.languages import in_language, language_of

log = logging.getLogger(__name__)

REMIND_DAYS_AHEAD = 2
"""Promises due within this many days are reminded, as well as overdue ones."""

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """The address people open the app at, for links in e-mails (``SITE_URL`` when set)."""
    return str(getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")


def due_for_reminder(today: datetime.date) -> QuerySet[Promise]:
    """Open promises due within two days or overdue, with an owner to e-mail, not reminded today."""
    not_today = Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
    return (
        Promise.objects.filter(
            not_today,
            state=PromiseState.OPEN,
            due_on__lte=today + datetime.timedelta(days=REMIND_DAYS_AHEAD),
            owner__isnull=False,
        )
        .exclude(owner__email="")
        .select_related("owner", "group", "person")
        .order_by("due_on", "pk")
    )


def send_reminders(today: datetime.date | None = None) -> int:
    """E-mail each owner their promises due soon or overdue; returns how many e-mails went out.

    A promise is marked reminded only once its e-mail was sent, so a failed
    send is tried again on the next run.
    """
    today = today or timezone.localdate()
    by_owner: dict[User, list[Promise]] = defaultdict(list)
    for promise in due_for_reminder(today):
        assert promise.owner is not None
        if access.can_see_group(promise.owner, promise.group):
            by_owner[promise.owner].append(promise)
    sent = 0
    for owner, promises in by_owner.items():
        if _send(owner, promises, today):
            Promise.objects.filter(pk__in=[p.pk for p in promises]).update(reminded_on=today)
            sent += 1
    return sent


def _send(owner: User, promises: list[Promise], today: datetime.date) -> bool:
    """Send one owner's reminder; a mail server failure is logged and retried tomorrow."""
    context = {
        "owner": owner,
        "items": [_item(p, today) for p in promises],
        "today": today,
    }
    with in_language(language_of(owner)):  # no page is open: the owner's saved language
        subject = " ".join(render_to_string("campaign/email/reminder_subject.txt", context).split())
        body = render_to_string("campaign/email/reminder_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [owner.email])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("Could not send a reminder to user %s: %s", owner.pk, exc)
        return False
    return True


def _item(promise: Promise, today: datetime.date) -> dict[str, object]:
    """What the e-mail says about one promise."""
    return {
        "promise": promise,
        "overdue_days": max(0, (today - promise.due_on).days),
        "due_in_days": max(0, (promise.due_on - today).days),
        "url": site_url() + reverse("follow_ups", args=[promise.group_id]),
    }


_AT_EIGHT = crontab(hour=8, minute=0)


def at_eight_local(timestamp: datetime.datetime) -> bool:
    """Whether it is 8:00 in the site's time zone (``TIME_ZONE``).

    Huey's clock is naive UTC (with its default ``utc=True``), so a plain
    crontab of hour 8 would e-mail Arizona at one in the morning.
    """
    if settings.HUEY.utc:
        timestamp = timezone.localtime(timestamp.replace(tzinfo=datetime.UTC))
    return bool(_AT_EIGHT(timestamp))


@db_periodic_task(at_eight_local)  # type: ignore[untyped-decorator]
def remind_daily() -> int:
    """Every morning at eight: the day's reminder e-mails."""
    return send_reminders()
