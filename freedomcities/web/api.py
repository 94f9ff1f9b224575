"""The JSON API, with its OpenAPI schema at ``/api/openapi.json`` and docs at ``/api/docs``.

This module only mounts each app's router and says how errors are answered; the operations
live with their apps, the shared shapes in :mod:`freedomcities.web.apitypes` and the token
check in :mod:`freedomcities.web.accounts.apiauth`:

- :mod:`freedomcities.web.jurisdictions.api`: ``/api/jurisdictions``, ``/api/agencies``;
- :mod:`freedomcities.web.scorecards.api`: an agency's scorecard, ``/api/versions``, reviews;
- :mod:`freedomcities.web.events.api`: ``/api/events/``, in the shape of OSDI;
- :mod:`freedomcities.web.campaign.api`: ``/api/campaign/``, the campaign tracker.

Reads are open to everyone and show published scorecards only; a volunteer's token
(``Authorization: Bearer <key>``) also shows drafts. Writes need a token whose user has the
role each operation names. A token that is sent but not valid is always refused with 401.
An :class:`ActionError` becomes a 400 with its message.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.operation import Operation

from freedomcities.web.accounts.apiauth import InvalidToken
from freedomcities.web.apitypes import VALIDATION_ERRORS
from freedomcities.web.campaign.api import router as campaign_router
from freedomcities.web.errors import ActionError
from freedomcities.web.events import osdi
from freedomcities.web.events.api import HAL_OPERATIONS
from freedomcities.web.events.api import router as events_router
from freedomcities.web.jurisdictions.api import router as jurisdictions_router
from freedomcities.web.scorecards.api import router as scorecards_router


class FreedomCitiesAPI(NinjaAPI):
    """The API, with operation ids named after their view functions (``list_agencies``)."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """The schema, true to what the API answers: 422s and HAL documented where they occur.

        Every operation that takes parameters or a body answers 422 when they do not match
        the schema; django-ninja does that without documenting it. The OSDI operations
        answer ``application/hal+json``.
        """
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})
        schema["components"]["schemas"]["ValidationErrors"] = VALIDATION_ERRORS
        invalid = {
            "description": "The request does not match the schema.",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrors"}}
            },
        }
        unreadable = {
            "description": "The body could not be read (not JSON, or not the form's fields).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Message"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation["responses"]
                if operation.get("parameters") or operation.get("requestBody"):
                    responses.setdefault(422, invalid)
                if operation.get("requestBody"):
                    responses.setdefault(400, unreadable)
                if operation["operationId"] in HAL_OPERATIONS:
                    content = responses[200]["content"]
                    content[osdi.HAL] = content.pop("application/json")
        return schema


api = FreedomCitiesAPI(
    title="Freedom Cities API",
    version="1",
    urls_namespace="api",
    description=(
        "Jurisdictions, agencies and their immigration-enforcement policies, scored against "
        "the Freedom Cities model rules. Reads need no token and show published scorecards; "
        "send `Authorization: Bearer <key>` to see drafts (volunteer or above) and to write."
    ),
)
api.add_router("", jurisdictions_router)
api.add_router("", scorecards_router)
api.add_router("/events/", events_router)
api.add_router("/campaign/", campaign_router)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    """401 with a message saying what to send."""
    detail = (
        exc.message
        if isinstance(exc, InvalidToken)
        else _("This needs an API token: send the header 'Authorization: Bearer <key>'.")
    )
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(ActionError)
def _refused(request: HttpRequest, exc: ActionError) -> HttpResponse:
    """An action's refusal, with its message, as a 400."""
    return api.create_response(request, {"detail": str(exc)}, status=400)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for the site, JSON for addresses under /api/ that match no operation."""
    if request.path.startswith("/api/"):
        detail = _("Nothing is at this address of the API; see /api/docs for what is.")
        return api.create_response(request, {"detail": detail}, status=404)
    return page_not_found(request, exception)
