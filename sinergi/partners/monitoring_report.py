"""The referrals section of the PDF report (analytics.report): the referral dashboard's
figures for the report's own scope and periods, for every user who has the report."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sinergi.analytics.exports import Table
from sinergi.analytics.figures import Figures
from sinergi.analytics.report import Section
from sinergi.partners.monitoring import monitoring_of
from sinergi.partners.monitoring_display import moves_chart, printed, status_chart, tables
from sinergi.partners.monitoring_slices import PARTNER

# The columns a printed page holds (the exports have them all).
_PRINTED = (
    "referrals",
    "sent",
    "acceptance_rate",
    "service_rate",
    "median_days",
    "credit",
    "referred_up_share",
    "not_referred_up_share",
)


def _narrow(table: Table) -> Table:
    if table.name in ("summary", "status"):
        return printed(table)
    keep = [i for i, (code, _header) in enumerate(table.measures) if code in _PRINTED]
    return printed(
        Table(
            table.name,
            table.title,
            table.key_header,
            table.label_header,
            [table.measures[i] for i in keep],
            [(key, label, [values[i] for i in keep]) for key, label, values in table.rows],
        )
    )


def report_sections(figures: Figures) -> list[Section]:
    """The section, when the scope holds referrals."""
    found = monitoring_of(figures)
    if not found.overall.total:
        return []
    charts = [moves_chart(found), status_chart(found, PARTNER, lambda code: "")]
    return [
        Section(
            "referrals",
            _("Referrals to partners"),
            [chart for chart in charts if chart is not None],
            [_narrow(table) for table in tables(found)],
        )
    ]
