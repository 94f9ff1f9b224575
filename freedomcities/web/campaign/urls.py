"""Addresses of the campaign tracker: groups, officials, meetings, promises, board, reports."""

from django.urls import URLPattern, URLResolver, path

from freedomcities.web.campaign import views, views_joining, views_reopen

urlpatterns: list[URLPattern | URLResolver] = [
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<int:pk>/", views.group_detail, name="group"),
    path("groups/<int:pk>/members/", views.group_members, name="group_members"),
    path("groups/<int:pk>/invite/", views_joining.group_invite, name="group_invite"),
    path("join/ask/", views_joining.ask_to_join, name="ask_to_join"),
    path("join/ask/sent/", views_joining.ask_to_join_sent, name="ask_to_join_sent"),
    path("join/requests/<int:pk>/", views_joining.decide_request, name="decide_join_request"),
    path("join/<str:key>/", views_joining.join, name="join"),
    path("groups/<int:pk>/campaigns/", views.group_add_campaign, name="group_add_campaign"),
    path("groups/<int:pk>/promises/", views.group_promises, name="group_promises"),
    path("groups/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/outcome/", views.meeting_outcome, name="meeting_outcome"),
    path("meetings/<int:pk>/report/", views.meeting_report, name="meeting_report"),
    path("meetings/<int:pk>/reopen/", views_reopen.meeting_reopen, name="meeting_reopen"),
    path("reopen-requests/<int:pk>/", views_reopen.reopen_decide, name="reopen_decide"),
    path("promises/<int:pk>/", views.promise_detail, name="promise"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("campaigns/", views.board, name="campaign_board"),
    path("campaigns/reports/", views.report_queue, name="report_queue"),
    path("campaigns/reports.<str:fmt>", views.report_queue_export, name="report_queue_export"),
    path("campaigns/<path:ocd_id>/officials/", views.officials, name="officials"),
    path("campaigns/<path:ocd_id>/officials/new/", views.official_new, name="official_new"),
    path("campaigns/<path:ocd_id>/stage/", views.set_stage, name="campaign_stage"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/summary/", views.report_summary, name="report_summary"),
    path("reports/<int:pk>.<str:fmt>", views.report_export, name="report_export"),
]
