"""Brute-force recounts from the raw rows, written plainly and independently of the slices
module: what every pre-summed figure must equal."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sinergi.assessments.models import Assessment
from sinergi.registry.events import ActorMove, actors_moved
from sinergi.registry.models import Actor
from sinergi.registry.services import place_of
from sinergi.test import ActorFactory


def register(**fields: Any) -> Actor:
    """An actor from the factory, announced as the registry's services announce one."""
    actor: Actor = ActorFactory(**fields)
    actors_moved.announce([ActorMove(actor.pk, None, place_of(actor))])
    return actor


def inside(village: str, region: str | None) -> bool:
    return not region or village == region or village.startswith(region + ".")


class Raw:
    """The counted results and the actors as they are now, read once."""

    def __init__(self) -> None:
        self.results = list(
            Assessment.objects.filter(counted=True).select_related("actor", "period")
        )
        self.villages = list(Actor.objects.values_list("village_id", flat=True))

    def counted(self, period: str, region: str | None) -> dict[int, Assessment]:
        return {
            r.actor_id: r
            for r in self.results
            if r.period.code == period and inside(r.actor.village_id, region)
        }

    def levels(self, period: str, region: str | None = None) -> Counter[str]:
        return Counter(r.level for r in self.counted(period, region).values())

    def registered(self, region: str | None = None) -> int:
        return sum(inside(v, region) for v in self.villages)

    def transitions(
        self, first: str, second: str, region: str | None = None
    ) -> Counter[tuple[str, str]]:
        before, after = self.counted(first, region), self.counted(second, region)
        return Counter((before[a].level, after[a].level) for a in before.keys() & after.keys())

    def by_group(self, period: str, region: str | None, by: str) -> dict[str, Counter[str]]:
        """Levels per sector, facilitator (id as text, "" for none), legality kind,
        graduation."""
        found: dict[str, Counter[str]] = {}
        for row in self.counted(period, region).values():
            if by == "sector":
                keys = [row.actor.sector]
            elif by == "facilitator":
                keys = [str(row.actor.facilitator_id or "")]
            elif by == "legality":
                keys = list(row.answers.get("legality", []))
            elif by == "graduate":
                keys = ["yes"] if row.graduate else []
            else:
                raise ValueError(by)
            for key in keys:
                found.setdefault(key, Counter())[row.level] += 1
        return found
