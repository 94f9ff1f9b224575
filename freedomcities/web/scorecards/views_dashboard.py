"""Pages that show scorecards by place: the home page, the national map, a state's dashboard
and its exports, and a jurisdiction's agencies with their scorecards.

They live with the scorecards, not the jurisdictions, because they are made of scorecards:
the jurisdictions app knows places and agencies only, and never imports this app.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from freedomcities.web.accounts.models import Role, has_role
from freedomcities.web.jurisdictions.forms import AgencyForm
from freedomcities.web.jurisdictions.models import Agency, AgencyKind, Jurisdiction, Kind, Stage
from freedomcities.web.pagecache import stamps
from freedomcities.web.pagecache.pages import public_page
from freedomcities.web.responses import attach, shared
from freedomcities.web.scorecards import dashboard, exports
from freedomcities.web.scorecards.maps import history_chart, nation_view, state_map
from freedomcities.web.scorecards.models import Status

ROWS_PER_PAGE = 100
DASHBOARD_CACHE_SECONDS = 600


def home(request: HttpRequest) -> HttpResponse:
    """The country at a glance, the home state first, and the states loaded here."""
    counts = dashboard.counts_by_state()
    states = Jurisdiction.objects.filter(kind=Kind.STATE).order_by("name")
    items = [(state, counts.get(state.state, 0)) for state in states]
    context = {"states": items, "nation": nation_view()}
    return render(request, "jurisdictions/home.html", context)


def nation(request: HttpRequest) -> HttpResponse:
    """Every state on one map, shaded by the rules its scored agencies have in writing."""
    return render(request, "jurisdictions/nation.html", {"nation": nation_view()})


def _state_or_404(postal: str) -> Jurisdiction:
    state = dashboard.state_jurisdiction(postal)
    if state is None:
        raise Http404(_("There is no state with the code %(code)s.") % {"code": postal.upper()})
    return state


@public_page()
def state_dashboard(request: HttpRequest, postal: str) -> HttpResponse:
    """A state at a glance: the map, the sortable table of agencies, the history chart.

    Visitors who are not signed in get the whole page from the cache
    (:func:`~freedomcities.web.pagecache.pages.public_page`). For everyone else
    the body, the same for all, is kept under the public data's stamp: any
    publication, review, new agency or stage change makes a new key.
    """
    state = _state_or_404(postal)
    key = (
        "dashboard:"
        + hashlib.sha256(
            "|".join(
                [
                    state.state,
                    str(stamps.current()),
                    get_language() or "",
                    request.GET.urlencode(),
                ]
            ).encode()
        ).hexdigest()
    )
    body = cache.get(key)
    if body is None:
        body = render_to_string("jurisdictions/_state_body.html", _dashboard(state, request.GET))
        cache.set(key, body, DASHBOARD_CACHE_SECONDS)
    context = {"state": state, "body": mark_safe(body)}
    return render(request, "jurisdictions/state.html", context)


def _dashboard(state: Jurisdiction, params: QueryDict) -> dict[str, object]:
    """The dashboard's map, filtered and sorted table page, and chart."""
    view = dashboard.state_view(state.state)
    all_rows = view.rows
    shading = dashboard.shading(all_rows)
    rows = dashboard.filter_rows(
        all_rows,
        rule=params.get("rule", ""),
        status=params.get("status", ""),
        kind=params.get("kind", ""),
        q=params.get("q", ""),
    )
    sort = params.get("sort", "name")
    page = Paginator(dashboard.sort_rows(rows, sort), ROWS_PER_PAGE).get_page(params.get("page"))
    others = params.copy()
    others.pop("page", None)
    return {
        "state": state,
        "rows": page.object_list,
        "page": page,
        "query": others.urlencode(),
        "matching": len(rows),
        "total": len(all_rows),
        "sort": sort,
        "rules": dashboard.rules(),
        "statuses": Status.choices,
        "kinds": AgencyKind.choices,
        "filters": {key: params.get(key, "") for key in ("rule", "status", "kind", "q")},
        "map": state_map(state, all_rows, shading),
        "chart": history_chart(view.history),
    }


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", exports.to_csv),
    "geojson": ("application/geo+json", exports.to_geojson),
    "json": ("application/json", exports.to_json),
}


@shared
def state_export(request: HttpRequest, postal: str, fmt: str) -> HttpResponse:
    """The state's agencies and published scorecards as CSV, GeoJSON or JSON."""
    state = _state_or_404(postal)
    if fmt not in EXPORTS:
        raise Http404(_("Exports come as %(formats)s.") % {"formats": ", ".join(EXPORTS)})
    content_type, write = EXPORTS[fmt]
    rows = dashboard.sort_rows(
        dashboard.agency_rows(Agency.objects.filter(jurisdiction__state=state.state)), "name"
    )
    response = HttpResponse(write(rows), content_type=content_type)
    attach(response, f"freedom-cities-{state.state.lower()}.{fmt}")
    return response


def jurisdiction_detail(request: HttpRequest, ocd_id: str) -> HttpResponse:
    """A jurisdiction's agencies, each with its latest published scorecard.

    The table and the cards share their rows, and the cards are built
    together, so the page's queries do not grow with its agencies or versions.
    """
    jurisdiction = get_object_or_404(Jurisdiction, ocd_id=ocd_id)
    cards = dashboard.agency_cards(
        jurisdiction.agencies.all(), drafts=has_role(request.user, Role.VOLUNTEER)
    )
    context = {
        "jurisdiction": jurisdiction,
        "rows": [card.row for card in cards],
        "cards": cards,
        "rules": dashboard.rules(),
        "form": AgencyForm(),
        "stages": Stage.choices,
        "children": jurisdiction.children.order_by("-population", "name")[:40]
        if jurisdiction.kind == Kind.STATE
        else [],
    }
    return render(request, "jurisdictions/jurisdiction.html", context)
