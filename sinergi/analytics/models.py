"""Pre-summed counts for the dashboards, kept exact by the write services' announcements.

A dashboard reads a handful of these rows whatever the number of actors: see slices.py for
what is counted where. `CountedResult` is analytics' own copy of each actor's counted result
per period (level, graduation, legality), so that a change is applied against what the
counts were built from, whatever order the writers announce in.
"""

from __future__ import annotations

from django.db import models

from sinergi.assessments.models import Period
from sinergi.registry.models import Actor


class CountedResult(models.Model):
    """The counted result of an actor in a period, as the counts below know it."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    level = models.CharField(max_length=10)
    graduate = models.BooleanField(default=False)
    legality = models.PositiveSmallIntegerField(default=0)  # bits, see slices.LEGALITY_KINDS

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "period"], name="one_counted_result_copy"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.period_id} {self.level}"


class RegisteredCount(models.Model):
    """Actors registered in a slice (region and breakdown)."""

    region = models.CharField(max_length=13)
    dim = models.CharField(max_length=12)
    value = models.CharField(max_length=20)
    actors = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "dim", "value"], name="one_registered_count"),
        ]

    def __str__(self) -> str:
        return f"{self.region or 'ID'} {self.dim}={self.value}: {self.actors}"


class LevelCount(models.Model):
    """Actors with a counted result at a level in a period, in a slice."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.CharField(max_length=13)
    dim = models.CharField(max_length=12)
    value = models.CharField(max_length=20)
    level = models.CharField(max_length=10)
    actors = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "region", "dim", "value", "level"], name="one_level_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_id} {self.region or 'ID'} {self.dim}={self.value} {self.level}"


class TransitionCount(models.Model):
    """Actors counted at `level_a` in period a and at `level_b` in period b, in a slice.

    One row per pair of periods, the lower id first; the other direction is the transpose.
    """

    period_a = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    period_b = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+", db_index=False)
    region = models.CharField(max_length=13)
    dim = models.CharField(max_length=12)
    value = models.CharField(max_length=20)
    level_a = models.CharField(max_length=10)
    level_b = models.CharField(max_length=10)
    actors = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period_a", "period_b", "region", "dim", "value", "level_a", "level_b"],
                name="one_transition_count",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_a_id}->{self.period_b_id} {self.region or 'ID'} {self.dim}"
