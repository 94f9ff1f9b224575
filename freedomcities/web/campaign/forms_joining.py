"""Forms for getting in: signing up from an invitation, and asking to join a group."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from freedomcities.web.accounts.guard import GuardedForm, form_stamp
from freedomcities.web.campaign.models import Group


class SignUpForm(UserCreationForm):  # type: ignore[type-arg]
    """A new volunteer's account: a user name, a name to be greeted by, e-mail and password.

    The password is checked by Django's validators (length, common passwords, likeness
    to the user name), and each problem is shown beside its field.
    """

    first_name = forms.CharField(label=gettext_lazy("Your first name"), max_length=150)
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        help_text=gettext_lazy("For reminders and a forgotten password; only your group sees it."),
    )

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined,misc]
        model = User
        fields = ("username", "first_name", "email")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("There is already an account with this e-mail: sign in, or reset its password.")
            )
        return str(email)


class GroupByPlaceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Groups named by where they campaign, never by their own name.

    A group's name is for its members and staff (it is on no public page or feed), and this
    form is public, so each group reads "A group in Mesa, AZ"; a second group in the same
    place gets a number.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._labels: dict[int, str] = {}

    def label_from_instance(self, obj: Group) -> str:
        if not self._labels:
            self._labels = _place_labels(self.queryset)
        return self._labels.get(obj.pk) or _place_label(obj)


def _place_label(group: Group) -> str:
    """ "A group in Mesa, AZ", or in its state when it has no home place."""
    place = str(group.home) if group.home else group.state
    return _("A group in %(place)s") % {"place": place}


def _place_labels(groups: Any) -> dict[int, str]:
    """Each group's place label, numbered where two groups share a place."""
    labels: dict[int, str] = {}
    seen: dict[str, int] = {}
    for group in groups.select_related("home"):
        label = _place_label(group)
        seen[label] = seen.get(label, 0) + 1
        labels[group.pk] = label if seen[label] == 1 else f"{label} ({seen[label]})"
    return labels


class AskToJoinForm(SignUpForm):
    """Asking to join a group: an account that opens once an organizer approves.

    A public form, so it carries the same honeypot and fill timer as the RSVP form.
    """

    group = GroupByPlaceField(
        label=gettext_lazy("The group you would like to join"), queryset=Group.objects.none()
    )
    message = forms.CharField(
        label=gettext_lazy("A word to the organizers (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = GuardedForm.base_fields["website"]
    started = GuardedForm.base_fields["started"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = self.fields["group"]
        assert isinstance(group, forms.ModelChoiceField)
        group.queryset = Group.objects.order_by("state", "home__name", "pk")
        if not self.is_bound:
            self.initial["started"] = form_stamp()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        guard = GuardedForm(self.data, prefix=self.prefix)  # the RSVP form's honeypot and timer
        if not guard.is_valid():
            for error in guard.non_field_errors():
                self.add_error(None, error)
        return data
