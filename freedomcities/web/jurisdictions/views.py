"""Pages about places themselves: finding a jurisdiction, and adding an agency to it.

The pages that show places with their scorecards (home, national map, state dashboard,
a jurisdiction's agencies) are :mod:`freedomcities.web.scorecards.views_dashboard`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from freedomcities.web.accounts.decorators import role_required
from freedomcities.web.accounts.models import Role
from freedomcities.web.errors import ActionError
from freedomcities.web.jurisdictions.actions import create_agency
from freedomcities.web.jurisdictions.forms import AgencyForm
from freedomcities.web.jurisdictions.models import Jurisdiction


@require_POST
@role_required(Role.VOLUNTEER)
def add_agency(request: HttpRequest, ocd_id: str) -> HttpResponse:
    """Add a police department, sheriff's office or jail to a jurisdiction."""
    jurisdiction = get_object_or_404(Jurisdiction, ocd_id=ocd_id)
    form = AgencyForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(str(message) for message in error))
        return redirect(jurisdiction)
    try:
        agency = create_agency(jurisdiction, **form.cleaned_data)
    except ActionError as exc:
        messages.error(request, str(exc))
        return redirect(jurisdiction)
    messages.success(request, _("Added %(name)s.") % {"name": agency.name})
    return redirect(agency)


def search(request: HttpRequest) -> HttpResponse:
    """Find a jurisdiction by name, optionally within a state."""
    q = request.GET.get("q", "").strip()
    state = request.GET.get("state", "").strip().upper()
    results = Jurisdiction.objects.none()
    if q:
        results = Jurisdiction.objects.filter(name__icontains=q)
        if state:
            results = results.filter(state=state)
        results = results.order_by("-population", "name")[:50]
    return render(
        request, "jurisdictions/search.html", {"q": q, "state": state, "results": results}
    )
