"""What every router of the JSON API shares: limits, text types, pages, errors, registration.

:mod:`freedomcities.web.api` mounts the routers; each app's ``api`` module declares its own
operations with the pieces here, so the answers look alike everywhere: a list is a
:class:`Page`, a refusal a :class:`Message`, a bad request the ``ValidationErrors`` shape
(:data:`VALIDATION_ERRORS`). This module imports no app's router, so every router may import it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view
from pydantic import (
    BeforeValidator,
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from freedomcities.web.accounts.apiauth import READ_AUTH, token_auth
from freedomcities.web.responses import shared

MAX_ID = 2**63 - 1  # the largest primary key a database column holds
MAX_REVISION = 2**31 - 1  # PositiveIntegerField's upper bound
MAX_OFFSET = 2**31 - 1
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


VALIDATION_ERRORS = {
    "title": "ValidationErrors",
    "description": "The request did not match the schema: what was wrong, and where.",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "type": "array",
            "description": "Each mistake in the request.",
            "items": {
                "type": "object",
                "required": ["type", "loc", "msg"],
                "properties": {
                    "type": {"type": "string", "description": "The kind of mistake."},
                    "loc": {
                        "type": "array",
                        "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                        "description": "Where: the part of the request, then the field.",
                    },
                    "msg": {"type": "string", "description": "What is wrong, fit to show."},
                },
            },
        }
    },
}
"""The 422 answer's shape; django-ninja sends it but does not document it."""


# How values arrive: bodies and days, checked strictly ------------------------------------
#
# The OpenAPI schema is a promise to every client (and to schemathesis, which holds the API
# to it): a body is a JSON object with only the fields documented, and a day is written
# ``YYYY-MM-DD``. Left to pydantic's lax mode, ``"hello"`` or ``[null, null]`` as a body read
# as an object with every field left out, and ``start=0`` read as 1 January 1970.

DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


class Input(Schema):
    """A request body: a JSON object whose every field is documented; anything else is a 422."""

    model_config = ConfigDict(extra="forbid")


def day_text(value: object) -> object:
    """Let only a date or text written YYYY-MM-DD through to pydantic's date parsing."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or not DAY_PATTERN.fullmatch(value):
        raise ValueError(_("Write the day as YYYY-MM-DD, for example 2030-05-01."))
    return value


def day_type(pattern: str = DAY_PATTERN.pattern) -> object:
    """The JSON schema of a day; ``pattern`` may narrow the years the server accepts."""
    return WithJsonSchema({"type": "string", "format": "date", "pattern": f"^{pattern}$"})


Day = Annotated[datetime.date, BeforeValidator(day_text), day_type()]
"""A calendar day written YYYY-MM-DD; a bare number is refused, never read as 1970."""


# Text a database can store -----------------------------------------------------------------


def _storable(value: str) -> str:
    """Refuse text no database can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError(_("Text may not contain NUL characters."))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(_("Text must be valid Unicode.")) from exc
    return value


class _StorableText:
    """Pydantic metadata: refuse what no database stores, and say so in the JSON schema."""

    PATTERN = "^[^\\x00]*$"  # no NUL character

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(_storable, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.setdefault("pattern", self.PATTERN)
        return json_schema


Storable = _StorableText()
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Storable
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), Storable]
Words = Annotated[str, StringConstraints(max_length=120), Storable]
RuleId = Annotated[str, StringConstraints(max_length=10), Storable]
Reason = Annotated[str, StringConstraints(max_length=5000), Storable]
StateCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$", to_upper=True)]
OcdId = Annotated[str, StringConstraints(max_length=200), Storable]


# Pages and errors --------------------------------------------------------------------------


class PageQuery(Schema):
    """Which slice of a long list to return."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip first.")


class Message(Schema):
    """An error: what happened, why, and what to do next."""

    detail: str = Field(description="The message, fit to show a person.")


def username(user: AbstractBaseUser | None) -> str | None:
    """Who did something, as an answer names them: a username, or null once deleted."""
    return user.get_username() if user else None


ItemT = TypeVar("ItemT")


class Page(Schema, Generic[ItemT]):
    """One slice of a long list."""

    count: int = Field(description="How many items match, over all pages.")
    limit: int = Field(description="The most items one page holds.")
    offset: int = Field(description="How many matching items come before this page.")
    items: list[ItemT] = Field(description="The items on this page.")


M = TypeVar("M", bound=Model)


def page(queryset: QuerySet[M], query: PageQuery) -> dict[str, Any]:
    """One page of a queryset, with the total count, for :class:`Page`."""
    items = list(queryset[query.offset : query.offset + query.limit])
    return {"count": queryset.count(), "limit": query.limit, "offset": query.offset, "items": items}


LIST_ERRORS: dict[int, type[Schema]] = {401: Message}
READ_ERRORS: dict[int, type[Schema]] = {401: Message, 404: Message}
WRITE_ERRORS: dict[int, type[Schema]] = {400: Message, 401: Message, 403: Message, 404: Message}


# Registering operations --------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


def read(
    router: Router, path: str, ok: Any, tag: str, errors: dict[int, Any] = READ_ERRORS
) -> Callable[[F], F]:
    """Register a read: open to all (other sites' pages too); a token, if sent, must be
    valid, and may show drafts."""
    register = router.get(
        path,
        response={200: ok, **errors},
        auth=READ_AUTH,
        openapi_extra={"security": [{}]},  # the token is optional
        tags=[tag],
    )
    return lambda view: register(decorate_view(shared)(view))


def write(router: Router, path: str, responses: dict[int, Any], tag: str) -> Callable[[F], F]:
    """Register a write: it needs a valid token; the view checks the caller's role."""
    return router.post(path, response={**responses, **WRITE_ERRORS}, auth=token_auth, tags=[tag])
