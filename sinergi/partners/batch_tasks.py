"""The referral batch: each chosen actor's top match proposed and sent, as a job (a
ReferralBatch row run by lib.runner), and its background tasks, which take only its id.

A run goes through the actors a chunk at a time, as the user who started it: an actor she
may no longer change, or with no eligible offer among those she may read, is passed over
with a message; so is one who already has a referral to that offer under way, which is what
makes a run again harmless. A referral is proposed through partners.services and sent
through its lifecycle, so every rule holds as it does on the page: an actor who has not
consented to sharing with partners keeps her referral proposed, and the message names the
consent.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import close_db, db_periodic_task, db_task, on_startup

from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.lib.runner import ChunkedJob, recover, run
from sinergi.lib.scope import Do
from sinergi.partners import services
from sinergi.partners.choices import ReferralStatus
from sinergi.partners.facts import matches_for
from sinergi.partners.lifecycle import Step
from sinergi.partners.models import Offer, ReferralBatch
from sinergi.registry.models import Actor

CHUNK = 50


class ReferralRun(ChunkedJob[ReferralBatch]):
    """One run of a ReferralBatch (see the module's docstring)."""

    progress_fields = (
        "total",
        "processed",
        "sent_count",
        "proposed_count",
        "skipped_count",
        "messages",
    )
    # A run again finds the referrals already made under way, so it counts from the start.
    restarted = dict.fromkeys(("processed", "sent_count", "proposed_count", "skipped_count"), 0)
    given_up = _(
        "The batch stopped: its process was killed %(attempts)s times. The referrals made "
        "for the first %(processed)s actors are kept; start a batch again for the rest: "
        "referrals already under way are left as they are."
    )

    def load(self) -> None:
        self.user = self.job.created_by
        self.job.messages = []

    def read(self) -> Generator[int | list[int], None, None]:
        ids = [int(i) for i in self.job.actor_ids]
        yield len(ids)
        for start in range(0, len(ids), CHUNK):
            yield ids[start : start + CHUNK]

    def start(self, total: int) -> None:
        self.job.total = total

    def write(self, chunk: list[int]) -> None:
        actors = Actor.objects.visible_to(self.user, Do.CHANGE).filter(pk__in=chunk)
        found = {actor.pk: actor for actor in actors}
        today = timezone.localdate()
        tops = matches_for(self.user, list(found.values()), today, limit=1)
        offers = Offer.objects.in_bulk(m[0].offer for m in tops.values() if m)
        for actor_id in chunk:
            actor = found.get(actor_id)
            if actor is None:
                self._pass(actor_id, _t("Not found, or outside the regions you may change."))
            elif not tops.get(actor_id):
                self._pass(actor_id, _t("No eligible offer."))
            else:
                self._refer(actor, offers[tops[actor_id][0].offer])
            self.job.processed += 1

    def _refer(self, actor: Actor, offer: Offer) -> None:
        if services.open_referral(actor, offer) is not None:
            self._pass(actor.pk, _t("A referral to %(offer)s is already under way.") % _of(offer))
            return
        try:
            referral = services.propose_referral(
                user=self.user, actor=actor, offer=offer, note=self.job.note
            )
        except services.Refused as refused:
            self._pass(actor.pk, str(refused))
            return
        try:
            services.move_referral(
                user=self.user, referral=referral, step=Step(ReferralStatus.SENT)
            )
        except services.Refused as refused:
            self.job.proposed_count += 1
            self._say(actor.pk, _t("Proposed to %(offer)s, not sent: ") % _of(offer) + str(refused))
            return
        self.job.sent_count += 1

    def _pass(self, actor_id: int, reason: str) -> None:
        self.job.skipped_count += 1
        self._say(actor_id, reason)

    def _say(self, actor_id: int, reason: str) -> None:
        self.job.messages.append({"actor": actor_id, "reason": reason, "level": "warning"})

    def failed(self, error: Exception | None) -> None:
        self.job.messages.append(
            {
                "actor": None,
                "reason": _t("The batch stopped on an unexpected error."),
                "level": "error",
            }
        )

    def summary(self) -> dict[str, Any]:
        job = self.job
        return {
            "total": job.total,
            "sent": job.sent_count,
            "proposed": job.proposed_count,
            "skipped": job.skipped_count,
        }

    def audit(self, after: dict[str, Any]) -> None:
        record(self.user, Action.UPDATE, self.job, after=after)

    @classmethod
    def stopped(cls, job: ReferralBatch, reason: str) -> dict[str, Any]:
        return {"messages": [*job.messages, {"actor": None, "reason": reason, "level": "error"}]}


def _of(offer: Offer) -> dict[str, str]:
    return {"offer": offer.title}


def run_batch(batch_id: int) -> ReferralBatch | None:
    """Run a queued batch once (lib.runner.run); None when it is not queued."""
    return run(ReferralBatch, batch_id, ReferralRun, related=("created_by",))


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def run_referral_batch(batch_id: int) -> None:
    run_batch(batch_id)


def enqueue(batch: ReferralBatch) -> None:
    run_referral_batch(batch.pk)


def recover_batches(enqueue: Callable[[ReferralBatch], None]) -> list[ReferralBatch]:
    """Batches whose process died run again from the first actor, or fail saying which were
    kept (lib.runner.recover)."""
    return recover(ReferralBatch, ReferralRun, enqueue)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey ships no type hints
def recover_stalled_batches() -> None:
    recover_batches(enqueue)


@on_startup()  # type: ignore[untyped-decorator]  # huey ships no type hints
@close_db  # type: ignore[untyped-decorator]  # huey ships no type hints
def recover_batches_at_start() -> None:
    """The same when a consumer starts, as for imports (collect.tasks)."""
    recover_batches(enqueue)
