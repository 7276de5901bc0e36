"""The referral dashboards' counts: kept exact by the writers, and read.

Kept like the analytics counts (docs/adr/0004): the write services announce each change
inside their own transaction, and the listeners here turn it into signed changes to the
counts (monitoring_slices.Tally) for the actors it touches, summed first, then written with
one upsert per table. They follow three announcements:
- partners.events.referrals_moved: a referral made or moved a step (its state before and
  after travel with the announcement);
- assessments.events.results_moved: counted results changed; only actors with a referral
  sent matter (one query per announcement finds them);
- registry.events.actors_moved: an actor now lives in another desa; only actors with a
  referral matter.
Each listener reads the touched actors' referrals, desa and counted levels (analytics'
copy, CountedResult, for the periods the announcement does not name), computes what they
counted for before and after, and writes the difference.

A dashboard then reads a handful of rows (TableSource) whatever the number of referrals; a
facilitator's caseload and scopes below the kab/kota are counted from the rows the user may
see with the same rules (RowSource). `rebuild` recomputes every count from the rows: for
installing the tables over existing data and for the benchmark, not a routine.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, Protocol, TypeVar

from django.db import connection, transaction
from django.utils import timezone

from sinergi.analytics.models import CountedResult
from sinergi.analytics.scope import TableCounts
from sinergi.analytics.slices import depth_of
from sinergi.assessments.events import ResultMove
from sinergi.assessments.models import Assessment, Period
from sinergi.lib.scope import Principal
from sinergi.partners.events import ReferralMove, ReferralState
from sinergi.partners.models import Referral, ReferralCount, ReferralDays, ReferredTransition
from sinergi.partners.monitoring_slices import (
    ALL,
    EVERY,
    DaysKey,
    Holder,
    Tally,
    median_in,
    median_of,
)
from sinergi.registry.events import ActorMove
from sinergi.registry.models import Actor

_ROWS_PER_STATEMENT = 400  # at most 9 values a row: well under SQLite's 32,766 parameters
_IDS_PER_QUERY = 2000
T = TypeVar("T")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def period_starts() -> dict[int, Any]:
    """Each period's first day (periods keep their dates once created)."""
    return dict(Period.objects.values_list("pk", "starts_on"))


# --- Reading what the actors count for -----------------------------------------------------

_STATE_FIELDS = (
    "pk",
    "actor_id",
    "partner_id",
    "terms__category",
    "status",
    "province_code",
    "regency_code",
    "sent_at",
    "answered_at",
    "served_on",
    "amount",
)


def _state(row: Sequence[Any]) -> ReferralState:
    _pk, _actor, partner, category, status, province, regency, sent, answered, served, amount = row
    return ReferralState(
        partner,
        category or "",
        status,
        province,
        regency,
        timezone.localdate(sent) if sent else None,
        answered is not None,
        served,
        amount,
    )


class Found:
    """Touched actors as the database holds them: desa, referrals by id, levels by period."""

    def __init__(self, referrals: Iterable[Sequence[Any]], levels: Iterable[Sequence[Any]]) -> None:
        self.referrals: dict[int, dict[int, ReferralState]] = {}
        for row in referrals:
            self.referrals.setdefault(row[1], {})[row[0]] = _state(row)
        self.levels: dict[int, dict[int, str]] = {}
        for actor, period, level in levels:
            self.levels.setdefault(actor, {})[period] = level
        self.villages = dict(
            Actor.objects.filter(pk__in=list(self.referrals)).values_list("pk", "village_id")
        )

    def holder(
        self,
        actor: int,
        referrals: Mapping[int, ReferralState] | None = None,
        levels: Mapping[int, str] | None = None,
        village: str | None = None,
    ) -> Holder:
        """The actor as found, with some of it replaced."""
        return Holder(
            self.villages.get(actor, "") if village is None else village,
            tuple((self.referrals.get(actor, {}) if referrals is None else referrals).values()),
            self.levels.get(actor, {}) if levels is None else levels,
        )


def _found(actor_ids: Iterable[int]) -> Found:
    ids = sorted(set(actor_ids))
    referrals: list[Sequence[Any]] = []
    levels: list[Sequence[Any]] = []
    for chunk in _chunks(ids, _IDS_PER_QUERY):
        referrals += Referral.objects.filter(actor_id__in=chunk).values_list(*_STATE_FIELDS)
        levels += CountedResult.objects.filter(actor_id__in=chunk).values_list(
            "actor_id", "period_id", "level"
        )
    return Found(referrals, levels)


# --- Listeners -----------------------------------------------------------------------------


