"""The full demo (3,024 actors and their mapping rounds): loaded once for the module, each test
in a savepoint of its own, all rolled back at the end."""

import statistics
from collections import Counter
from collections.abc import Iterator
from datetime import date
from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Membership
from sinergi.assessments.choices import AssessmentStatus, PeriodStatus, Source
from sinergi.assessments.instrument.definition import Definition
from sinergi.assessments.models import Assessment, Instrument, Period
from sinergi.assessments.scoring import assess
from sinergi.audit.models import AuditEvent
from sinergi.demo import data
from sinergi.demo.plan import ACTOR_COUNT
from sinergi.demo.scenario import load_demo
from sinergi.lib.crypto import decrypt
from sinergi.registry.choices import Sector, Status
from sinergi.registry.models import Actor, LegalityItem
from sinergi.registry.rules import check_nik

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def full_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), override_settings(DEMO_MODE=True), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


def test_it_loads_the_full_scenario_with_valid_niks_in_model_villages() -> None:
    actors = list(Actor.objects.select_related("village"))
    assert len(actors) == ACTOR_COUNT
    niks = [decrypt(a.nik_encrypted) for a in actors]
    assert len(set(niks)) == ACTOR_COUNT
    model_codes = {code for code, _ in data.MODEL_REGIONS}
    for actor, nik in zip(actors, niks, strict=True):
        check = check_nik(nik, sex=actor.sex, birth_date=actor.birth_date)
        assert check.ok, (actor.name, check.errors)
        assert check.birth_date == actor.birth_date
        assert check.region_prefix == actor.district_code == actor.village.parent_id
        assert actor.regency_code in model_codes
        assert actor.village_id.startswith(actor.regency_code + ".")
        assert 1960 <= actor.birth_date.year <= 2000
    assert Counter(a.sex for a in actors)["F"] / ACTOR_COUNT > 0.95
    facilitator_regions = dict(
        Membership.objects.filter(role=Role.FACILITATOR).values_list("user_id", "region")
    )
    for actor in actors:
        assert facilitator_regions.get(actor.facilitator_id or 0) == actor.regency_code
    caseloads = Counter(a.facilitator_id for a in actors).values()
    assert min(caseloads) >= 25
    assert max(caseloads) <= 45


def counted(code: str) -> dict[int, str]:
    rows = Assessment.objects.filter(counted=True, period__code=code)
    return dict(rows.values_list("actor_id", "level"))


def test_it_closes_2016_to_2018_and_leaves_2019_open_and_empty() -> None:
    periods = {p.code: p for p in Period.objects.all()}
    assert set(periods) == {"2016", "2017", "2018", "2019"}
    for code, period in periods.items():
        year = int(code)
        assert period.name == f"Pemetaan {year}"
        assert (period.starts_on, period.ends_on) == (date(year, 1, 1), date(year, 12, 31))
        closed = year <= 2018
        assert period.status == (PeriodStatus.CLOSED if closed else PeriodStatus.OPEN)
        assert period.assessments.exists() == closed


def test_every_actor_has_a_result_and_2017_was_a_partial_round() -> None:
    actors = Actor.objects.count()
    assert Assessment.objects.filter(counted=True).values("actor").distinct().count() == actors
    by_year = {code: len(counted(code)) for code in ("2016", "2017", "2018")}
    assert 0 < by_year["2016"] < by_year["2017"] < by_year["2018"] < actors
    both = counted("2016").keys() & counted("2018").keys()
    assert 0.15 < len(both - counted("2017").keys()) / len(both) < 0.35
    # Later joiners: the seven illustrative regions signed in 2017, so have no 2016 baseline.
    late = Assessment.objects.filter(period__code="2016", regency_code__in=["18.07", "73.06"])
    assert not late.exists()


def test_it_reproduces_the_2019_evaluation_between_2016_and_2018() -> None:
    before, after = counted("2016"), counted("2018")
    moves = Counter((before[a], after[a]) for a in before.keys() & after.keys())
    assert moves["IR1", "IR2"] == 547
    assert moves["IR2", "IR3"] == 546
    # The rest is plausible: most stay, some fall back, a few jump two levels.
    assert 0 < moves["IR1", "IR3"] < moves["IR2", "IR1"] < moves["IR1", "IR1"]
    assert moves["IR3", "IR2"] > 0
    assert moves["IR3", "IR1"] == 0


def test_every_result_is_its_answers_scored_by_the_instrument() -> None:
    (used,) = set(Assessment.objects.values_list("instrument_id", flat=True))
    instrument = Instrument.objects.get(pk=used)
    assert instrument.key == "ir-default@2026.1"
    engine = Definition.from_json(instrument.definition).compile()
    rows = Assessment.objects.values_list("answers", "level", "total_score", "aspects", "graduate")
    assert rows.count() > 6000
    for answers, *stored in rows:
        result, problems = assess(engine, answers)
        assert result is not None, problems
        assert [result.level, result.total, result.aspects, result.graduate] == stored


