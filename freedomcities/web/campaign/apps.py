"""Django's registration of the campaign app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    """Groups, officials, meetings, positions, promises and report-backs."""

    name = "freedomcities.web.campaign"
    label = "campaign"
    verbose_name = _("Campaign")