def on_referrals(moves: Sequence[ReferralMove]) -> None:
    """Referrals were made or moved: each touched actor's counts before and after."""
    found = _found(m.actor_id for m in moves)
    olds: dict[int, dict[int, ReferralState | None]] = {}
    news: dict[int, dict[int, ReferralState]] = {}
    for move in moves:
        olds.setdefault(move.actor_id, {}).setdefault(move.referral_id, move.old)
        news.setdefault(move.actor_id, {})[move.referral_id] = move.new
    tally = Tally(period_starts())
    for actor, changed in news.items():
        after = {**found.referrals.get(actor, {}), **changed}
        before = dict(after)
        for referral, old in olds[actor].items():
            if old is None:
                del before[referral]
            else:
                before[referral] = old
        tally.change(found.holder(actor, referrals=before), found.holder(actor, referrals=after))
    _write(tally)


def on_results(moves: Sequence[ResultMove]) -> None:
    """Counted results changed: the transitions of the actors with a referral sent.

    The periods the moves name are taken from the moves (the first old level, the last new
    one); the others from analytics' copy, which they leave as it was whichever listener
    runs first."""
    touched = {m.actor_id for m in moves}
    referred: set[int] = set()
    for chunk in _chunks(sorted(touched), _IDS_PER_QUERY):
        referred.update(
            Referral.objects.filter(actor_id__in=chunk, sent_at__isnull=False)
            .values_list("actor_id", flat=True)
            .distinct()
        )
    if not referred:
        return
    found = _found(referred)
    olds: dict[int, dict[int, str | None]] = {}
    news: dict[int, dict[int, str | None]] = {}
    for move in moves:
        if move.actor_id in referred:
            old = move.old_level if move.old_id is not None else None
            olds.setdefault(move.actor_id, {}).setdefault(move.period_id, old)
            new = move.new_level if move.new_id is not None else None
            news.setdefault(move.actor_id, {})[move.period_id] = new
    tally = Tally(period_starts())
    for actor, changed in news.items():
        copy = found.levels.get(actor, {})
        tally.change(
            found.holder(actor, levels=_levels(copy, olds[actor])),
            found.holder(actor, levels=_levels(copy, changed)),
        )
    _write(tally)


def _levels(copy: Mapping[int, str], changed: Mapping[int, str | None]) -> dict[int, str]:
    found = {**copy, **changed}
    return {period: level for period, level in found.items() if level is not None}


def on_actors(moves: Sequence[ActorMove]) -> None:
    """Actors now live in another desa: their referrals' kecamatan and desa, and their
    transitions, move with them (registrations have no referral yet)."""
    moved = {
        m.actor_id: (m.old.village_code, m.new.village_code)
        for m in moves
        if m.old is not None and m.new is not None and m.old.village_code != m.new.village_code
    }
    if not moved:
        return
    found = _found(moved)
    tally = Tally(period_starts())
    for actor in found.referrals:
        old, new = moved[actor]
        tally.change(found.holder(actor, village=old), found.holder(actor, village=new))
    _write(tally)


# --- Writing the counts --------------------------------------------------------------------


def _add(
    model: type[Any], keys: Sequence[str], sums: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Add signed sums to existing rows, creating missing ones. Rows go in key order, so two
    writers lock shared rows (the nation's) in the same order and never deadlock."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join([*keys, *sums])
    mark = "(" + ", ".join(["%s"] * (len(keys) + len(sums))) + ")"
    update = ", ".join(f"{s} = {table}.{s} + excluded.{s}" for s in sums)
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(rows), _ROWS_PER_STATEMENT):
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([mark] * len(chunk))} "  # noqa: S608
                f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {update}",
                [value for row in chunk for value in row],
            )


