"""Where campaigns happen: jurisdictions keyed by Open Civic Data id, and their agencies."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from freedomcities.web.pagecache.stamps import StampedQuerySet


class Kind(models.TextChoices):
    """The three levels of government the app tracks."""

    STATE = "state", _("State")
    COUNTY = "county", _("County")
    PLACE = "place", _("City or town")


class Stage(models.TextChoices):
    """Where a jurisdiction's campaign stands, from the campaign guide."""

    NONE = "", _("No campaign yet")
    RESEARCHING = "researching", _("Researching")
    MEETING_REQUESTED = "meeting_requested", _("Meeting requested")
    MET = "met", _("Met with officials")
    COMMITMENTS = "commitments", _("Commitments made")
    ADOPTED = "adopted", _("Rules adopted")
    STALLED = "stalled", _("Stalled")


class Jurisdiction(models.Model):
    """A state, county or place, keyed by its Open Civic Data division id."""

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    ocd_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=120)
    state = models.CharField(max_length=2, help_text=_("Postal code, e.g. AZ"))
    fips = models.CharField(max_length=7, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True, default="")

    class Meta:
        ordering = ["state", "kind", "name"]
        indexes = [
            models.Index(fields=["state", "kind", "name"]),
            # the events map names the towns in a box around a ZIP code: a range, not a scan
            models.Index(fields=["kind", "latitude"], name="jurisdiction_near"),
        ]

    def __str__(self) -> str:
        if self.kind == Kind.STATE:
            return self.name
        return f"{self.name}, {self.state}"

    def get_absolute_url(self) -> str:
        return reverse("jurisdiction", args=[self.ocd_id])

    @property
    def place_name(self) -> str:
        """The name the engine fills into the model text, e.g. 'Mesa, AZ'."""
        return str(self)


class AgencyKind(models.TextChoices):
    """The agencies whose written policies the campaign scores."""

    POLICE = "police", _("Police department")
    SHERIFF = "sheriff", _("Sheriff's office")
    JAIL = "jail", _("Jail")


class Agency(models.Model):
    """A police department, sheriff's office or jail in a jurisdiction."""

    objects = StampedQuerySet.as_manager()  # bulk writes move the page cache's stamp

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="agencies"
    )
    kind = models.CharField(max_length=10, choices=AgencyKind.choices)
    name = models.CharField(max_length=200)
    is_sample = models.BooleanField(
        default=False, help_text=_("Demo data: not a real agency's policy.")
    )

    class Meta:
        ordering = ["jurisdiction__name", "name"]
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agency", args=[self.pk])
