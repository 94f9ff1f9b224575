"""Forms for uploading a policy and reviewing its scorecard."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from freedomcities.read import DOCUMENT_SUFFIXES
from freedomcities.web.errors import ActionError
from freedomcities.web.scorecards.actions import check_upload
from freedomcities.web.scorecards.models import Obtained, Status


class UploadForm(forms.Form):
    """A policy file, how it was obtained, and its date."""

    file = forms.FileField(
        label=_("Policy file"),
        help_text=_("PDF, Word (.docx), a saved web page (.html) or text."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(DOCUMENT_SUFFIXES)}),
    )
    obtained = forms.ChoiceField(
        label=_("How did you get it?"),
        choices=[c for c in Obtained.choices if c[0] != Obtained.SAMPLE],
    )
    policy_date = forms.DateField(
        label=_("Date of the policy"),
        help_text=_("When it took effect or was issued, as printed on it."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    title = forms.CharField(
        label=_("Policy title"),
        required=False,
        max_length=200,
        help_text=_("Leave empty for the agency's immigration enforcement policy."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload.name or "", upload.size or 0)
        except ActionError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload

    def clean_policy_date(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["policy_date"]
        if value > datetime.date.today():
            raise forms.ValidationError(_("The policy's date cannot be in the future."))
        if value.year < 1950:
            raise forms.ValidationError(_("Check the year: that date is before 1950."))
        return value


class ReviewForm(forms.Form):
    """One rule's confirmation or override."""

    rule = forms.CharField(widget=forms.HiddenInput)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    in_practice_only = forms.BooleanField(
        label=_("In practice only (officials say so, but it is not written)"), required=False
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    passage = forms.CharField(
        label=_("The policy's words that show it (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
