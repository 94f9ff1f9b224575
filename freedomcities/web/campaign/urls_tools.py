"""Addresses of a group's tools: next steps, drafts, follow-ups, and the calendar feed."""

from django.urls import URLPattern, URLResolver, path

from freedomcities.web.campaign import views_tools

urlpatterns: list[URLPattern | URLResolver] = [
    path("groups/<int:pk>/next-steps/", views_tools.next_steps, name="next_steps"),
    path("groups/<int:pk>/drafts/", views_tools.draft, name="drafts"),
    path("groups/<int:pk>/follow-ups/", views_tools.follow_ups, name="follow_ups"),
    path("groups/<int:pk>/feed/renew/", views_tools.renew_group_feed, name="renew_group_feed"),
    path("feeds/promises/<str:token>.ics", views_tools.promise_feed, name="promise_feed"),
]
