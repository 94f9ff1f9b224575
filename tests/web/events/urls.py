"""The app's URLs with the events API at /api/events/, whether or not the main API mounts it yet.

The lead mounts :data:`freedomcities.web.events.api.router` on the main API; until then the
tests mount it on an API of their own, at the same address.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from ninja import NinjaAPI

from freedomcities.web import urls as main
from freedomcities.web.api import api
from freedomcities.web.events.api import router

urlpatterns: list[URLPattern | URLResolver] = list(main.urlpatterns)
if not any(mounted is router for _prefix, mounted in api._routers):
    standalone = NinjaAPI(title="Events API (tests)", urls_namespace="events-api-tests")
    standalone.add_router("/events/", router)
    urlpatterns.insert(0, path("api/", standalone.urls))
