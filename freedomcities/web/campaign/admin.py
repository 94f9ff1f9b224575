"""The campaign's records in Django's admin, for staff fixing mistakes by hand."""

from __future__ import annotations

from django.contrib import admin

from freedomcities.web.campaign import models


class MemberInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.GroupMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(models.Group)
class GroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "state", "home", "created_at"]
    list_filter = ["state"]
    search_fields = ["name"]
    raw_id_fields = ["home"]
    filter_horizontal = ["jurisdictions"]
    inlines = [MemberInline]


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = models.Membership
    extra = 0
    raw_id_fields = ["post"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "email", "phone", "friendliness", "added_by"]
    list_filter = ["friendliness"]
    search_fields = ["name", "email"]
    inlines = [MembershipInline]


@admin.register(models.Post)
class PostAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["label", "role", "jurisdiction", "agency"]
    list_filter = ["role"]
    search_fields = ["label", "jurisdiction__name"]
    raw_id_fields = ["jurisdiction", "agency"]


@admin.register(models.Meeting)
class MeetingAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["group", "jurisdiction", "status", "requested_on", "starts_at"]
    list_filter = ["status"]
    raw_id_fields = ["group", "jurisdiction", "spokesperson", "note_taker", "point_of_contact"]
    filter_horizontal = ["officials", "attendees"]


@admin.register(models.Answer)
class AnswerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["person", "rule_id", "in_place", "support", "meeting", "published_at"]
    list_filter = ["support", "in_place"]
    raw_id_fields = ["meeting", "person", "recorded_by"]


@admin.register(models.Promise)
class PromiseAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["text", "group", "person", "due_on", "state"]
    list_filter = ["state"]
    raw_id_fields = ["group", "meeting", "person", "owner"]


@admin.register(models.Report)
class ReportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["meeting", "state", "submitted_at", "reviewed_at"]
    list_filter = ["state"]
    raw_id_fields = ["meeting", "submitted_by", "reviewed_by"]


@admin.register(models.Change)
class ChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["at", "user", "group", "subject", "subject_id", "action"]
    list_filter = ["subject", "action"]
    readonly_fields = ["at", "user", "group", "subject", "subject_id", "action", "details"]
