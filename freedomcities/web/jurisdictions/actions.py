"""What people do to places: add an agency to a jurisdiction."""

from __future__ import annotations

from django.utils.translation import gettext as _

from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction


def create_agency(jurisdiction: Jurisdiction, *, kind: str, name: str) -> Agency:
    """Add a police department, sheriff's office or jail, refusing a duplicate."""
    name = " ".join(name.split())
    if kind not in AgencyKind.values:
        raise ActionError(_("Choose a police department, sheriff's office or jail."))
    if not name:
        raise ActionError(_("Give the agency's name."))
    twin = jurisdiction.agencies.filter(kind=kind, name__iexact=name).first()
    if twin is not None:
        raise ActionError(
            _("%(name)s is already listed, as agency %(id)s.") % {"name": twin, "id": twin.pk}
        )
    return Agency.objects.create(jurisdiction=jurisdiction, kind=kind, name=name)
