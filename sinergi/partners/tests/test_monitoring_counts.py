"""The referral counts stay exact: every write path moves them as a recount from the rows
would, and a rebuild from the rows changes nothing."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from typing import Any

import pytest

from sinergi.assessments import services as assessments
from sinergi.assessments.models import Assessment
from sinergi.assessments.tests.test_results import ADVANCED, BEGINNER
from sinergi.partners import monitoring_counts, services
from sinergi.partners.events import ReferralState
from sinergi.partners.lifecycle import NEXT
from sinergi.partners.models import ReferralCount, ReferralDays, ReferredTransition
from sinergi.partners.monitoring_slices import ALL, CATEGORY, PARTNER, Holder, Tally, median_of
from sinergi.partners.tests.conftest import DEVELOPING, Monitored, result, step, when
from sinergi.partners.tests.monitoring_recount import recount
from sinergi.partners.tests.test_monitoring import exported
from sinergi.regions.models import Region
from sinergi.registry import services as registry
from sinergi.test import REMBANG_VILLAGE_2, Personas


def kept() -> dict[str, set[tuple[Any, ...]]]:
    """The rows of every count table that count something."""
    counts = ReferralCount.objects.values_list(
        "region", "dim", "value", "status", "sent", "answered", "referrals", "amount"
    )
    days = ReferralDays.objects.values_list("region", "dim", "value", "histogram", "median")
    moves = ReferredTransition.objects.values_list(
        "period_a", "period_b", "region", "dim", "value", "level_a", "level_b", "actors"
    )
    return {
        "counts": {row for row in counts if row[-1] or row[-2]},
        "days": {(*row[:3], json.dumps(row[3]), row[4]) for row in days if row[3]},
        "moves": {row for row in moves if row[-1]},
    }


def assert_rebuild_changes_nothing() -> None:
    before = kept()
    monitoring_counts.rebuild()
    assert kept() == before


@pytest.mark.django_db
def test_a_rebuild_from_the_rows_changes_nothing(monitored: Monitored) -> None:
    assert all(kept().values())
    assert_rebuild_changes_nothing()


@pytest.mark.django_db
def test_an_actor_who_moves_takes_her_referrals_kecamatan_and_transitions(
    monitored: Monitored, personas: Personas
) -> None:
    actor = monitored.actors["actor"]  # 33.17.04 → 33.17.01
    registry.update_actor(
        user=personas.rembang,
        actor=actor,
        data={},
        village=Region.objects.get(pk=REMBANG_VILLAGE_2),
    )
    shown = exported(personas.rembang)
    assert shown["region", "33.17.04", "referrals"] == "1"  # only `waiting` is left there
    assert shown["region", "33.17.01", "referred_up"] == "1"
    assert shown == recount(personas.rembang, "33.17")
    assert exported(personas.admin, "33.17.01") == recount(personas.admin, "33.17.01")
    assert_rebuild_changes_nothing()


@pytest.mark.django_db
def test_a_deleted_result_takes_the_transition_away(
    monitored: Monitored, personas: Personas
) -> None:
    counted = Assessment.objects.get(
        actor=monitored.actors["kendal"], period=monitored.first, counted=True
    )
    assessments.delete_assessment(user=personas.admin, assessment=counted, reason="salah orang")
    shown = exported(personas.kendal)
    assert shown["summary", "referred_both_periods", "value"] == "0"
    assert shown == recount(personas.kendal, "33.24")
    assert_rebuild_changes_nothing()


@pytest.mark.django_db
def test_random_histories_keep_the_counts_equal_to_a_recount(
    monitored: Monitored, personas: Personas
) -> None:
    """Referrals made and moved at random dates, results changed at random, an actor moved:
    the figures still equal the recount, and a rebuild changes nothing."""
    chance = random.Random(13)
    world = monitored.world
    offers = [world.credit, world.training, monitored.market]
    partner_side = {
        world.mekaar.pk: world.staff,
        world.rembang_partner.pk: world.other_staff,
        monitored.iwapi.pk: personas.admin,
    }
    actors = [monitored.actors[n] for n in ("actor", "second", "kendal", "landak", "waiting")]
    for _ in range(25):
        actor = chance.choice(actors)
        day = date(2018, 1, 1) + timedelta(days=chance.randrange(700))
        if chance.random() < 0.2:
            answers = chance.choice([BEGINNER, DEVELOPING, ADVANCED])
            result(actor, chance.choice([monitored.first, world.period]), answers)
            continue
        offer = chance.choice(offers)
        try:
            referral = services.propose_referral(
                user=personas.admin, actor=actor, offer=offer, at=when(day.isoformat())
            )
        except services.Refused:
            continue
        while NEXT[referral.status] and chance.random() < 0.8:
            to = chance.choice(sorted(NEXT[referral.status]))
            day += timedelta(days=chance.randrange(30))
            user = personas.admin if to in ("sent", "withdrawn") else partner_side[offer.partner_id]
            details: dict[str, Any] = (
                {"reason": "x"} if to in ("declined", "withdrawn", "completed") else {}
            )
            if to == "served":
                details = {"date": day, "amount": 500_000 if offer == world.credit else None}
            try:
                referral = step(user, referral, to, day.isoformat(), **details)
            except services.Refused:
                break
    registry.update_actor(
        user=personas.admin,
        actor=monitored.actors["second"],
        data={},
        village=Region.objects.get(pk="33.17.04.2001"),
    )
    for user, region in ((personas.admin, ""), (personas.rembang, "33.17.04")):
        assert exported(user, region) == recount(user, region)
    assert_rebuild_changes_nothing()


# --- The pure rules ----------------------------------------------------------------------------


def state(partner: int, category: str, sent: date | None, **more: Any) -> ReferralState:
    fields: dict[str, Any] = {
        "status": "sent" if sent else "proposed",
        "province_code": "33",
        "regency_code": "33.17",
        "answered": False,
        "served_on": None,
        "amount": None,
    }
    fields.update(more)
    return ReferralState(partner, category, sent_on=sent, **fields)


STARTS = {1: date(2018, 1, 1), 2: date(2019, 1, 1), 3: date(2017, 1, 1)}


def test_an_actor_referred_twice_counts_once_in_the_whole_and_once_per_partner() -> None:
    tally = Tally(STARTS)
    tally.holder(
        Holder(
            "33.17.04.2001",
            (state(7, "capital", date(2018, 3, 1)), state(8, "capital", date(2018, 9, 1))),
            {1: "IR1", 2: "IR2"},
        ),
        +1,
    )
    pairs = {
        (region, dim, value): n for (_a, _b, region, dim, value, *_l), n in tally.pairs.items()
    }
    assert pairs[("", ALL, "")] == 1
    assert pairs[("", PARTNER, "7")] == pairs[("", PARTNER, "8")] == 1
    assert pairs[("", CATEGORY, "capital")] == 1
    assert pairs[("33.17.04", ALL, "")] == 1
    assert ("33.17.04", PARTNER, "7") not in pairs  # partners are kept down to the kab/kota


def test_only_referrals_sent_between_the_two_starts_count() -> None:
    levels = {1: "IR1", 2: "IR2", 3: "IR1"}  # ids: 3 is 2017, 1 is 2018, 2 is 2019
    for sent, pairs in (
        (date(2017, 12, 31), {(1, 3), (2, 3)}),  # before 2018 began: 2017 → 2018, → 2019
        (date(2018, 1, 1), {(1, 2), (2, 3)}),  # from 2018's first day: 2018 → 2019 too
        (date(2018, 12, 31), {(1, 2), (2, 3)}),
        (date(2019, 1, 1), set()),  # the last round has begun
        (None, set()),  # never sent
    ):
        tally = Tally(STARTS)
        tally.holder(Holder("33.17.04.2001", (state(7, "capital", sent),), levels), +1)
        assert {(a, b) for (a, b, *_rest), n in tally.pairs.items() if n} == pairs, sent


def test_a_change_is_the_difference_of_before_and_after() -> None:
    before = Holder("33.17.04.2001", (state(7, "capital", None),), {1: "IR1", 2: "IR2"})
    after = Holder(
        "33.17.04.2001",
        (
            state(
                7,
                "capital",
                date(2018, 5, 1),
                status="served",
                served_on=date(2018, 5, 11),
                answered=True,
                amount=1_000_000,
            ),
        ),
        {1: "IR1", 2: "IR2"},
    )
    tally = Tally(STARTS)
    tally.change(before, after)
    assert tally.referrals[("", ALL, "", "proposed", False, False)] == -1
    assert tally.referrals[("", ALL, "", "served", True, True)] == 1
    assert tally.amounts[("33.17", PARTNER, "7", "served", True, True)] == 1_000_000
    assert tally.days[("33.17.04", ALL, "", 10)] == 1
    assert tally.pairs[(1, 2, "", ALL, "", "IR1", "IR2")] == 1


def test_a_median_is_read_off_a_histogram() -> None:
    assert median_of({}) is None
    assert median_of({4: 1}) == 4
    assert median_of({10: 1, 19: 1, 14: 1}) == 14
    assert median_of({10: 2, 20: 2}) == 15
    assert median_of({3: 5, 90: 1}) == 3
    assert median_of({5: 0, 7: 2}) == 7
