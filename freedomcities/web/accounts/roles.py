"""The roles a person can have: the one list, read by the app and the command line alike.

Roles are ordered: each can do everything the ones before it can. Anyone not
signed in is ``public``. This module needs no configured Django (only its model
field types), so ``freedomcities createuser`` offers the same roles without
starting the app.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do, from least to most."""

    PUBLIC = "public", _("Public")
    VOLUNTEER = "volunteer", _("Volunteer")
    ORGANIZER = "organizer", _("Group organizer")
    STAFF = "staff", _("Affiliate staff")
    ADMIN = "admin", _("Administrator")


def sign_in_roles() -> tuple[str, ...]:
    """The roles an account can be given: all but ``public``, which is everyone signed out."""
    return tuple(role.value for role in Role if role != Role.PUBLIC)
