"""What the referral dashboard shows, built once from its figures: tables (the exports'
sheets and the report's tables) and SVG charts, shared by the page, the exports and the PDF
report so that all three say the same thing."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from sinergi.analytics.display import count, move_series, percent
from sinergi.analytics.exports import Table
from sinergi.analytics.figures import Transition
from sinergi.lib import charts
from sinergi.lib.charts import DOWN, PALETTE, UP, Bar, Series
from sinergi.lib.formatting import rupiah
from sinergi.partners.monitoring import REGION, Measures, Monitoring, Row, dim_titles
from sinergi.partners.monitoring_slices import CATEGORY, PARTNER

Value = int | float | str | None


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _days(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def measure_columns() -> list[tuple[str, str]]:
    return [
        ("referrals", _("Referrals")),
        ("sent", _("Sent")),
        ("answered", _("Answered")),
        ("accepted", _("Accepted")),
        ("served", _("Served")),
        ("acceptance_rate", _("Acceptance rate")),
        ("service_rate", _("Service rate")),
        ("median_days", _("Median days from sent to served")),
        ("credit", _("Credit disbursed (Rp)")),
    ]


def _measure_values(m: Measures) -> list[Value]:
    return [
        m.total,
        m.sent,
        m.answered,
        m.accepted,
        m.served,
        _share(m.acceptance),
        _share(m.service),
        _days(m.median_days),
        m.amount,
    ]


def move_columns(prefix: str, title: str) -> list[tuple[str, str]]:
    return [
        (f"{prefix}_both_periods", _("%(group)s: in both periods") % {"group": title}),
        (f"{prefix}_up", _("%(group)s: moved up") % {"group": title}),
        (f"{prefix}_up_share", _("%(group)s: share moved up") % {"group": title}),
    ]


def _move_values(moves: Transition | None) -> list[Value]:
    if moves is None:
        return [None, None, None]
    return [moves.total, moves.up, _share(moves.up_share) if moves.total else None]


def tables(found: Monitoring) -> list[Table]:
    """The dashboard's tables with raw values (shares from 0 to 1, days, whole Rupiah)."""
    moving = found.referred is not None
    referred, others = _("Referred"), _("Not referred")
    whole = found.overall
    summary_rows: list[tuple[str, str, list[Any]]] = [
        (code, header, [value])
        for (code, header), value in zip(measure_columns(), _measure_values(whole), strict=True)
    ]
    if moving:
        for prefix, title, moves in (
            ("referred", referred, found.referred),
            ("not_referred", others, found.others),
        ):
            summary_rows += [
                (code, header, [value])
                for (code, header), value in zip(
                    move_columns(prefix, title), _move_values(moves), strict=True
                )
            ]
    found_tables = [
        Table(
            "summary", _("Summary"), _("Figure"), _("Name"), [("value", _("Value"))], summary_rows
        ),
        Table(
            "status",
            _("By status"),
            _("Status"),
            _("Name"),
            [("referrals", _("Referrals"))],
            [(code, label, [n]) for code, label, n in found.statuses],
        ),
    ]
    titles = dim_titles()
    for dim in (PARTNER, CATEGORY, REGION):
        columns = measure_columns()
        if moving:
            columns += move_columns("referred", referred)
            if dim == REGION:
                columns += move_columns("not_referred", others)
        found_tables.append(
            Table(
                dim,
                titles[dim],
                _("Code") if dim == REGION else _("Key"),
                _("Name"),
                columns,
                [
                    (row.code or row.key, row.label, _row_values(row, dim, moving))
                    for row in found.groups[dim]
                ],
            )
        )
    return found_tables


def _row_values(row: Row, dim: str, moving: bool) -> list[Value]:
    values = _measure_values(row.measures)
    if moving:
        values += _move_values(row.referred)
        if dim == REGION:
            values += _move_values(row.others)
    return values


