"""Django's registration of the scorecards app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardsConfig(AppConfig):
    """Policies, versions, analyses and reviews."""

    name = "freedomcities.web.scorecards"
    label = "scorecards"
    verbose_name = _("Scorecards")
