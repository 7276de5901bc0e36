"""An actor's erasure reaches what the partners app keeps about her (subscribed to
privacy.events.erasing): the free text of her referrals and of their steps, the bodies of
the webhook deliveries that carried them to partners, and the audit rows of her referrals."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q

from sinergi.audit.services import redact_subject
from sinergi.lib.scope import any_of
from sinergi.partners.models import Delivery, Referral
from sinergi.privacy.events import Scrub
from sinergi.registry.models import Actor

# Audit row keys of a referral that may carry her words.
_AUDITED = ("note", "reason", "outcome")


def on_erasing(actor: Actor, needles: Sequence[str], pseudonym: str, scrub: Scrub, /) -> None:
    referrals = list(Referral.objects.filter(actor=actor))
    for referral in referrals:
        for name in ("note", "reason", "outcome"):
            setattr(referral, name, scrub(getattr(referral, name), needles, pseudonym))
        referral.save(update_fields=["note", "reason", "outcome", "updated_at"])
        for step in referral.steps.exclude(reason=""):
            step.reason = str(scrub(step.reason, needles, pseudonym))
            step.save(update_fields=["reason"])
        redact_subject(
            object_type="referral",
            object_id=str(referral.pk),
            fields=_AUDITED,
            replacement=pseudonym,
        )
    partners = {referral.partner_id for referral in referrals}
    naming = any_of([Q(body__icontains=needle) for needle in needles])
    if not partners or naming is None:
        return
    for delivery in Delivery.objects.filter(naming, webhook__partner_id__in=partners):
        delivery.body = str(scrub(delivery.body, needles, pseudonym))
        delivery.save(update_fields=["body"])
