"""Django admin for staff: policies, versions and the review history (read-only)."""

from django.contrib import admin

from freedomcities.web.scorecards.models import Policy, PolicyVersion, Review


class ReviewInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Review
    extra = 0
    can_delete = False
    readonly_fields = (
        "rule_id",
        "status",
        "in_practice_only",
        "reason",
        "passage",
        "reviewer",
        "created_at",
    )
    fields = readonly_fields


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["title", "agency", "created_at"]
    search_fields = ["title", "agency__name"]
    raw_id_fields = ["agency"]


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["policy", "policy_date", "obtained", "job_state", "published_at"]
    list_filter = ["job_state", "obtained", "published_at"]
    search_fields = ["policy__agency__name", "original_name"]
    readonly_fields = ["job_state", "progress", "error", "revision", "uploaded_at"]
    raw_id_fields = ["policy", "uploaded_by", "published_by"]
    inlines = [ReviewInline]
