"""The stamp's row: one counter per name, read once per cached page view."""

from __future__ import annotations

from django.db import models


class Stamp(models.Model):
    """A counter that moves whenever the data behind it changes.

    It lives in the database, not in the cache, because the web server and the
    background worker are separate processes with separate local caches: a
    scorecard published by the worker must reach the server's next page view.
    """

    name = models.CharField(max_length=40, primary_key=True)
    counter = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.counter}"
