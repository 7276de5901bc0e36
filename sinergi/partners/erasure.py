"""The partners app's part in an actor's rights as a data subject. Her erasure reaches what
it keeps about her (subscribed to privacy.events.erasing): the free text of her referrals
and of their steps, the bodies of the webhook deliveries that carried them to partners, and
the audit rows of her referrals. Her subject-access report lists every referral, so she
learns which partners received her data and when (privacy.events.report_sections)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.audit.services import redact_subject
from sinergi.lib.scope import any_of
from sinergi.partners.models import Delivery, Referral
from sinergi.privacy.events import Scrub, Section
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


def referrals_section(actor: Actor) -> Section:
    """Her referrals: the partner and offer, when it was sent (her data shared), its status."""
    rows = [
        (
            r.partner.name,
            r.terms.get("title", ""),
            timezone.localtime(r.created_at).date().isoformat(),
            timezone.localtime(r.sent_at).date().isoformat() if r.sent_at else None,
            r.get_status_display(),
        )
        for r in Referral.objects.filter(actor=actor).select_related("partner").order_by("id")
    ]
    return Section(
        key="referrals",
        title=_("Referrals to partners (her data shared when sent)"),
        columns=(_("Partner"), _("Offer"), _("Proposed"), _("Sent to the partner"), _("Status")),
        rows=rows,
    )
