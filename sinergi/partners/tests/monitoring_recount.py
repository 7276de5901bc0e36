"""The referral dashboard's figures recounted plainly through the ORM from the rows a user
may see, independently of the counts and their slices: what every figure must equal.

`recount` gives them in the shape of the dashboard's CSV export:
{(table, key, measure): value as the CSV writes it}.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.assessments.models import Assessment
from sinergi.partners.models import Referral
from sinergi.regions.models import Region
from sinergi.registry.models import Actor

STATUSES = ("proposed", "sent", "accepted", "declined", "served", "completed", "withdrawn")
RANK = {"IR1": 1, "IR2": 2, "IR3": 3}


def written(value: Any) -> str:
    """A value as csv.writer writes it."""
    return "" if value is None else str(value)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def measures(referrals: list[Referral]) -> dict[str, Any]:
    sent = [r for r in referrals if r.sent_at is not None]
    answered = [r for r in referrals if r.answered_at is not None]
    accepted = [r for r in answered if r.status != "declined"]
    served = [r for r in referrals if r.served_on is not None]
    days = [
        (r.served_on - timezone.localdate(r.sent_at)).days
        for r in served
        if r.served_on is not None and r.sent_at is not None
    ]
    return {
        "referrals": len(referrals),
        "sent": len(sent),
        "answered": len(answered),
        "accepted": len(accepted),
        "served": len(served),
        "acceptance_rate": _rate(len(accepted), len(answered)),
        "service_rate": _rate(len(served), len(sent)),
        "median_days": round(float(statistics.median(days)), 1) if days else None,
        "credit": sum(r.amount or 0 for r in referrals),
    }


class Moves:
    """Actors with a counted result in both periods and whether each moved up."""

    def __init__(self, actors: Iterable[Actor], first: str, second: str) -> None:
        ids = [a.pk for a in actors]
        levels: dict[int, dict[str, str]] = {}
        for actor, period, level in Assessment.objects.filter(
            actor_id__in=ids, counted=True, period__code__in=(first, second)
        ).values_list("actor_id", "period__code", "level"):
            levels.setdefault(actor, {})[period] = level
        self.up = {
            actor: RANK[found[second]] > RANK[found[first]]
            for actor, found in levels.items()
            if first in found and second in found
        }

    def of(self, prefix: str, actors: set[int]) -> dict[str, Any]:
        both = [a for a in self.up if a in actors]
        up = sum(self.up[a] for a in both)
        return {
            f"{prefix}_both_periods": len(both),
            f"{prefix}_up": up,
            f"{prefix}_up_share": _rate(up, len(both)),
        }


def _in_window(referral: Referral, first: date, second: date) -> bool:
    return referral.sent_at is not None and first <= timezone.localdate(referral.sent_at) < second


def recount(
    user: User,
    region: str,
    first: str = "2018",
    second: str = "2019",
    children: list[str] | None = None,
) -> dict[tuple[str, str, str], str]:
    """Every figure of the user's dashboard of `region` ("" the nation, or all of her
    regions) between two periods (the earlier first), from the rows she may see; the rows of
    the region table are `children` (default: the region's own)."""
    visible = Referral.objects.visible_to(user).select_related("actor")
    actors_seen = Actor.objects.visible_to(user)
    if region:
        visible, actors_seen = visible.within(region), actors_seen.within(region)
    referrals = list(visible)
    starts = (date(int(first), 1, 1), date(int(second), 1, 1))
    moves = Moves(actors_seen, first, second)
    referred = {r.actor_id for r in referrals if _in_window(r, *starts)}
    found: dict[tuple[str, str, str], Any] = {}
    for code, value in measures(referrals).items():
        found["summary", code, "value"] = value
    every = set(moves.up)
    for prefix, group in (("referred", referred), ("not_referred", every - referred)):
        for code, value in moves.of(prefix, group).items():
            found["summary", code, "value"] = value
    for status in STATUSES:
        found["status", status, "referrals"] = sum(r.status == status for r in referrals)
    for table, key_of in (
        ("partner", lambda r: str(r.partner_id)),
        ("category", lambda r: r.terms["category"]),
    ):
        for key in {key_of(r) for r in referrals}:
            mine = [r for r in referrals if key_of(r) == key]
            for code, value in measures(mine).items():
                found[table, key, code] = value
            hers = {r.actor_id for r in mine if _in_window(r, *starts)}
            for code, value in moves.of("referred", hers).items():
                found[table, key, code] = value
    if children is None:
        children = list(
            Region.objects.filter(parent_id=region or None).values_list("code", flat=True)
        )
    for child in children:
        inside = list(visible.within(child))
        there = {a.pk for a in actors_seen.within(child)}
        for code, value in measures(inside).items():
            found["region", child, code] = value
        for prefix, group in (
            ("referred", referred & there),
            ("not_referred", there - referred),
        ):
            for code, value in moves.of(prefix, group).items():
                found["region", child, code] = value
    return {key: written(value) for key, value in found.items()}
