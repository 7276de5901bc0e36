"""Needs-based matching: which offers fit an actor, ranked by how well they answer the weak
items of her latest counted result, with the reasons. Pure: plain values in, plain values
out, no database (services load the facts, and tests and benchmarks call it directly).

An offer is eligible when every one of its conditions holds: it is open, it serves her
region (or everywhere), her level and sector are among its own (or it names none), she
holds every legality item it requires and lacks at least one of those it helps to get, and
her business is old enough. Its score is what it answers: for each weak item of hers that
the offer names, the points the instrument's explanation says one step up would add, twice
over when the item closes a gate of her next level; and a point for each missing legality
item it helps with. Ties go to the lower offer id, so a ranking is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

Number = int | float

# What closing a gate is worth against a plain step up (a gate blocks the level outright).
GATE_FACTOR = 2
LEGALITY_POINTS = 1


@dataclass(frozen=True, slots=True)
class Need:
    """One weak item of her latest counted result (a step of the instrument's explanation):
    the question, its aspect, its score now and one step up, the points that step adds to
    the total, and whether it closes a gate of the next level."""

    item: str
    aspect: str
    current: Number
    next: Number
    points: Number
    gate: bool = False


@dataclass(frozen=True, slots=True)
class Facts:
    """What matching knows of one actor. `regions`: her village and every region above it;
    `level` None when she has no counted result; `years` None when unknown."""

    actor: int
    regions: frozenset[str]
    sector: str
    legality: frozenset[str]
    years: int | None
    level: str | None
    needs: tuple[Need, ...] = ()


@dataclass(frozen=True, slots=True)
class Terms:
    """An offer's eligibility and what it answers, as data. Empty `regions`, `levels` or
    `sectors` mean no condition; `open` is False when it is closed, out of its period or
    has no place left (decided by the caller, who knows the date and the referrals)."""

    offer: int
    partner: int
    category: str
    regions: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    sectors: frozenset[str] = frozenset()
    legality_required: frozenset[str] = frozenset()
    legality_missing: frozenset[str] = frozenset()
    min_years: int = 0
    items: frozenset[str] = frozenset()
    open: bool = True


class Reason(NamedTuple):
    """Why an offer fits: `kind` "item" or "gate" (a weak item it answers, with her score
    now and one step up), "legality" (a legality item she lacks that it helps to get) or
    "fit" (it fits her level and sector but answers no weak item)."""

    kind: str
    item: str = ""
    current: Number = 0
    next: Number = 0


class Match(NamedTuple):
    offer: int
    partner: int
    score: Number
    reasons: tuple[Reason, ...]


# Why an offer is not for her (eligibility rules in the order they are checked).
CLOSED, REGION, LEVEL, SECTOR, LEGALITY_REQUIRED, LEGALITY_HELD, YEARS = (
    "closed",
    "region",
    "level",
    "sector",
    "legality_required",
    "legality_held",
    "years",
)


def refusal(facts: Facts, terms: Terms) -> str | None:
    """The first eligibility rule the actor fails for this offer, or None when eligible."""
    if not terms.open:
        return CLOSED
    if terms.regions and terms.regions.isdisjoint(facts.regions):
        return REGION
    if terms.levels and facts.level not in terms.levels:
        return LEVEL
    if terms.sectors and facts.sector not in terms.sectors:
        return SECTOR
    if not terms.legality_required <= facts.legality:
        return LEGALITY_REQUIRED
    if terms.legality_missing and terms.legality_missing <= facts.legality:
        return LEGALITY_HELD
    if terms.min_years and (facts.years is None or facts.years < terms.min_years):
        return YEARS
    return None


# A need as `fit` uses it: its question and aspect, what answering it adds to the score, and
# the reason saying so (one per need, shared by every offer that answers it).
Prepared = tuple[tuple[str, str, Number, Reason], ...]
_FIT = (Reason("fit"),)


def prepare(needs: Sequence[Need]) -> Prepared:
    """Her needs with their points and reasons worked out once, for any number of offers."""
    return tuple(
        (
            need.item,
            need.aspect,
            need.points * GATE_FACTOR if need.gate else need.points,
            Reason("gate" if need.gate else "item", need.item, need.current, need.next),
        )
        for need in needs
    )


def fit(facts: Facts, terms: Terms) -> Match:
    """How well an eligible offer answers her needs, and why."""
    return _fit(prepare(facts.needs), facts.legality, terms)


def _fit(needs: Prepared, legality: frozenset[str], terms: Terms) -> Match:
    items = terms.items
    score: Number = 0
    reasons: list[Reason] = []
    for item, aspect, points, reason in needs:
        if item in items or aspect in items:
            score += points
            reasons.append(reason)
    if terms.legality_missing:
        for kind in sorted(terms.legality_missing - legality):
            score += LEGALITY_POINTS
            reasons.append(Reason("legality", kind))
    return Match(terms.offer, terms.partner, score, tuple(reasons) if reasons else _FIT)


def _rank(found: list[Match]) -> None:
    """Best first; ties to the lower offer id (two sorts in C: the second keeps the first's
    order among equal scores)."""
    found.sort(key=_OFFER)
    found.sort(key=_SCORE, reverse=True)


_OFFER, _SCORE = itemgetter(0), itemgetter(2)


class Matcher:
    """Offers indexed once for matching many actors: by region, then by level and sector,
    so that each actor is checked only against the offers that could be hers."""

    def __init__(self, offers: Iterable[Terms]) -> None:
        self._by_region: dict[str, list[Terms]] = {}
        offers = sorted(offers, key=lambda t: t.offer)
        for terms in offers:
            if not terms.open:
                continue
            for region in terms.regions or {""}:
                self._by_region.setdefault(region, []).append(terms)
        # Whether an offer names a region and one inside it (33 and 33.17): only then can an
        # actor meet it twice on her way up the region tree.
        self._nested = any(
            inner.startswith(f"{outer}.")
            for terms in offers
            for outer in terms.regions
            for inner in terms.regions
        )
        self._for: dict[tuple[str, str | None, str], tuple[Terms, ...]] = {}

    def _in(self, region: str, level: str | None, sector: str) -> tuple[Terms, ...]:
        """Open offers of one region for a level and sector (worked out once per key)."""
        key = (region, level, sector)
        found = self._for.get(key)
        if found is None:
            found = self._for[key] = tuple(
                terms
                for terms in self._by_region.get(region, ())
                if (not terms.levels or level in terms.levels)
                and (not terms.sectors or sector in terms.sectors)
            )
        return found

    def candidates(self, facts: Facts) -> tuple[Terms, ...]:
        """Open offers in her regions for her level and sector (the rest checked per actor),
        by offer id."""
        seen: dict[int, Terms] = {}
        for region in ("", *facts.regions):
            if region in self._by_region:
                for terms in self._in(region, facts.level, facts.sector):
                    seen[terms.offer] = terms
        return tuple(seen[k] for k in sorted(seen))

    def match(self, facts: Facts, limit: int | None = None) -> list[Match]:
        """Her eligible offers, best first: the candidates that pass the rules `candidates`
        leaves to each actor (legality held and missing, years), as `refusal` checks them."""
        needs, legality, years = prepare(facts.needs), facts.legality, facts.years
        found: list[Match] = []
        seen: set[int] = set()
        for region in ("", *facts.regions):
            if region not in self._by_region:
                continue
            for terms in self._in(region, facts.level, facts.sector):
                if self._nested:  # the same offer for 33 and for 33.17: once
                    if terms.offer in seen:
                        continue
                    seen.add(terms.offer)
                if (
                    (terms.legality_required and not terms.legality_required <= legality)
                    or (terms.legality_missing and terms.legality_missing <= legality)
                    or (terms.min_years and (years is None or years < terms.min_years))
                ):
                    continue
                found.append(_fit(needs, legality, terms))
        _rank(found)
        return found if limit is None else found[:limit]


def match(facts: Facts, offers: Sequence[Terms], limit: int | None = None) -> list[Match]:
    """Her eligible offers among `offers`, best first (one actor: no index worth building)."""
    needs = prepare(facts.needs)
    found = [_fit(needs, facts.legality, t) for t in offers if refusal(facts, t) is None]
    _rank(found)
    return found if limit is None else found[:limit]


def needs_of(
    rises: Iterable[tuple[str, str, Number, Number, Number]], gated: Iterable[str]
) -> tuple[Need, ...]:
    """Her needs from an explanation's rises (aspect, question, current, next, points) and
    the aspects whose gates of the next level are unmet."""
    gates = frozenset(gated)
    return tuple(
        Need(item=q, aspect=a, current=c, next=n, points=p, gate=a in gates)
        for a, q, c, n, p in rises
    )
