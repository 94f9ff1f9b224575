"""The API's places: jurisdictions and their agencies, mounted by :mod:`freedomcities.web.api`.

Reads are open to everyone; adding an agency needs a volunteer's token. An agency's latest
published scorecard (``GET /api/agencies/{id}``) comes from :mod:`freedomcities.web.scorecards.api`,
which builds on the shapes here: places know nothing of scorecards.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, P, PathEx, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status as Reply

from freedomcities.web.accounts.apiauth import require
from freedomcities.web.accounts.models import Role
from freedomcities.web.apitypes import (
    LIST_ERRORS,
    MAX_ID,
    Input,
    Name,
    OcdId,
    Page,
    PageQuery,
    StateCode,
    Words,
    page,
    read,
    write,
)
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.actions import create_agency
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction, Kind, Stage

router = Router()

AgencyId = PathEx[int, P(ge=1, le=MAX_ID, description="The agency's id.")]
PlaceId = PathEx[OcdId, P(description="Open Civic Data division id, its / and : as they are.")]


class JurisdictionQuery(PageQuery):
    """Filters for the list of jurisdictions."""

    state: StateCode | None = Field(None, description="Postal code of the state, e.g. AZ.")
    kind: Kind | None = Field(None, description="Only states, counties or places.")
    q: Words | None = Field(
        None, description="Words the name contains, e.g. 'mesa' (case does not matter)."
    )


class AgencyQuery(PageQuery):
    """Filters for the list of agencies."""

    state: StateCode | None = Field(None, description="Postal code of the state, e.g. AZ.")
    jurisdiction: OcdId | None = Field(
        None, description="The Open Civic Data id of the agency's jurisdiction."
    )


class AgencyIn(Input):
    """A new agency."""

    jurisdiction: OcdId = Field(
        description="The Open Civic Data id of its jurisdiction, "
        "e.g. ocd-division/country:us/state:az/place:mesa."
    )
    kind: AgencyKind = Field(description="Police department, sheriff's office or jail.")
    name: Name = Field(description="Its name, e.g. 'Mesa Police Department'.")


class JurisdictionOut(Schema):
    """A state, county or place."""

    ocd_id: str = Field(description="Open Civic Data division id, the jurisdiction's key.")
    kind: Kind = Field(description="State, county or place.")
    name: str = Field(description="Its name, e.g. 'Maricopa County'.")
    state: str = Field(description="Postal code, e.g. AZ.")
    fips: str = Field(description="Census FIPS code; empty when unknown.")
    parent: str | None = Field(description="The ocd_id of the jurisdiction it lies in.")
    latitude: float | None = Field(description="Of its centre, in degrees; null when unknown.")
    longitude: float | None = Field(description="Of its centre, in degrees; null when unknown.")
    population: int | None = Field(description="People living there; null when unknown.")
    stage: Stage = Field(description="Where its campaign stands; empty for none yet.")

    @staticmethod
    def resolve_parent(obj: Jurisdiction) -> str | None:
        return obj.parent.ocd_id if obj.parent else None


class AgencyOut(Schema):
    """A police department, sheriff's office or jail."""

    id: int = Field(description="The agency's id.")
    name: str = Field(description="Its name, e.g. 'Mesa Police Department'.")
    kind: AgencyKind = Field(description="Police department, sheriff's office or jail.")
    jurisdiction: str = Field(description="The ocd_id of its jurisdiction.")
    jurisdiction_name: str = Field(description="Its jurisdiction's name, e.g. 'Mesa, AZ'.")
    state: str = Field(description="Postal code, e.g. AZ.")
    is_sample: bool = Field(description="Demo data: not a real agency's policy.")

    @staticmethod
    def resolve_jurisdiction(obj: Agency) -> str:
        return obj.jurisdiction.ocd_id

    @staticmethod
    def resolve_jurisdiction_name(obj: Agency) -> str:
        return str(obj.jurisdiction)

    @staticmethod
    def resolve_state(obj: Agency) -> str:
        return obj.jurisdiction.state


class JurisdictionDetail(JurisdictionOut):
    """A jurisdiction with its agencies."""

    agencies: list[AgencyOut] = Field(description="Its police, sheriff and jail agencies.")

    @staticmethod
    def resolve_agencies(obj: Jurisdiction) -> list[Agency]:
        return list(obj.agencies.select_related("jurisdiction"))


def agency_or_404(agency_id: int) -> Agency:
    """The agency with this id, or a 404."""
    agency = Agency.objects.select_related("jurisdiction").filter(pk=agency_id).first()
    if agency is None:
        raise HttpError(404, _("No agency has the id %(id)s.") % {"id": agency_id})
    return agency


@read(router, "/jurisdictions", Page[JurisdictionOut], "jurisdictions", LIST_ERRORS)
def list_jurisdictions(request: HttpRequest, query: Query[JurisdictionQuery]) -> dict[str, Any]:
    """States, counties and places, filtered by state, kind and name."""
    jurisdictions = Jurisdiction.objects.select_related("parent")
    if query.state:
        jurisdictions = jurisdictions.filter(state=query.state)
    if query.kind:
        jurisdictions = jurisdictions.filter(kind=query.kind)
    if query.q and query.q.strip():
        jurisdictions = jurisdictions.filter(name__icontains=query.q.strip())
    return page(jurisdictions, query)


@read(router, "/jurisdictions/{path:ocd_id}", JurisdictionDetail, "jurisdictions")
def get_jurisdiction(
    request: HttpRequest,
    ocd_id: PlaceId,
) -> Jurisdiction:
    """One jurisdiction, by its Open Civic Data id, with its agencies."""
    jurisdiction = Jurisdiction.objects.select_related("parent").filter(ocd_id=ocd_id).first()
    if jurisdiction is None:
        raise HttpError(404, _("No jurisdiction has the id %(id)s.") % {"id": ocd_id})
    return jurisdiction


@read(router, "/agencies", Page[AgencyOut], "agencies", LIST_ERRORS)
def list_agencies(request: HttpRequest, query: Query[AgencyQuery]) -> dict[str, Any]:
    """Police departments, sheriff's offices and jails, filtered by state or jurisdiction."""
    agencies = Agency.objects.select_related("jurisdiction")
    if query.state:
        agencies = agencies.filter(jurisdiction__state=query.state)
    if query.jurisdiction:
        agencies = agencies.filter(jurisdiction__ocd_id=query.jurisdiction)
    return page(agencies, query)


@write(router, "/agencies", {201: AgencyOut}, "agencies")
def add_agency(request: HttpRequest, body: AgencyIn) -> Reply[Agency]:
    """Add an agency to a jurisdiction (volunteer or above)."""
    require(request, Role.VOLUNTEER)
    jurisdiction = Jurisdiction.objects.filter(ocd_id=body.jurisdiction).first()
    if jurisdiction is None:
        raise HttpError(400, _("No jurisdiction has the id %(id)s.") % {"id": body.jurisdiction})
    try:
        agency = create_agency(jurisdiction, kind=body.kind, name=body.name)
    except ActionError as exc:
        raise HttpError(400, str(exc)) from exc
    return Reply(201, agency)
