"""Django's registration of the events app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    """Events, RSVPs and attendance."""

    name = "freedomcities.web.events"
    label = "events"
    verbose_name = _("Events")
