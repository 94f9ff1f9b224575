"""The web app's one error for refused actions.

::

    ActionError            something a person asked for cannot be done; the
    │                      message says why and what to do, fit for the page
    ├── StaleReview        another reviewer saved first (scorecards)
    └── ...                each app's actions raise it or a subclass

Views show the message; the API answers 400 with it. Library errors
(:class:`freedomcities.errors.FreedomCitiesError`) stay the library's own.
"""


class ActionError(Exception):
    """Something a person asked for cannot be done; the message says why."""
