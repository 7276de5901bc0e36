"""Which referral counts an actor's referrals belong to. Pure: no database.

The referral dashboards (partners.monitoring) read counts kept per *slice*: a region (the
nation "", a province, a kab/kota, a kecamatan, a desa) and a breakdown (`dim`, `value`):
every referral (ALL, ""), those to one partner (PARTNER, its id) or to one offer category
(CATEGORY, its code). The kept counts hold partners and categories down to the kab/kota and
the whole down to the kecamatan (the child-region table of a kab/kota); deeper scopes and a
facilitator's caseload are counted from the rows the user may see, by these same rules at
every depth (EVERY).

Three kinds of counts:
- referrals: per slice, status, and whether the referral was sent and answered, with the
  credit disbursed (the sum of the amounts served);
- days from sent to served: per slice and number of days (a median is read off them);
- level transitions of referred actors: per slice, pair of periods and (level in the
  first, level in the second), for actors with a counted result in both periods and a
  referral sent between the two periods' starts (from the first period's start to the day
  before the second's). An actor referred to two partners counts once for each, and once
  in the whole.

Where a referral counts: in the province and kab/kota it was made in (the codes it keeps,
which its reach uses too) and in the kecamatan and desa where its actor lives now. A
transition counts where the actor lives now, like the analytics counts of every actor it is
compared with (docs/adr/0004): the actors not referred are the difference.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import NamedTuple

from sinergi.partners.events import ReferralState
from sinergi.regions.codes import ancestors

ALL = ""
PARTNER = "partner"
CATEGORY = "category"

# Region depth (0 the nation ... 4 the desa) at which each breakdown is kept in the tables.
KEPT: Mapping[str, tuple[int, ...]] = {ALL: (0, 1, 2, 3), PARTNER: (0, 1, 2), CATEGORY: (0, 1, 2)}
EVERY: Mapping[str, tuple[int, ...]] = dict.fromkeys(KEPT, (0, 1, 2, 3, 4))
# The deepest scope whose figures the tables answer (its child regions one level down).
TABLE_DEPTH = min(max(depths) for depths in KEPT.values())

CountKey = tuple[str, str, str, str, bool, bool]  # region, dim, value, status, sent, answered
DaysKey = tuple[str, str, str, int]  # region, dim, value, days from sent to served
PairKey = tuple[int, int, str, str, str, str, str]  # period a < b, region, dim, value, la, lb


class Holder(NamedTuple):
    """A referred actor as the counts see her: the desa she lives in now, her referrals,
    and the level of her counted result in each period (by period id)."""

    village: str
    referrals: tuple[ReferralState, ...]
    levels: Mapping[int, str]


def window(starts: Mapping[int, dt.date], a: int, b: int) -> tuple[dt.date, dt.date]:
    """The days a referral is sent in to count between periods a and b: from the start of
    the earlier one to the day before the start of the later one."""
    first, second = sorted((starts[a], starts[b]))
    return first, second


class Tally:
    """Signed changes to the counts, summed in memory before they are written (or read)."""

    def __init__(
        self, starts: Mapping[int, dt.date], depths: Mapping[str, tuple[int, ...]] = KEPT
    ) -> None:
        self.starts = starts  # period id -> first day
        self.depths = depths
        self.referrals: Counter[CountKey] = Counter()
        self.amounts: Counter[CountKey] = Counter()
        self.days: Counter[DaysKey] = Counter()
        self.pairs: Counter[PairKey] = Counter()

    def _slices(
        self, regions: list[str], values: Iterable[tuple[str, str]]
    ) -> list[tuple[str, str, str]]:
        return [
            (regions[depth], dim, value)
            for dim, value in values
            for depth in self.depths[dim]
            if depth < len(regions)
        ]

    def holder(self, holder: Holder, sign: int) -> None:
        """Add (+1) or take away (-1) everything one actor counts for."""
        home = ["", *ancestors(holder.village)] if holder.village else [""]
        for referral in holder.referrals:
            regions = [
                "",
                referral.province_code,
                referral.regency_code,
                *home[3:],
            ]
            values = (
                (ALL, ""),
                (PARTNER, str(referral.partner_id)),
                (CATEGORY, referral.category),
            )
            sent = referral.sent_on is not None
            for region, dim, value in self._slices(regions, values):
                key = (region, dim, value, referral.status, sent, referral.answered)
                self.referrals[key] += sign
                if referral.amount:
                    self.amounts[key] += sign * referral.amount
                if referral.served_on is not None and referral.sent_on is not None:
                    days = (referral.served_on - referral.sent_on).days
                    self.days[(region, dim, value, days)] += sign
        self._transitions(home, holder, sign)

    def _transitions(self, home: list[str], holder: Holder, sign: int) -> None:
        sent = [r for r in holder.referrals if r.sent_on is not None]
        if not sent:
            return
        for a, b in combinations(sorted(holder.levels), 2):
            first, second = window(self.starts, a, b)
            within = [r for r in sent if r.sent_on is not None and first <= r.sent_on < second]
            if not within:
                continue
            values = {(ALL, "")}
            values.update((PARTNER, str(r.partner_id)) for r in within)
            values.update((CATEGORY, r.category) for r in within)
            level_a, level_b = holder.levels[a], holder.levels[b]
            for region, dim, value in self._slices(home, sorted(values)):
                self.pairs[(a, b, region, dim, value, level_a, level_b)] += sign

    def change(self, before: Holder | None, after: Holder | None) -> None:
        if before is not None:
            self.holder(before, -1)
        if after is not None:
            self.holder(after, +1)


def median_of(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many times}."""
    return median_in(sorted(histogram.items()))


def median_in(histogram: Iterable[Sequence[int]]) -> float | None:
    """The median of values given as (value, how many times) in increasing order of value."""
    pairs = [(value, n) for value, n in histogram if n > 0]
    total = sum(n for _value, n in pairs)
    low, high = (total - 1) // 2, total // 2  # the middle ranks, from 0
    seen, first = 0, None
    for value, n in pairs:
        seen += n
        if first is None and seen > low:
            first = value
        if seen > high:
            return (first + value) / 2 if first is not None else None
    return None
