"""Every address the web app answers, in one place."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from freedomcities.web.accounts.throttle import ThrottledAdminAuthenticationForm, ThrottledLoginView
from freedomcities.web.api import api, not_found
from freedomcities.web.jurisdictions import views as places
from freedomcities.web.languages import choose_language
from freedomcities.web.scorecards import views as scorecards
from freedomcities.web.scorecards import views_dashboard as dashboards

admin.site.login_form = ThrottledAdminAuthenticationForm


def healthz(request: HttpRequest) -> HttpResponse:
    """A trivial view: load balancers' health check, and the benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")


handler404 = not_found  # JSON under /api/, as its schema documents; the site's page elsewhere

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", dashboards.home, name="home"),
    path("states/", dashboards.nation, name="nation"),
    path("states/<str:postal>/", dashboards.state_dashboard, name="state"),
    path("states/<str:postal>/agencies.<str:fmt>", dashboards.state_export, name="state_export"),
    path("search/", places.search, name="search"),
    path("j/<path:ocd_id>/agencies/new", places.add_agency, name="add_agency"),
    path("j/<path:ocd_id>/", dashboards.jurisdiction_detail, name="jurisdiction"),
    path("agencies/<int:pk>/", scorecards.agency_detail, name="agency"),
    path("agencies/<int:pk>/upload/", scorecards.upload, name="upload"),
    path("agencies/<int:pk>/compare/", scorecards.compare_versions, name="compare"),
    path("compare.css", scorecards.compare_css, name="compare_css"),
    path("versions/<int:pk>/", scorecards.version_detail, name="version"),
    path("versions/<int:pk>/progress/", scorecards.version_progress, name="version_progress"),
    path("versions/<int:pk>/sections/", scorecards.version_sections, name="version_sections"),
    path("versions/<int:pk>/review/", scorecards.review, name="review"),
    path("versions/<int:pk>/confirm/", scorecards.confirm, name="confirm"),
    path("versions/<int:pk>/publish/", scorecards.publish, name="publish"),
    path("versions/<int:pk>/retry/", scorecards.retry, name="retry"),
    path("versions/<int:pk>/report/<str:kind>.<str:fmt>", scorecards.report, name="report"),
    path("review/", scorecards.review_queue, name="review_queue"),
    path("review/moves/", scorecards.moves, name="moves"),
    path("review/jobs/", scorecards.job_queue, name="job_queue"),
    path("review/moves/<int:pk>/", scorecards.decide_move, name="decide_move"),
    path("", include("freedomcities.web.campaign.urls")),
    path("", include("freedomcities.web.campaign.urls_tools")),
    path("", include("freedomcities.web.events.urls")),
    path("admin/", admin.site.urls),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", choose_language, name="set_language"),
    path("api/", api.urls),
]