def test_results_are_verified_demo_rows_of_the_actor_dated_in_their_round() -> None:
    officers = dict(
        Membership.objects.filter(role=Role.REGENCY_OFFICER).values_list("user_id", "region_id")
    )
    rows = Assessment.objects.select_related("actor", "period")
    for row in rows:
        assert (row.status, row.source, row.counted) == (
            AssessmentStatus.VERIFIED,
            Source.DEMO,
            True,
        )
        assert (row.regency_code, row.province_code) == (
            row.actor.regency_code,
            row.actor.province_code,
        )
        assert row.verified_at is not None
        verified_on = row.verified_at.date()
        assert row.period.starts_on <= verified_on <= row.period.ends_on
        assert row.created_by_id == row.actor.facilitator_id
        assert officers[row.verified_by_id or 0] == row.actor.regency_code


def test_answers_grow_over_the_rounds() -> None:
    rows = list(Assessment.objects.values_list("period__code", "answers"))
    answers = {code: [a for c, a in rows if c == code] for code in ("2016", "2017", "2018")}
    for question in ("monthly_turnover", "capital"):
        medians = [statistics.median(a[question] for a in answers[c]) for c in answers]
        assert medians == sorted(medians)
        assert medians[0] < medians[-1]
    for option, question in (("marketplace", "digital"), ("separate", "bookkeeping")):
        shares = [sum(a[question] == option for a in answers[c]) / len(answers[c]) for c in answers]
        assert shares == sorted(shares)
    everything = [a for c in answers for a in answers[c]]
    assert all(a["monthly_turnover"] % 50_000 == a["capital"] % 100_000 == 0 for a in everything)
    assert all(a["workers"] <= 7 and a["monthly_turnover"] <= 45_000_000 for a in everything)
    assert not any("nib" in a["legality"] for a in answers["2016"] + answers["2017"])
    assert any("nib" in a["legality"] for a in answers["2018"])


def test_an_actor_never_loses_a_licence_books_or_digital_habits() -> None:
    steps = {"none": 0, "chat": 1, "marketplace": 2, "simple": 1, "separate": 2}
    history: dict[int, list[dict[str, Any]]] = {}
    rows = Assessment.objects.order_by("actor_id", "period__starts_on")
    for actor_id, answers in rows.values_list("actor_id", "answers"):
        history.setdefault(actor_id, []).append(answers)
    for rounds in history.values():
        for earlier, later in pairwise(rounds):
            assert set(earlier["legality"]) <= set(later["legality"])
            for question in ("digital", "bookkeeping"):
                assert steps[earlier[question]] <= steps[later[question]]


def test_answers_fit_the_sector_and_the_registered_licences() -> None:
    food = {Sector.FOOD, Sector.AGRI}
    sectors = dict(Actor.objects.values_list("pk", "sector"))
    for actor_id, answers in Assessment.objects.values_list("actor_id", "answers"):
        if "pirt" in answers["legality"]:
            assert sectors[actor_id] in food
    registered = LegalityItem.objects.filter(issued_on__year__lte=2018)
    held = set(registered.values_list("actor_id", "kind"))
    in_2018 = Assessment.objects.filter(period__code="2018").values_list("actor_id", "answers")
    answered = {(actor_id, kind) for actor_id, a in in_2018 for kind in a["legality"]}
    mapped_2018 = {actor_id for actor_id, _ in in_2018}
    assert {(a, k) for a, k in held if a in mapped_2018} <= answered


def test_graduated_actors_carry_the_graduation_flag_at_their_last_round() -> None:
    graduated = set(Actor.objects.filter(status=Status.GRADUATED).values_list("pk", flat=True))
    flagged = set(Assessment.objects.filter(graduate=True).values_list("actor_id", flat=True))
    assert flagged == graduated
    for row in Assessment.objects.filter(graduate=True):
        assert row.level == "IR3"
        assert row.answers["workers"] >= 5
        later = Assessment.objects.filter(
            actor_id=row.actor_id, period__starts_on__gt=row.period.starts_on
        )
        assert not later.exists()


def test_running_it_again_adds_nothing() -> None:
    def state() -> tuple[int, ...]:
        return (
            Assessment.objects.count(),
            Period.objects.count(),
            AuditEvent.objects.count(),
            Period.objects.filter(status=PeriodStatus.CLOSED).count(),
        )

    before = state()
    assert load_demo().already_loaded
    assert state() == before


def test_the_command_prints_the_transition_matrix() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert "  Pemetaan 2019 (open): 0 results" in lines
    header = next(i for i, line in enumerate(lines) if line.startswith("Levels 2016 -> 2018"))
    assert lines[header + 1].split() == ["IR1", "IR2", "IR3"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[header + 2 : header + 5]}
    assert rows["IR1"][1] == "547"
    assert rows["IR2"][2] == "546"
