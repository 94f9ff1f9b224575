"""Django admin for staff: each user's role shown and edited on the user page."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from freedomcities.web.accounts.models import ApiToken, Profile


class ProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Profile
    can_delete = False


class UserWithRoleAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = [ProfileInline]


admin.site.unregister(User)
admin.site.register(User, UserWithRoleAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]