def _add_days(deltas: Mapping[DaysKey, int]) -> None:
    """Add to the day histograms, one row per slice: missing rows are made, then the rows
    are read and locked (PostgreSQL) in key order, and written back whole."""
    changes: dict[tuple[str, str, str], Counter[int]] = {}
    for (region, dim, value, days), n in deltas.items():
        if n:
            changes.setdefault((region, dim, value), Counter())[days] += n
    if not changes:
        return
    postgres = connection.vendor == "postgresql"
    table = connection.ops.quote_name(ReferralDays._meta.db_table)
    empty = "(%s, %s, %s, %s::jsonb)" if postgres else "(%s, %s, %s, %s)"
    mark = "(%s, %s, %s, %s::jsonb, %s)" if postgres else "(%s, %s, %s, %s, %s)"
    with connection.cursor() as cursor:
        for chunk in _chunks(sorted(changes), _ROWS_PER_STATEMENT):
            values = ", ".join([empty] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (region, dim, value, histogram) VALUES {values} "  # noqa: S608
                "ON CONFLICT (region, dim, value) DO NOTHING",
                [v for key in chunk for v in (*key, "{}")],
            )
            keys = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"SELECT region, dim, value, histogram FROM {table} "  # noqa: S608
                f"WHERE (region, dim, value) IN (VALUES {keys}) ORDER BY region, dim, value"
                + (" FOR UPDATE" if postgres else ""),
                [v for key in chunk for v in key],
            )
            rows = []
            for region, dim, value, stored in cursor.fetchall():
                histogram: Counter[int] = Counter()
                for days, n in _histogram(stored):
                    histogram[days] += n
                histogram.update(changes[(region, dim, value)])
                kept = [[days, n] for days, n in sorted(histogram.items()) if n]
                rows.append((region, dim, value, json.dumps(kept), median_in(kept)))
            cursor.execute(
                f"INSERT INTO {table} (region, dim, value, histogram, median) "  # noqa: S608
                f"VALUES {', '.join([mark] * len(rows))} ON CONFLICT (region, dim, value) "
                "DO UPDATE SET histogram = excluded.histogram, median = excluded.median",
                [v for row in rows for v in row],
            )


def _write(tally: Tally) -> None:
    counts = [
        (*key, tally.referrals[key], tally.amounts[key])
        for key in tally.referrals.keys() | tally.amounts.keys()
        if tally.referrals[key] or tally.amounts[key]
    ]
    _add(
        ReferralCount,
        ("region", "dim", "value", "status", "sent", "answered"),
        ("referrals", "amount"),
        counts,
    )
    _add_days(tally.days)
    _add(
        ReferredTransition,
        ("period_a_id", "period_b_id", "region", "dim", "value", "level_a", "level_b"),
        ("actors",),
        [(*key, n) for key, n in tally.pairs.items() if n],
    )


def rebuild(chunk: int = 20_000) -> None:
    """Recompute every count from the rows, a chunk of referred actors at a time (the day
    histograms summed over every chunk first, then written once)."""
    starts = period_starts()
    days: Counter[DaysKey] = Counter()
    with transaction.atomic():
        for model in (ReferralCount, ReferralDays, ReferredTransition):
            model.objects.all().delete()
        actors = Referral.objects.order_by("actor_id").values_list("actor_id", flat=True)
        for ids in _chunks(actors.distinct().iterator(chunk_size=chunk), chunk):
            found = _found(ids)
            tally = Tally(starts)
            for actor in found.referrals:
                tally.holder(found.holder(actor), +1)
            days.update(tally.days)
            tally.days.clear()
            _write(tally)
        _add_days(days)


# --- Reading the counts --------------------------------------------------------------------

# region, dim, value, status, sent, answered, referrals, Rupiah
CountRow = tuple[str, str, str, str, bool, bool, int, int]
Histogram = Sequence[Sequence[int]]  # [[days from sent to served, referrals], ...] by days
PairCounts = Counter[tuple[str, str, str, str, str]]  # region, dim, value, la, lb -> actors


