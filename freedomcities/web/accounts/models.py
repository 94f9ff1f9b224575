"""Roles and API tokens.

Roles are ordered: each can do everything the ones before it can. Anyone not
signed in is ``public`` and reads only published scorecards.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person may do, from least to most."""

    PUBLIC = "public", _("Public")
    VOLUNTEER = "volunteer", _("Volunteer")
    ORGANIZER = "organizer", _("Group organizer")
    STAFF = "staff", _("Affiliate staff")
    ADMIN = "admin", _("Administrator")


ROLE_ORDER = [role.value for role in Role]


class Profile(models.Model):
    """A signed-in person's role (and, for affiliate staff, their state)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VOLUNTEER)
    language = models.CharField(
        max_length=10,
        blank=True,
        help_text=_("The language chosen in the menu; empty: the browser's"),
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


_ROLE_MEMO = "_freedomcities_role"
LANGUAGE_MEMO = "_freedomcities_language"
"""Where a request's user keeps their saved language (see :func:`chosen_language`)."""


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The role of a user, ``public`` when signed out; superusers are admins.

    A page asks several times (menu, cards, campaign block), so the answer is kept
    on the user object, which lives for one request (a role changed in the admin
    applies from the person's next request).
    """
    if user is None or not user.is_authenticated:
        return Role.PUBLIC.value
    if getattr(user, "is_superuser", False):
        return Role.ADMIN.value
    if getattr(user, _ROLE_MEMO, None) is None:
        _remember_profile(user)
    known: str = getattr(user, _ROLE_MEMO)
    return known


def chosen_language(user: AbstractBaseUser | AnonymousUser | None) -> str:
    """The language a signed-in person chose in the menu; empty when none (or signed out).

    Read with the role in one query, and kept on the user object for the request.
    """
    if user is None or not user.is_authenticated:
        return ""
    if not hasattr(user, LANGUAGE_MEMO):
        _remember_profile(user)
    chosen: str = getattr(user, LANGUAGE_MEMO)
    return chosen


def _remember_profile(user: AbstractBaseUser) -> None:
    """Read a person's role and chosen language once, onto the user object."""
    profile = Profile.objects.filter(user_id=user.pk).only("role", "language").first()
    if getattr(user, _ROLE_MEMO, None) is None:
        setattr(user, _ROLE_MEMO, profile.role if profile else Role.VOLUNTEER.value)
    setattr(user, LANGUAGE_MEMO, profile.language if profile else "")


def has_role(user: AbstractBaseUser | AnonymousUser | None, role: str) -> bool:
    """Whether the user's role is ``role`` or above it."""
    return ROLE_ORDER.index(role_of(user)) >= ROLE_ORDER.index(role)


class ApiToken(models.Model):
    """A key for the JSON API's writes; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text=_("What the token is for"))
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: User, name: str) -> tuple[ApiToken, str]:
        """Make a token; the plain key is returned once and never stored."""
        key = "fc_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], digest=_digest(key))
        return token, key

    @classmethod
    def find(cls, key: str) -> ApiToken | None:
        """The token whose key this is, or None."""
        return cls.objects.select_related("user").filter(digest=_digest(key)).first()


def _digest(key: str) -> str:
    """A token key's SHA-256; keys are random, so no salt is needed."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
