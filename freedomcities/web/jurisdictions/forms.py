"""Forms about places: adding an agency to a jurisdiction."""

from __future__ import annotations

from django import forms

from freedomcities.web.jurisdictions.models import Agency


class AgencyForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new police department, sheriff's office or jail."""

    class Meta:
        model = Agency
        fields = ["kind", "name"]
