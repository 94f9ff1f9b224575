"""Django admin for staff: events and their attendances."""

from django.contrib import admin

from freedomcities.web.events.models import Attendance, Event


class AttendanceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Attendance
    extra = 0
    fields = ("given_name", "family_name", "email", "status", "attended", "source")
    readonly_fields = ("source",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "group", "tactic", "starts_at", "locality", "region", "status"]
    list_filter = ["status", "tactic", "public", "region"]
    search_fields = ["title", "group__name", "locality", "postal_code"]
    raw_id_fields = ["group", "jurisdiction", "created_by"]
    filter_horizontal = ["officials"]
    readonly_fields = ["uuid", "latitude", "longitude", "public_latitude", "public_longitude"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["given_name", "family_name", "email", "event", "status", "attended"]
    list_filter = ["status", "attended", "source"]
    search_fields = ["given_name", "family_name", "email", "event__title"]
    raw_id_fields = ["event"]
