"""What a partner's staff may know of a referral: the minimum needed to serve the actor
(her name, phone, village, business and level, the reasons of the referral, its state).
Never her NIK in any form, her birth date, address or income. Every page, API answer,
export and webhook payload for a partner is built here and only here."""

from __future__ import annotations

from typing import Any

from sinergi.assessments.instrument.definition import Definition
from sinergi.partners.models import Referral
from sinergi.partners.words import reasons_text


def for_partner(referral: Referral, definition: Definition | None) -> dict[str, Any]:
    """The referral as its partner sees it (its actor, offer and village loaded)."""
    actor = referral.actor
    return {
        "id": referral.pk,
        "status": referral.status,
        "offer": {
            "id": referral.offer_id,
            "title": referral.terms.get("title", ""),
            "category": referral.terms.get("category", ""),
            "revision": referral.terms.get("revision", 1),
        },
        "actor": {
            "name": actor.name,
            "phone": actor.phone,
            "village": actor.village.name,
            "village_code": actor.village_id,
            "business_name": actor.business_name,
            "sector": actor.sector,
            "products": actor.products,
            "level": referral.level,
        },
        "reasons": reasons_text(referral.reasons, definition),
        "note": referral.note,
        "sent_at": referral.sent_at.isoformat() if referral.sent_at else None,
        "reason": referral.reason,
        "served_on": referral.served_on.isoformat() if referral.served_on else None,
        "amount": referral.amount,
        "outcome": referral.outcome,
        "updated_at": referral.updated_at.isoformat(),
    }


# What a partner query must load for for_partner without a query per row.
PARTNER_RELATED = ("actor", "actor__village")
