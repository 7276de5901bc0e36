"""The referral lifecycle as pure rules: which step may follow which, who takes it, and
what it needs. No database: services apply what these rules allow.

    proposed → sent → accepted → served → completed (outcome recorded)
                    ↘ declined (with reason)
    proposed, sent, accepted → withdrawn (with reason)

The programme side (the Dinas officer or facilitator who referred) proposes, sends and
withdraws; the partner's side accepts, declines, serves and records the outcome. A
national administrator may take either side's step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from django.utils.translation import gettext as _

from sinergi.partners.choices import ReferralStatus as S


class Side(Enum):
    PROGRAMME = "programme"
    PARTNER = "partner"


NEXT: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.SENT, S.WITHDRAWN}),
    S.SENT: frozenset({S.ACCEPTED, S.DECLINED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.SERVED, S.WITHDRAWN}),
    S.SERVED: frozenset({S.COMPLETED}),
    S.DECLINED: frozenset(),
    S.COMPLETED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
TAKEN_BY: dict[str, Side] = {
    S.SENT: Side.PROGRAMME,
    S.WITHDRAWN: Side.PROGRAMME,
    S.ACCEPTED: Side.PARTNER,
    S.DECLINED: Side.PARTNER,
    S.SERVED: Side.PARTNER,
    S.COMPLETED: Side.PARTNER,
}
# Waiting on the partner (overdue when it does not answer in time).
AWAITING_PARTNER = frozenset({S.SENT})
OPEN = frozenset({S.PROPOSED, S.SENT, S.ACCEPTED, S.SERVED})


@dataclass(frozen=True)
class Step:
    """A requested transition and what comes with it."""

    to: str
    reason: str = ""
    amount: int | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Situation:
    """What the rules need to know of the referral and the request."""

    status: str
    sides: frozenset[Side]  # the sides the acting user may take
    credit: bool  # the offer is capital or credit: serving it records an amount
    consented: bool  # the actor consented to sharing with partners
    sent_on: dt.date | None
    today: dt.date


def problems(situation: Situation, step: Step) -> dict[str, list[str]]:
    """Why the step may not be taken, by field ({} when it may)."""
    if step.to not in NEXT:
        return {"to": [_("Unknown status “%(to)s”.") % {"to": step.to}]}
    if step.to not in NEXT[situation.status]:
        return {
            "to": [
                _("A referral that is %(now)s cannot become %(to)s.")
                % {"now": S(situation.status).label.lower(), "to": S(step.to).label.lower()}
            ]
        }
    if TAKEN_BY[step.to] not in situation.sides:
        return {"to": [_("This step is taken by the other side of the referral.")]}
    found: dict[str, list[str]] = {}
    if step.to == S.SENT and not situation.consented:
        found["to"] = [
            _(
                "The actor has not consented to sharing her data with partners "
                "(consent: sharing with partners); record her consent before sending."
            )
        ]
    if step.to in (S.DECLINED, S.WITHDRAWN) and not step.reason.strip():
        found["reason"] = [_("Give the reason.")]
    if step.to == S.COMPLETED and not step.reason.strip():
        found["reason"] = [_("Describe the outcome.")]
    if step.to == S.SERVED:
        found.update(_serving_problems(situation, step))
    elif step.amount is not None:
        found["amount"] = [_("An amount is recorded only when a credit is served.")]
    return found


def _serving_problems(situation: Situation, step: Step) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if step.date is None:
        found["date"] = [_("Give the date the actor was served.")]
    elif step.date > situation.today:
        found["date"] = [_("The date the actor was served cannot be in the future.")]
    elif situation.sent_on and step.date < situation.sent_on:
        found["date"] = [_("The actor cannot be served before the referral was sent.")]
    if situation.credit:
        if step.amount is None:
            found["amount"] = [_("Give the amount of credit disbursed, in Rupiah.")]
        elif step.amount <= 0:
            found["amount"] = [_("The amount must be more than Rp0.")]
    elif step.amount is not None:
        found["amount"] = [_("An amount is recorded only for capital and credit offers.")]
    return found


def overdue(status: str, sent_on: dt.date | None, today: dt.date, days: int) -> bool:
    """Sent and not answered by the partner within `days` days."""
    return status in AWAITING_PARTNER and sent_on is not None and (today - sent_on).days > days
