"""Who is asking the JSON API: the token check every router shares.

A volunteer's token (``Authorization: Bearer <key>``, see :meth:`ApiToken.issue`) names its
user. Reads are open to everyone (:data:`READ_AUTH`); a token that is sent but not valid is
always refused with 401, so a typo never passes silently as public access. Writes need
:data:`token_auth`, and each operation then checks the role it names (:func:`require`).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer

from freedomcities.web.accounts.models import ApiToken, Role, has_role


class InvalidToken(AuthenticationError):
    """A token was sent but matches no active user's key."""


def token_user(key: str) -> User:
    """The active user a key belongs to, noting its last use; else :class:`InvalidToken`."""
    found = ApiToken.find(key)
    if found is None or not found.user.is_active:
        raise InvalidToken(message=_("This API token is not valid; ask for a new one."))
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>`` with a key from :meth:`ApiToken.issue`."""

    def authenticate(self, request: HttpRequest, token: str) -> User:
        return token_user(token)


def _anyone(request: HttpRequest) -> AnonymousUser:
    """Lets a read go on without a token, as the public."""
    return AnonymousUser()


token_auth = TokenAuth()
READ_AUTH = [token_auth, _anyone]


def caller(request: HttpRequest) -> AbstractBaseUser | AnonymousUser:
    """The user the request's token belongs to, or the anonymous public."""
    user = getattr(request, "auth", None)
    return user if isinstance(user, AbstractBaseUser) else AnonymousUser()


def require(request: HttpRequest, role: Role) -> User:
    """The caller, if their role is ``role`` or above; else a 403."""
    user = caller(request)
    if not isinstance(user, User) or not has_role(user, role):
        raise HttpError(
            403,
            _("Your role does not allow this: it needs %(role)s or higher.") % {"role": role.label},
        )
    return user


def sees_drafts(request: HttpRequest) -> bool:
    """Whether the caller may see policy versions that are not published."""
    return has_role(caller(request), Role.VOLUNTEER)
