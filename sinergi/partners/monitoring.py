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

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sinergi.analytics.figures import Figures, Transition, _transition
from sinergi.analytics.scope import Scope
from sinergi.partners.choices import OfferCategory, ReferralStatus
from sinergi.partners.models import Partner
from sinergi.partners.monitoring_counts import RowSource, Source, TableSource
from sinergi.partners.monitoring_slices import ALL, CATEGORY, PARTNER, TABLE_DEPTH

REGION = "region"
BREAKDOWNS = (ALL, PARTNER, CATEGORY)  # kept for the scope; child regions as a whole
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
    median_days: float | None = None  # from sent to served

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
        return RowSource(scope.user, scope.roots, [child.code for child in scope.children])
    return TableSource()


Key = tuple[str, str]  # dim, and a value of it (or a region, by region)
Cells = Counter[tuple[str, str]]  # (level before, level after) -> actors


def _measures(
    source: Source, roots: Sequence[str], children: Sequence[str]
) -> tuple[dict[Key, Measures], dict[str, Measures]]:
    """Measures per breakdown and value over the roots, and per child region."""
    whole: dict[Key, Measures] = {}
    by_child: dict[str, Measures] = {}
    tops, below = set(roots), set(children)
    for region, dim, value, status, sent, answered, n, amount in source.referrals(
        roots, BREAKDOWNS, children
    ):
        if region in tops:
            measures = whole.get((dim, value))
            if measures is None:
                measures = whole[(dim, value)] = Measures()
            measures.add(status, sent, answered, n, amount)
        if region in below and dim == ALL:
            measures = by_child.get(region)
            if measures is None:
                measures = by_child[region] = Measures()
            measures.add(status, sent, answered, n, amount)
    medians, child_medians = source.medians(roots, BREAKDOWNS, children)
    for key, median in medians.items():
        whole.setdefault(key, Measures()).median_days = median
    for region, median in child_medians.items():
        by_child.setdefault(region, Measures()).median_days = median
    return whole, by_child


def _cells(
    rows: Mapping[tuple[str, str, str, str, str], int],
    flip: bool,
    roots: Sequence[str],
    children: Sequence[str],
) -> tuple[dict[Key, Cells], dict[str, Cells]]:
    """Cells per breakdown and value over the roots, and per child region, from pairs
    counted with the lower period id first, turned to read from the earlier period to the
    later one."""
    whole: dict[Key, Cells] = {}
    by_child: dict[str, Cells] = {}
    tops, below = set(roots), set(children)
    for (region, dim, value, la, lb), n in rows.items():
        cell = (lb, la) if flip else (la, lb)
        if region in tops:
            whole.setdefault((dim, value), Counter())[cell] += n
        if region in below and dim == ALL:
            by_child.setdefault(region, Counter())[cell] += n
    return whole, by_child


def _others(every: Cells | None, referred: Cells | None) -> Cells:
    rest = Counter(every or {})
    rest.subtract(referred or {})
    return +rest


def monitoring_of(figures: Figures) -> Monitoring:
    """The referral figures of the analytics figures' scope and periods."""
    scope = figures.scope
    source = source_for(scope)
    roots, children = scope.roots, [child.code for child in scope.children]
    measures, by_region = _measures(source, roots, children)
    first, second = figures.previous, figures.period
    referred: dict[Key, Cells] = {}  # (dim, value): the actors referred
    referred_in: dict[str, Cells] = {}  # the same by child region
    every: dict[str, Cells] = {}  # region (a root or a child): every actor, from analytics
    moving = first is not None and second is not None
    if first is not None and second is not None:
        flip = first.pk > second.pk
        a, b = (second.pk, first.pk) if flip else (first.pk, second.pk)
        pairs = source.pairs(a, b, roots, BREAKDOWNS, children)
        referred, referred_in = _cells(pairs, flip, roots, children)
        for (region, _v, la, lb), n in scope.counts.pairs(a, b, [*roots, *children], ALL).items():
            every.setdefault(region, Counter())[(lb, la) if flip else (la, lb)] += n
    everyone = sum((every.get(root, Counter()) for root in roots), Counter())

    def moves(cells: Cells | None) -> Transition | None:
        return _transition(scope.order, cells or Counter()) if moving else None

    groups: dict[str, list[Row]] = {}
    for dim in (PARTNER, CATEGORY):
        mine = {value: m for (d, value), m in measures.items() if d == dim}
        labels = _labels(dim, mine)
        keys = sorted(mine, key=lambda k: (-mine[k].total, labels[k].lower(), k))
        groups[dim] = [
            Row(key, labels[key], mine[key], moves(referred.get((dim, key)))) for key in keys
        ]
    groups[REGION] = [
        Row(
            child.code,
            child.name,
            by_region.get(child.code, Measures()),
            moves(referred_in.get(child.code)),
            moves(_others(every.get(child.code), referred_in.get(child.code))),
            code=child.code,
        )
        for child in scope.children
    ]
    whole = (ALL, "")
    return Monitoring(
        figures=figures,
        overall=measures.get(whole, Measures()),
        referred=moves(referred.get(whole)),
        others=moves(_others(everyone, referred.get(whole))),
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
