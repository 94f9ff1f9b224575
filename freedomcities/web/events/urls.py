"""The events app's addresses: the map, events, RSVPs, the organizer's tools, calendar feeds."""

from django.urls import URLPattern, URLResolver, path, re_path

from freedomcities.web.events import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("events/", views.event_list, name="events"),
    path("events/events.csv", views.events_csv, name="events_csv"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/feeds/group/<str:token>.ics", views.group_feed, name="group_feed"),
    re_path(
        r"^events/feeds/j/(?P<ocd_id>.+)\.ics$", views.jurisdiction_feed, name="jurisdiction_feed"
    ),
    path("events/rsvp/<str:token>/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path("events/<uuid:key>/", views.event_detail, name="event"),
    path("events/<uuid:key>/calendar.ics", views.event_ics, name="event_ics"),
    path("events/<uuid:key>/rsvp/", views.event_rsvp, name="event_rsvp"),
    path("events/<uuid:key>/edit/", views.event_edit, name="event_edit"),
    path("events/<uuid:key>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<uuid:key>/manage/", views.event_manage, name="event_manage"),
    path("events/<uuid:key>/attended/", views.event_attended, name="event_attended"),
    path("events/<uuid:key>/sign-in/", views.event_import, name="event_import"),
    path("events/<uuid:key>/volunteers/", views.event_volunteers, name="event_volunteers"),
    path("events/<uuid:key>/attendances.csv", views.attendances_csv, name="event_attendances_csv"),
]
