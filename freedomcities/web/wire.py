"""How values arrive over the JSON API: request bodies and calendar days, checked strictly.

The OpenAPI schema is a promise to every client (and to schemathesis, which holds the API to
it): a body is a JSON object with only the fields documented, and a day is written
``YYYY-MM-DD``. Left to pydantic's lax mode, ``"hello"`` or ``[null, null]`` as a body read as
an object with every field left out, and ``start=0`` read as 1 January 1970.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

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
