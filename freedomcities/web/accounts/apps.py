"""Django's registration of the accounts app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Roles and API tokens."""

    name = "freedomcities.web.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
