"""Django admin for staff: jurisdictions and agencies."""

from django.contrib import admin

from freedomcities.web.jurisdictions.models import Agency, Jurisdiction


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "state", "fips", "population", "stage"]
    list_filter = ["kind", "state", "stage"]
    search_fields = ["name", "ocd_id", "fips"]
    raw_id_fields = ["parent"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "jurisdiction", "is_sample"]
    list_filter = ["kind", "is_sample", "jurisdiction__state"]
    search_fields = ["name", "jurisdiction__name"]
    raw_id_fields = ["jurisdiction"]
