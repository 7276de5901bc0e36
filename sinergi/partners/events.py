"""What the partners app announces (see sinergi.lib.events)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from django.utils import timezone

from sinergi.lib.events import event

if TYPE_CHECKING:
    from sinergi.partners.models import Referral


@event
def referral_changed(referral: Referral, webhook_event: str, /) -> None:
    """A referral the partner can see changed: it was sent ("referral.created", the moment
    it reaches the partner) or moved on after that ("referral.updated"). Fires inside the
    transaction of partners.services.move_referral. Subscribers:
    sinergi.partners.tasks.on_referral_changed (queues, through partners.webhooks, a delivery
    to each of the partner's webhooks that wants the event)."""


class ReferralState(NamedTuple):
    """What the referral monitoring counts of a referral, as plain values (local dates)."""

    partner_id: int
    category: str  # of the terms it was made under
    status: str
    province_code: str
    regency_code: str
    sent_on: dt.date | None
    answered: bool  # the partner accepted or declined it
    served_on: dt.date | None
    amount: int | None


def state_of(referral: Referral) -> ReferralState:
    return ReferralState(
        referral.partner_id,
        str(referral.terms.get("category", "")),
        referral.status,
        referral.province_code,
        referral.regency_code,
        timezone.localdate(referral.sent_at) if referral.sent_at else None,
        referral.answered_at is not None,
        referral.served_on,
        referral.amount,
    )


class ReferralMove(NamedTuple):
    """A referral was made (`old` None) or took a step: its state before and after."""

    referral_id: int
    actor_id: int
    old: ReferralState | None
    new: ReferralState


@event
def referrals_moved(moves: Sequence[ReferralMove], /) -> None:
    """Referrals were made or took a step: fires inside the transaction of
    partners.services.propose_referral and move_referral, once per write.

    Subscribers: sinergi.partners.monitoring_counts.on_referrals (wired in subscribe() below),
    which keeps the referral dashboards' counts.
    """


def subscribe() -> None:
    """The partners app's subscriptions, wired at start-up (PartnersConfig.ready): webhooks
    follow referrals; an erasure and the subject-access report reach what the app keeps
    about an actor; the referral dashboards' counts follow referrals, counted results and
    where actors live (docs/adr/0004, as the analytics counts do); the PDF report gets a
    referrals section."""
    from sinergi.analytics import report
    from sinergi.assessments import events as assessments
    from sinergi.partners import erasure, monitoring_counts, monitoring_report, tasks
    from sinergi.privacy import events as privacy
    from sinergi.registry import events as registry

    referral_changed.subscribe(tasks.on_referral_changed)
    privacy.erasing.subscribe(erasure.on_erasing)
    if erasure.referrals_section not in privacy.report_sections:
        privacy.report_sections.append(erasure.referrals_section)
    referrals_moved.subscribe(monitoring_counts.on_referrals)
    assessments.results_moved.subscribe(monitoring_counts.on_results)
    registry.actors_moved.subscribe(monitoring_counts.on_actors)
    if monitoring_report.report_sections not in report.extra_sections:
        report.extra_sections.append(monitoring_report.report_sections)
