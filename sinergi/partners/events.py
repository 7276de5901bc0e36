"""What the partners app announces (see sinergi.lib.events)."""

from __future__ import annotations

from typing import TYPE_CHECKING

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


def subscribe() -> None:
    """Wired at start-up (PartnersConfig.ready)."""
    from sinergi.partners import erasure, tasks
    from sinergi.privacy import events as privacy

    referral_changed.subscribe(tasks.on_referral_changed)
    privacy.erasing.subscribe(erasure.on_erasing)
    if erasure.referrals_section not in privacy.report_sections:
        privacy.report_sections.append(erasure.referrals_section)
