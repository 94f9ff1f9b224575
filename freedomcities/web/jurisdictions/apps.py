"""Django's registration of the jurisdictions app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JurisdictionsConfig(AppConfig):
    """States, counties, places and their agencies."""

    name = "freedomcities.web.jurisdictions"
    label = "jurisdictions"
    verbose_name = _("Jurisdictions")
