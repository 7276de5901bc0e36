"""The referral batch from the matching page to its progress page: each actor's top match
proposed and sent, one without consent kept proposed, one without an eligible offer passed
over; a run again, or a batch over the same actors, changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sinergi.assessments.tests.test_results import ADVANCED
from sinergi.lib.jobs import JobStatus
from sinergi.partners import services
from sinergi.partners.batch_tasks import recover_batches, run_batch
from sinergi.partners.models import Referral, ReferralBatch
from sinergi.partners.tests.conftest import World, result
from sinergi.partners.tests.test_views import login
from sinergi.registry.models import Actor
from sinergi.test import ActorFactory, Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(world: World, personas: Personas) -> tuple[Actor, Actor, Actor]:
    """The consenting IR 1 actor, an IR 1 actor without consent, an IR 3 actor no offer is
    for (the Rembang training is narrowed to IR 1)."""
    services.change_offer(
        user=personas.rembang,
        offer=world.training,
        data=services.OfferData(
            title=world.training.title,
            category=world.training.category,
            items=("digital",),
            levels=("IR1",),
        ),
    )
    silent = ActorFactory(name="Ibu Tanpa Izin", consent_partners=False)
    result(silent, world.period)
    advanced = ActorFactory(name="Ibu Sudah Maju", consent_partners=True)
    result(advanced, world.period, ADVANCED)
    return world.actor, silent, advanced


def lines(batch: ReferralBatch) -> dict[Any, str]:
    return {m["actor"]: m["reason"] for m in batch.messages}


def test_a_batch_sends_proposes_and_passes_over_with_reasons(
    world: World, personas: Personas, three: tuple[Actor, Actor, Actor]
) -> None:
    consenting, silent, advanced = three
    client = login(personas.rembang)
    chosen = [consenting.pk, silent.pk, advanced.pk, world.kendal_actor.pk]
    response = client.post("/partners/batches/new/", {"actors": chosen, "note": "Gelombang 1"})
    batch = ReferralBatch.objects.get()
    assert response["Location"] == f"/partners/batches/{batch.pk}/"
    assert (batch.status, batch.total, batch.processed) == (JobStatus.DONE, 4, 4)
    assert (batch.sent_count, batch.proposed_count, batch.skipped_count) == (1, 1, 2)
    sent = Referral.objects.get(actor=consenting)
    assert (sent.status, sent.offer, sent.note) == ("sent", world.credit, "Gelombang 1")
    assert sent.addressee == world.mekaar
    assert Referral.objects.get(actor=silent).status == "proposed"
    assert not Referral.objects.filter(actor__in=[advanced, world.kendal_actor]).exists()
    said = lines(batch)
    assert "sharing with partners" in said[silent.pk]
    assert said[advanced.pk] == "No eligible offer."
    assert "outside the regions" in said[world.kendal_actor.pk]
    assert consenting.pk not in said
    page = client.get(f"/partners/batches/{batch.pk}/").content.decode()
    assert "Ibu Tanpa Izin" in page
    assert "Ibu Sudah Maju" in page
    assert world.kendal_actor.name not in page  # not hers to read
    assert 'id="sent-count">1<' in page


def test_running_again_or_over_the_same_actors_changes_nothing(
    world: World, personas: Personas, three: tuple[Actor, Actor, Actor]
) -> None:
    consenting, silent, advanced = three
    ids = [consenting.pk, silent.pk, advanced.pk]
    batch = services.start_referral_batch(user=personas.rembang, actor_ids=ids)
    assert run_batch(batch.pk) is None  # done: not queued, left alone
    again = services.start_referral_batch(user=personas.rembang, actor_ids=ids)
    again.refresh_from_db()
    assert (again.sent_count, again.proposed_count, again.skipped_count) == (0, 0, 3)
    said = lines(again)
    assert "already under way" in said[consenting.pk]
    assert "already under way" in said[silent.pk]
    assert Referral.objects.count() == 2
    assert list(Referral.objects.get(actor=consenting).steps.values_list("target", flat=True)) == [
        "proposed",
        "sent",
    ]


def test_a_batch_whose_process_died_runs_again_once(
    world: World, personas: Personas, three: tuple[Actor, Actor, Actor]
) -> None:
    consenting = three[0]
    stale = timezone.now() - timedelta(hours=1)
    batch = ReferralBatch.objects.create(
        created_by=personas.rembang,
        actor_ids=[consenting.pk],
        total=1,
        status=JobStatus.RUNNING,
        started_at=stale,
        heartbeat_at=stale,
        attempts=1,
    )

    def again(job: ReferralBatch) -> None:
        run_batch(job.pk)

    [recovered] = recover_batches(again)
    assert recovered.pk == batch.pk
    batch.refresh_from_db()
    assert (batch.status, batch.sent_count, batch.attempts) == (JobStatus.DONE, 1, 2)
    assert recover_batches(again) == []
    assert Referral.objects.filter(actor=consenting).count() == 1


def test_the_progress_partial_polls_until_done(world: World, personas: Personas) -> None:
    batch = ReferralBatch.objects.create(
        created_by=personas.rembang, actor_ids=[world.actor.pk], total=1
    )
    client = login(personas.rembang)
    path = f"/partners/batches/{batch.pk}/"
    partial = client.get(path, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert 'hx-trigger="every 1s"' in partial
    assert "0 of 1 actors" in partial
    run_batch(batch.pk)
    partial = client.get(path, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in partial
    assert "1 of 1 actors" in partial
    assert login(personas.kendal).get(path).status_code == 404


def test_a_batch_is_refused_naming_the_field(world: World, personas: Personas) -> None:
    client = login(personas.rembang)
    empty = client.post("/partners/batches/new/", {"note": "x"})
    assert empty.status_code == 400
    assert list(empty.context["batch"].errors) == ["actors"]
    assert "at least one actor" in empty.content.decode()
    with pytest.raises(services.Refused) as many:
        services.start_referral_batch(user=personas.rembang, actor_ids=list(range(1, 1002)))
    assert many.value.errors == {
        "actors": ["Choose at most 1.000 actors at a time (1.001 chosen)."]
    }
    with pytest.raises(services.Refused) as viewer:
        services.start_referral_batch(user=personas.viewer, actor_ids=[world.actor.pk])
    assert list(viewer.value.errors) == ["actors"]
    junk = client.post("/partners/batches/new/", {"actors": ["x"]})
    assert list(junk.context["batch"].errors) == ["actors"]
    assert not ReferralBatch.objects.exists()


def test_everyone_the_filters_choose_goes_into_the_batch(
    world: World, personas: Personas, three: tuple[Actor, Actor, Actor]
) -> None:
    consenting, silent, _advanced = three
    client = login(personas.rembang)
    client.post("/partners/batches/new/", {"everyone": "on", "level": "IR1", "region": "33.17.04"})
    batch = ReferralBatch.objects.get()
    assert sorted(batch.actor_ids) == sorted([consenting.pk, silent.pk])


def test_everyone_past_the_limit_is_refused_on_the_page(
    world: World, personas: Personas, three: tuple[Actor, Actor, Actor], monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "BATCH_LIMIT", 1)
    client = login(personas.rembang)
    page = client.get("/partners/matches/?level=IR1&region=33.17.04").content.decode()
    assert 'id="send-all"' not in page  # two actors, one allowed
    refused = client.post(
        "/partners/batches/new/", {"everyone": "on", "level": "IR1", "region": "33.17.04"}
    )
    assert refused.status_code == 400
    assert "at most 1 actors" in refused.context["batch"].errors["actors"][0]
    assert not ReferralBatch.objects.exists()
