"""What the programme's referral pages and the partner's inbox share: the filters of a list,
whether a referral is overdue, and the forms of the steps the user's side may take."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.partners import lifecycle, services
from sinergi.partners.choices import OfferCategory, ReferralStatus
from sinergi.partners.forms import ReferralFilterForm, StepForm, refused_into
from sinergi.partners.models import Partner, Referral

PAGE_SIZE = 25
S = ReferralStatus

# The steps in the order they are offered, each with its button and the fields it needs.
STEPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    S.SENT: (gettext_lazy("Send to the partner"), ()),
    S.ACCEPTED: (gettext_lazy("Accept"), ()),
    S.DECLINED: (gettext_lazy("Decline"), ("reason",)),
    S.SERVED: (gettext_lazy("Record as served"), ("date", "amount")),
    S.COMPLETED: (gettext_lazy("Record the outcome"), ("reason",)),
    S.WITHDRAWN: (gettext_lazy("Withdraw"), ("reason",)),
}


def overdue(referral: Referral, today: dt.date) -> bool:
    """Sent and not answered by the partner within REFERRAL_ANSWER_DAYS."""
    sent_on = timezone.localdate(referral.sent_at) if referral.sent_at else None
    return lifecycle.overdue(referral.status, sent_on, today, settings.REFERRAL_ANSWER_DAYS)


def filtered_referrals(
    request: HttpRequest, referrals: QuerySet[Referral]
) -> tuple[ReferralFilterForm, Page[Any]]:
    """The referrals the list's filters choose, a page of them, each with its overdue flag."""
    form = ReferralFilterForm(request.GET, partners=Partner.objects.visible_to(request.user))
    if not form.is_valid():
        referrals = referrals.none()
    else:
        data = form.cleaned_data
        if data["status"]:
            referrals = referrals.filter(status=data["status"])
        if data["partner"]:
            referrals = referrals.filter(partner_id=data["partner"])
        if data["category"]:
            referrals = referrals.filter(terms__category=data["category"])
        if data["overdue"]:
            # Sent on a day before today - N (lifecycle.overdue), as the start of that day.
            days = settings.REFERRAL_ANSWER_DAYS
            first_day = timezone.localdate() - dt.timedelta(days=days)
            start = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
            referrals = referrals.filter(status__in=lifecycle.AWAITING_PARTNER, sent_at__lt=start)
    paginator: Paginator[Any] = Paginator(referrals, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    page.object_list = [{"referral": r, "overdue": overdue(r, today)} for r in page.object_list]
    return form, page


def take_step(
    request: HttpRequest, referral: Referral
) -> tuple[list[dict[str, Any]], Referral | None]:
    """The forms of the steps the user's side may take now, and on a POST the step taken
    (the moved referral) or its form with the service's refusal by field."""
    sides = services.sides_of(request.user, referral)
    possible = [
        to
        for to in STEPS
        if to in lifecycle.NEXT[referral.status] and lifecycle.TAKEN_BY[to] in sides
    ]
    posted = request.POST.get("step", "") if request.method == "POST" else ""
    if request.method == "POST" and (not sides or posted not in STEPS):
        raise PermissionDenied
    credit = referral.terms.get("category") == OfferCategory.CAPITAL
    forms = []
    for to in [*possible, *([posted] if posted and posted not in possible else [])]:
        label, names = STEPS[to]
        form = StepForm(request.POST if to == posted else None, prefix=to)
        if to == S.COMPLETED:
            form.fields["reason"].label = _("Outcome")
        shown = [n for n in names if n != "amount" or credit]
        forms.append({"to": to, "label": label, "form": form, "fields": shown})
        if to == posted and form.is_valid():
            try:
                moved = services.move_referral(
                    user=request.user, referral=referral, step=form.step(to)
                )
            except services.Refused as refused:
                refused_into(form, refused)
            else:
                messages.success(
                    request, _("The referral is now: %(status)s.") % {"status": S(to).label}
                )
                return forms, moved
    return forms, None