class Source(Protocol):
    """Referral counts of a scope: its regions (`roots`) in some breakdowns (`dims`), and its
    child regions as a whole (ALL), read together."""

    def referrals(
        self, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> list[CountRow]: ...

    def medians(
        self, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """The median days from sent to served per (dim, value) over all the roots, and per
        child region; none where nothing was served."""
        ...

    def pairs(
        self, a: int, b: int, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> PairCounts:
        """Referred actors by (level in a, level in b), for period ids a < b."""
        ...


def _histogram(stored: Any) -> Histogram:
    """A kept histogram ([[12, 3], ...], JSON text on SQLite)."""
    found: Histogram = json.loads(stored) if isinstance(stored, str) else stored
    return found


def _summed_medians(rows: Iterable[Sequence[Any]]) -> dict[tuple[str, str], float]:
    """Medians of (dim, value, histogram) rows, the histograms of the same key summed."""
    summed: dict[tuple[str, str], Counter[int]] = {}
    for dim, value, stored in rows:
        histogram = summed.setdefault((dim, value), Counter())
        for days, n in _histogram(stored):
            histogram[days] += n
    return _medians(summed)


class TableSource:
    """The kept counts, one query per table for a whole page (TableCounts reads them with
    plain SQL on the driver's cursor: the ORM's compiler would take longer than the
    database)."""

    reader = TableCounts()

    def _read(
        self,
        model: type[Any],
        columns: str,
        condition: str,
        roots: Sequence[str],
        dims: Sequence[str],
        children: Sequence[str],
        *before: Sequence[Any],
    ) -> Any:
        """Rows of the roots in the dims, and of the children as a whole."""
        where = "region IN (*) AND dim IN (*)"
        lists: list[Sequence[Any]] = [roots, dims]
        if children:
            where = f"(({where}) OR (region IN (*) AND dim IN (*)))"
            lists += [children, [ALL]]
        return self.reader._rows(model, columns, f"{condition}{where}", *before, *lists)

    def referrals(
        self, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> list[CountRow]:
        rows = self._read(
            ReferralCount,
            "region, dim, value, status, sent, answered, referrals, amount",
            "(referrals <> 0 OR amount <> 0) AND ",
            roots,
            dims,
            children,
        )
        return [(r, d, v, s, bool(x), bool(y), n, a) for r, d, v, s, x, y, n, a in rows]

    def medians(
        self, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        one = len(roots) == 1  # a root's medians are kept; several roots' are summed
        columns, condition = "region, dim, value, median", "median IS NOT NULL AND "
        if one:
            rows = self._read(ReferralDays, columns, condition, roots, dims, children)
        else:
            rows = self._read(ReferralDays, columns, condition, children, [ALL], [])
        whole = {(d, v): m for r, d, v, m in rows if r in roots and d in dims}
        by_child = {r: m for r, d, v, m in rows if r in children and d == ALL}
        if not one:
            histograms = self.reader._rows(
                ReferralDays, "dim, value, histogram", "region IN (*) AND dim IN (*)", roots, dims
            )
            whole = _summed_medians(histograms)
        return whole, by_child

    def pairs(
        self, a: int, b: int, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> PairCounts:
        rows = self._read(
            ReferredTransition,
            "region, dim, value, level_a, level_b, actors",
            "period_a_id IN (*) AND period_b_id IN (*) AND actors <> 0 AND ",
            roots,
            dims,
            children,
            [a],
            [b],
        )
        return Counter({(r, d, v, la, lb): n for r, d, v, la, lb, n in rows})


class RowSource:
    """The referrals a user may see in some regions (a caseload, a kecamatan, a desa),
    counted directly from the rows with the same rules at every depth."""

    def __init__(self, user: Principal, roots: Sequence[str], children: Sequence[str]) -> None:
        visible = Referral.objects.visible_to(user).within(*roots)
        rows = list(visible.values_list(*_STATE_FIELDS))
        actors = sorted({row[1] for row in rows})
        levels = (
            Assessment.objects.visible_to(user)
            .filter(counted=True, actor_id__in=actors)
            .values_list("actor_id", "period_id", "level")
            if actors
            else []
        )
        found = Found(rows, levels)
        # Only the depths read: the roots' in every breakdown, the children's as a whole.
        tops = {depth_of(root) for root in roots}
        below = tops | {depth_of(child) for child in children}
        depths = {dim: tuple(sorted(below if dim == ALL else tops)) for dim in EVERY}
        self.tally = Tally(period_starts(), depths)
        for actor in found.referrals:
            self.tally.holder(found.holder(actor), +1)

    @staticmethod
    def _wanted(
        roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> Callable[[str, str], bool]:
        tops, kinds, below = set(roots), set(dims), set(children)
        return lambda region, dim: (region in tops and dim in kinds) or (
            region in below and dim == ALL
        )

    def referrals(
        self, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> list[CountRow]:
        wanted = self._wanted(roots, dims, children)
        tally = self.tally
        return [
            (r, d, v, s, x, y, tally.referrals[key], tally.amounts[key])
            for key in {*tally.referrals, *tally.amounts}
            for r, d, v, s, x, y in [key]
            if wanted(r, d) and (tally.referrals[key] or tally.amounts[key])
        ]

    def medians(
        self, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        tops, kinds, below = set(roots), set(dims), set(children)
        whole: dict[tuple[str, str], Counter[int]] = {}
        by_child: dict[str, Counter[int]] = {}
        for (r, d, v, days), n in self.tally.days.items():
            if r in tops and d in kinds:
                whole.setdefault((d, v), Counter())[days] += n
            if r in below and d == ALL:
                by_child.setdefault(r, Counter())[days] += n
        return _medians(whole), _medians(by_child)

    def pairs(
        self, a: int, b: int, roots: Sequence[str], dims: Sequence[str], children: Sequence[str]
    ) -> PairCounts:
        wanted = self._wanted(roots, dims, children)
        return Counter(
            {
                (r, d, v, la, lb): n
                for (pa, pb, r, d, v, la, lb), n in self.tally.pairs.items()
                if (pa, pb) == (a, b) and wanted(r, d)
            }
        )


K = TypeVar("K")


def _medians(histograms: Mapping[K, Mapping[int, int]]) -> dict[K, float]:
    found = {key: median_of(histogram) for key, histogram in histograms.items()}
    return {key: median for key, median in found.items() if median is not None}
