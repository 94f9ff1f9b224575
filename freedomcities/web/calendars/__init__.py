"""Calendars (.ics) any app writes: the file's common parts and the time zones it carries.

- :mod:`.ics`: an empty calendar with its name, UIDs unique to the deployment, SEQUENCE,
  quoted parameters.
- :mod:`.timezones`: a VTIMEZONE of yearly rules for an IANA zone.

Nothing here knows an app's models, so the campaign (promises) and the events (events) feeds
share it without importing each other.
"""