def shown(code: str, value: Value) -> str:
    """A table value as a reader reads it: counts grouped, shares in %, Rupiah."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if code.endswith(("_rate", "_share")):
        return percent(value)
    if code == "credit":
        return rupiah(value)
    if code == "median_days":
        return f"{value:g}"
    return count(value)


def printed(table: Table) -> Table:
    """The same table with its values as they are read (the PDF report)."""
    rows = []
    for key, label, values in table.rows:
        codes = [code for code, _header in table.measures]
        if table.name == "summary":
            codes = [key]
        rows.append((key, label, [shown(c, v) for c, v in zip(codes, values, strict=True)]))
    return Table(
        table.name, table.title, table.key_header, table.label_header, table.measures, rows
    )


# --- The page's tables -------------------------------------------------------------------------


class Written:
    """Numbers as the reader's language writes them (83.762 / 83,762; 12,5 / 12.5), its
    separators looked up once: number_format costs ten times as much, and a page prints a
    thousand numbers."""

    def __init__(self) -> None:
        self.thousands = str(get_format("THOUSAND_SEPARATOR"))
        self.point = str(get_format("DECIMAL_SEPARATOR"))

    def count(self, value: float) -> str:
        return f"{round(value):,}".replace(",", self.thousands)

    def decimal(self, value: float, places: int) -> str:
        return f"{value:.{places}f}".replace(".", self.point)

    def share(self, value: float | None) -> str:
        return "—" if value is None else f"{self.decimal(value * 100, 1)}%"

    def days(self, value: float | None) -> str:
        if value is None:
            return "—"
        return self.decimal(value, 0 if value == int(value) else 1)


@dataclass
class Line:
    """A row of a breakdown table as the page prints it: its label, where it drills down
    to, and its cells, each labelled with its column for narrow screens."""

    label: str
    href: str
    cells: SafeString


def _cells(headers: Sequence[str], texts: Sequence[str]) -> SafeString:
    """The cells of a row as HTML (headers already escaped): a page has a thousand of them,
    and the template engine takes ten times longer to print each one."""
    return mark_safe(  # noqa: S308 - every text escaped
        "".join(
            f'<td class="num" data-label="{header}">{escape(text)}</td>'
            for header, text in zip(headers, texts, strict=True)
        )
    )


def page_table(found: Monitoring, dim: str, top: str) -> tuple[list[str], list[Line]]:
    """The headers and rows of a breakdown on the page, every value already written out."""
    moving = found.referred is not None
    headers = [
        _("Referrals"),
        _("Sent"),
        _("Acceptance rate"),
        _("Service rate"),
        _("Median days"),
        _("Credit disbursed"),
    ]
    if moving:
        headers += [_("Referred, in both periods"), _("Referred, share moved up")]
        if dim == REGION:
            headers.append(_("Not referred, share moved up"))
    lines = []
    w = Written()
    labels = [escape(header) for header in headers]
    for row in found.groups[dim]:
        m = row.measures
        cells = [
            w.count(m.total),
            w.count(m.sent),
            w.share(m.acceptance),
            w.share(m.service),
            w.days(m.median_days),
            rupiah(m.amount),
        ]
        if moving:
            referred = row.referred
            cells += [
                w.count(referred.total) if referred else "—",
                w.share(referred.up_share) if referred and referred.total else "—",
            ]
            if dim == REGION:
                others = row.others
                cells.append(w.share(others.up_share) if others and others.total else "—")
        href = f"?region={row.code}&{top}" if row.code else ""
        lines.append(Line(row.label, href, _cells(labels, cells)))
    return headers, lines


# --- Charts ----------------------------------------------------------------------------------

CHARTED = 15  # partners a chart shows, those with the most referrals (the table has them all)


# How a referral stands, for the charts: under way, served, or not taken up.
OUTCOMES = (
    (("proposed", "sent", "accepted"), PALETTE[1]),
    (("served", "completed"), UP),
    (("declined", "withdrawn"), DOWN),
)


def outcome_series() -> list[Series]:
    names = (_("Under way"), _("Served"), _("Declined or withdrawn"))
    return [Series(name, colour) for name, (_s, colour) in zip(names, OUTCOMES, strict=True)]


def status_chart(found: Monitoring, dim: str, link: Callable[[str], str]) -> SafeString | None:
    """Referrals under way, served, declined or withdrawn: one bar per partner (those with
    the most referrals), category or child region."""
    rows = [row for row in found.groups[dim] if row.measures.total]
    if dim == PARTNER:
        rows = rows[:CHARTED]  # the rows come with the most referrals first
    if not rows:
        return None
    bars = [
        Bar(
            row.label,
            [sum(row.measures.statuses[code] for code in codes) for codes, _c in OUTCOMES],
            link(row.code) if row.code else "",
        )
        for row in rows
    ]
    return charts.stacked_bars(
        chart_id=f"chart-referrals-{dim}",
        title=_("Referrals and what came of them, %(breakdown)s")
        % {"breakdown": dim_titles()[dim].lower()},
        desc="; ".join(f"{bar.label}: {count(bar.total)}" for bar in bars),
        series=outcome_series(),
        bars=bars,
        fmt=count,
    )


def moves_chart(found: Monitoring) -> SafeString | None:
    """Moved up, stayed, fell back: the referred against the others, then each partner's."""
    if found.referred is None or found.others is None:
        return None
    groups: list[tuple[str, Transition | None]] = [
        (_("Referred"), found.referred),
        (_("Not referred"), found.others),
    ]
    partners = sorted(
        (row for row in found.groups[PARTNER] if row.referred and row.referred.total),
        key=lambda row: -(row.referred.total if row.referred else 0),
    )
    groups += [(f"→ {row.label}", row.referred) for row in partners[:CHARTED]]
    bars = [
        Bar(label, [moves.up, moves.same, moves.down])
        for label, moves in groups
        if moves is not None and moves.total
    ]
    if not bars:
        return None
    previous, period = found.figures.previous, found.figures.period
    names = {
        "from": previous.code if previous else "",
        "to": period.code if period else "",
    }
    return charts.stacked_bars(
        chart_id="chart-referred-moves",
        title=_("From %(from)s to %(to)s: referred actors and the others") % names,
        desc="; ".join(
            _("%(group)s: %(share)s moved up")
            % {"group": bar.label, "share": percent(bar.values[0] / bar.total)}
            for bar in bars
        ),
        series=move_series(),
        bars=bars,
        fmt=count,
        percent=True,
    )
