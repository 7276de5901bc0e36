"""Background tasks of the partners app: webhook deliveries, each task taking only the
delivery's id (partners.webhooks does the work)."""

from __future__ import annotations

import functools

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sinergi.partners import services, webhooks
from sinergi.partners.choices import DeliveryStatus
from sinergi.partners.models import Referral


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def deliver(delivery_id: int) -> None:
    """One attempt of a delivery, and the next one scheduled when it failed with attempts
    left. Harmless twice: only a pending delivery whose time has come is attempted."""
    delivery = webhooks.attempt(delivery_id)
    if (
        delivery is not None
        and delivery.status == DeliveryStatus.PENDING
        and delivery.next_attempt_at is not None
    ):
        # A second late: a task that wakes up before its time does nothing.
        delay = (delivery.next_attempt_at - timezone.now()).total_seconds() + 1
        deliver.schedule(args=(delivery.pk,), delay=max(delay, 1))


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def deliver_due() -> None:
    """Deliveries whose attempt is due but whose task was lost (a consumer that restarted
    forgets the retries it had scheduled; a worker died mid-attempt): queued again."""
    for delivery_id in webhooks.due():
        deliver(delivery_id)


def on_referral_changed(referral: Referral, webhook_event: str, /) -> None:
    """Subscriber of partners.events.referral_changed: the deliveries are written in the
    writer's transaction and sent once it has committed (never for a change rolled back)."""
    for delivery in webhooks.queue_deliveries(referral, webhook_event):
        transaction.on_commit(functools.partial(deliver, delivery.pk))


@db_periodic_task(crontab(hour="18", minute="30"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def expire_agreements() -> None:
    """Agreements past their end date become expired, daily (01:30 WIB)."""
    services.expire_agreements(today=timezone.localdate())
