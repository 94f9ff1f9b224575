"""Background jobs of the campaign app, registered with the worker by importing them here."""

from freedomcities.web.campaign.reminders import remind_daily

__all__ = ["remind_daily"]
