"""Roles and API tokens.

Roles (:mod:`.roles`) are ordered: each can do everything the ones before it
can. Anyone not signed in is ``public`` and reads only published scorecards.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from freedomcities.web.accounts.roles import (
    Role as Role,  # re-exported: the app imports it from here
)

ROLE_ORDER = [role.value for role in Role]


def parse_states(text: str) -> list[str]:
    """Postal codes from text such as "az, NM": upper case, each once, in the order given.

    Raises:
        ValidationError: a part is not two letters.
    """
    codes: list[str] = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        code = part.strip().upper()
        if not code:
            continue
        if len(code) != 2 or not code.isalpha():
            raise ValidationError(
                _("%(code)s is not a state's postal code; write two letters, such as AZ.")
                % {"code": part.strip()}
            )
        if code not in codes:
            codes.append(code)
    return codes


def _validate_states(text: str) -> None:
    """Refuse a states field that is not a list of postal codes."""
    parse_states(text)


class Profile(models.Model):
    """A signed-in person's role and, for affiliate staff, the states they work for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VOLUNTEER)
    states = models.CharField(
        max_length=200,
        blank=True,
        validators=[_validate_states],
        help_text=_(
            "Affiliate staff: postal codes of the states they work for, comma-separated "
            "(e.g. AZ, NM). Staff see only these states' groups; administrators see all."
        ),
    )
    language = models.CharField(
        max_length=10,
        blank=True,
        help_text=_("The language chosen in the menu; empty: the browser's"),
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep the states in one spelling ("AZ,NM"), so queries can split them plainly."""
        self.states = ",".join(parse_states(self.states))
        super().save(*args, **kwargs)


_ROLE_MEMO = "_freedomcities_role"
_STATES_MEMO = "_freedomcities_states"
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
    """Read a person's role, chosen language and staff states once, onto the user object."""
    profile = Profile.objects.filter(user_id=user.pk).only("role", "language", "states").first()
    if getattr(user, _ROLE_MEMO, None) is None:
        setattr(user, _ROLE_MEMO, profile.role if profile else Role.VOLUNTEER.value)
    setattr(user, LANGUAGE_MEMO, profile.language if profile else "")
    setattr(user, _STATES_MEMO, frozenset(parse_states(profile.states)) if profile else frozenset())


def has_role(user: AbstractBaseUser | AnonymousUser | None, role: str) -> bool:
    """Whether the user's role is ``role`` or above it."""
    return ROLE_ORDER.index(role_of(user)) >= ROLE_ORDER.index(role)


def staff_states(user: AbstractBaseUser | AnonymousUser | None) -> frozenset[str] | None:
    """The states whose private campaign data the user reads as staff; None means all of them.

    Administrators (and superusers) see every state. Affiliate staff see the states
    on their profile, and none while none is set, so a new staff account shows
    nothing private until someone says which affiliate it works for. Everyone
    else is not staff anywhere (an empty set). Kept on the user for the request,
    like the role.
    """
    role = role_of(user)
    if role == Role.ADMIN:
        return None
    if role != Role.STAFF:
        return frozenset()
    assert isinstance(user, AbstractBaseUser)  # a staff role means a signed-in user
    if getattr(user, _STATES_MEMO, None) is None:
        _remember_profile(user)
    known: frozenset[str] = getattr(user, _STATES_MEMO)
    return known


def is_staff_for(user: AbstractBaseUser | AnonymousUser | None, state: str) -> bool:
    """Whether the user works as staff (or admin) for the state with this postal code.

    False for everyone below staff, so this alone decides who may review a state's work.
    """
    states = staff_states(user)
    return states is None or state.upper() in states


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
