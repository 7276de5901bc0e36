"""The referral dashboard's figures for a dashboard scope (analytics.scope): referrals by
partner, offer category, child region and status; the acceptance rate (accepted, served or
completed over those the partner answered), the service rate (served or completed over those
sent), the median days from sent to served, the credit disbursed; and the level transitions
("naik kelas") between two periods of the actors referred in between against those who were
not. The same figures for the page, its exports and the PDF report's section.

The periods are chosen as on the analytics transitions page (analytics.figures.figures_of),
whose figures of every actor in the scope are what the referred actors are compared with:
the actors not referred are every actor with a result in both periods less those referred.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sinergi.analytics.figures import Figures, Transition, _transition
from sinergi.analytics.scope import Scope
from sinergi.partners.choices import OfferCategory, ReferralStatus
from sinergi.partners.models import Partner
from sinergi.partners.monitoring_counts import CountRow, RowSource, Source, TableSource
from sinergi.partners.monitoring_slices import ALL, CATEGORY, PARTNER, TABLE_DEPTH

REGION = "region"
DIMS = (PARTNER, CATEGORY, REGION)
_SERVED = frozenset({ReferralStatus.SERVED, ReferralStatus.COMPLETED})


@dataclass
class Measures:
    """What the dashboard says of a set of referrals."""

    statuses: Counter[str] = field(default_factory=Counter)
    sent: int = 0
    answered: int = 0
    accepted: int = 0  # answered and not declined (withdrawn after acceptance included)
    served: int = 0
    amount: int = 0  # credit disbursed, Rupiah
    days: Counter[int] = field(default_factory=Counter)  # days from sent to served

    def add(self, status: str, sent: bool, answered: bool, n: int, amount: int) -> None:
        self.statuses[status] += n
        self.sent += n if sent else 0
        self.answered += n if answered else 0
        self.accepted += n if answered and status != ReferralStatus.DECLINED else 0
        self.served += n if status in _SERVED else 0
        self.amount += amount

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def acceptance(self) -> float | None:
        return self.accepted / self.answered if self.answered else None

    @property
    def service(self) -> float | None:
        return self.served / self.sent if self.sent else None

    @property
    def median_days(self) -> float | None:
        return median_of(self.days)


def median_of(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many times}."""
    n = sum(histogram.values())
    if n <= 0:
        return None
    middle: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        if count <= 0:
            continue
        for rank in ((n - 1) // 2, n // 2):
            if seen <= rank < seen + count:
                middle.append(value)
        seen += count
    return float(statistics.mean(middle))


@dataclass
class Row:
    """One row of a breakdown: a partner, a category or a child region."""

    key: str
    label: str
    measures: Measures
    referred: Transition | None  # the actors referred (to this partner, category, here)
    others: Transition | None = None  # the actors not referred (regions and the whole only)
    code: str = ""  # a child region's code, to drill down


@dataclass
class Monitoring:
    """Everything the referral dashboard, its exports and the report's section show."""

    figures: Figures  # the analytics figures of the scope: periods, every actor's moves
    overall: Measures
    referred: Transition | None
    others: Transition | None
    groups: dict[str, list[Row]]

    @property
    def scope(self) -> Scope:
        return self.figures.scope

    @property
    def statuses(self) -> list[tuple[str, str, int]]:
        counts = self.overall.statuses
        return [(code, str(label), counts[code]) for code, label in ReferralStatus.choices]


def source_for(scope: Scope) -> Source:
    """The kept counts down to the kab/kota; below it, and for a caseload, the rows."""
    if scope.caseload or scope.depth > TABLE_DEPTH:
        return RowSource(scope.user, scope.roots)
    return TableSource()


def _measures(
    source: Source, regions: Sequence[str], dim: str, by_region: bool = False
) -> dict[str, Measures]:
    """Measures per value of the breakdown (per region instead when `by_region`)."""
    found: dict[str, Measures] = {}
    rows: Iterable[CountRow] = source.referrals(regions, dim)
    for region, value, status, sent, answered, n, amount in rows:
        key = region if by_region else value
        found.setdefault(key, Measures()).add(status, sent, answered, n, amount)
    for (region, value, days), n in source.days(regions, dim).items():
        found.setdefault(region if by_region else value, Measures()).days[days] += n
    return found


Pairs = Callable[[int, int, Sequence[str], str], Counter[tuple[str, str, str, str]]]


def _cells(
    pairs: Pairs, figures: Figures, regions: Sequence[str], dim: str, by_region: bool = False
) -> dict[str, Counter[tuple[str, str]]]:
    """{value (or region): {(level before, level after): actors}} from the earlier period to
    the later one (the counts keep each pair of periods once, the lower id first)."""
    first, second = figures.previous, figures.period
    if first is None or second is None:
        return {}
    flip = first.pk > second.pk
    a, b = (second, first) if flip else (first, second)
    found: dict[str, Counter[tuple[str, str]]] = {}
    for (region, value, la, lb), n in pairs(a.pk, b.pk, regions, dim).items():
        cells = found.setdefault(region if by_region else value, Counter())
        cells[(lb, la) if flip else (la, lb)] += n
    return found


def _others(every: Counter[tuple[str, str]], referred: Counter[tuple[str, str]]) -> Counter[
    tuple[str, str]
]:  # fmt: skip
    rest = Counter(every)
    rest.subtract(referred)
    return +rest


def monitoring_of(figures: Figures) -> Monitoring:
    """The referral figures of the analytics figures' scope and periods."""
    scope = figures.scope
    source = source_for(scope)
    order = scope.order
    moving = figures.previous is not None and figures.period is not None

    def moves(cells: Counter[tuple[str, str]] | None) -> Transition | None:
        return _transition(order, cells or Counter()) if moving else None

    whole = _measures(source, scope.roots, ALL).get("", Measures())
    whole_total = sum(_cells(scope.counts.pairs, figures, scope.roots, ALL).values(), Counter())
    whole_referred = sum(_cells(source.pairs, figures, scope.roots, ALL).values(), Counter())
    groups: dict[str, list[Row]] = {}
    for dim in (PARTNER, CATEGORY):
        measures = _measures(source, scope.roots, dim)
        referred = _cells(source.pairs, figures, scope.roots, dim)
        labels = _labels(dim, measures)
        keys = sorted(measures, key=lambda k: (-measures[k].total, labels[k].lower(), k))
        groups[dim] = [
            Row(key, labels[key], measures[key], moves(referred.get(key))) for key in keys
        ]
    children = [child.code for child in scope.children]
    by_region = _measures(source, children, ALL, by_region=True)
    every = _cells(scope.counts.pairs, figures, children, ALL, by_region=True)
    referred = _cells(source.pairs, figures, children, ALL, by_region=True)
    groups[REGION] = [
        Row(
            child.code,
            child.name,
            by_region.get(child.code, Measures()),
            moves(referred.get(child.code)),
            moves(_others(every.get(child.code, Counter()), referred.get(child.code, Counter()))),
            code=child.code,
        )
        for child in scope.children
    ]
    return Monitoring(
        figures=figures,
        overall=whole,
        referred=moves(whole_referred),
        others=moves(_others(whole_total, whole_referred)),
        groups=groups,
    )


def _labels(dim: str, measures: Mapping[str, Measures]) -> dict[str, str]:
    names: dict[str, str]
    if dim == CATEGORY:
        names = {code: str(label) for code, label in OfferCategory.choices}
    else:
        ids = [int(key) for key in measures if key.isdigit()]
        rows = Partner.objects.filter(pk__in=ids).values_list("pk", "name")
        names = {str(pk): name for pk, name in rows}
    return {key: names.get(key, key) for key in measures}


def dim_titles() -> dict[str, str]:
    return {
        PARTNER: _("By partner"),
        CATEGORY: _("By offer category"),
        REGION: _("By region"),
    }
