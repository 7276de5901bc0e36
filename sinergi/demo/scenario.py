"""The demo scenario that `make run` loads: model regions, demo logins, facilitators, actors,
and the mapping rounds 2016-2018 with their results (2019 open and empty; see mapping.py).

Everything is drawn from one seeded generator over the real region table (plan.py), so two
loads give the same people. Loading only ever adds what is missing (users by username,
actors by NIK, model regions by code) and never touches what exists, so running it again
changes nothing and edits made while exploring the demo survive a restart. It refuses to run
unless the site is in demo or debug mode: production never gets demo logins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from sinergi.accounts.choices import Role
from sinergi.accounts.models import Membership, User
from sinergi.assessments import services
from sinergi.assessments.choices import AssessmentStatus, PeriodStatus, Source
from sinergi.assessments.events import ResultChange
from sinergi.assessments.models import Assessment, Instrument, Period
from sinergi.assessments.services import stored_answers
from sinergi.audit.models import Action
from sinergi.audit.services import record
from sinergi.audit.subjects import Subject
from sinergi.demo import data, information, mapping, newsroom, opendata, partners
from sinergi.demo.plan import (
    ACTOR_COUNT,
    SEED,
    ActorPlan,
    ModelRegionPlan,
    Plan,
    UserPlan,
    Village,
    plan,
)
from sinergi.lib.crypto import lookup_hash
from sinergi.regions.choices import Level, Phase
from sinergi.regions.models import ModelRegion, Region
from sinergi.regions.services import save_model_region
from sinergi.registry.models import RECORD_FIELDS, Actor
from sinergi.registry.records import ValidActor
from sinergi.registry.services import new_actor, register_actors_bulk

PASSWORD = data.PASSWORD
# ActorPlan fields the registry service takes as cleaned data.
_ACTOR_FIELDS = ("nik", *RECORD_FIELDS)
# Actors matched and referred to a partner in each year 2017-2019.
REFERRALS_PER_YEAR = 80
_CHUNK = 500  # rows per IN list and bulk insert: well under SQLite's parameter limit

# The logins ARCHITECTURE.md promises, with what each one shows.
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    ("admin", "national admin (all regions)"),
    ("dinas-jateng", "province officer, Jawa Tengah (33)"),
    ("dinas-rembang", "regency officer, Rembang (33.17)"),
    ("dinas-kendal", "regency officer, Kendal (33.24)"),
    ("pendamping-rembang", "facilitator in Rembang (33.17), with a caseload"),
    (partners.PARTNER_LOGIN, "partner staff of PNM Mekaar: its referrals and webhooks"),
    *((username, shows) for username, _first, _org, _role, shows in newsroom.LOGINS),
)


class DemoError(Exception):
    """The demo cannot be loaded here (not demo mode, or regions missing)."""


@dataclass(frozen=True)
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)

    @property
    def already_loaded(self) -> bool:
        return not any(self.created.values())


def _batches(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _read_regions() -> tuple[dict[str, str], dict[str, list[Village]]]:
    codes = [code for code, _ in data.MODEL_REGIONS]
    names = dict(
        Region.objects.filter(code__in=codes, level=Level.REGENCY).values_list("code", "name")
    )
    missing = sorted(set(codes) - names.keys())
    if missing:
        raise DemoError(
            f"Regions {', '.join(missing)} are not loaded; run `manage.py load_regions` first."
        )
    villages: dict[str, list[Village]] = {code: [] for code in codes}
    rows = (
        Region.objects.filter(level=Level.VILLAGE, parent__parent_id__in=codes)
        .order_by("code")
        .values_list("code", "name")
    )
    for code, name in rows:
        villages[code[:5]].append(Village(code, name))
    return names, villages


def _ensure_model_regions(plans: list[ModelRegionPlan]) -> int:
    existing = set(ModelRegion.objects.values_list("region_id", flat=True))
    regions = Region.objects.in_bulk([p.code for p in plans if p.code not in existing])
    for p in plans:
        if p.code in regions:
            save_model_region(
                user=None,
                region=regions[p.code],
                mou_number=p.mou_number,
                mou_date=p.mou_date,
                start_year=p.start_year,
                end_year=p.end_year,
                phase=Phase.MODEL,
                illustrative=p.illustrative,
            )
    return len(regions)


def _ensure_users(plans: list[UserPlan]) -> int:
    """Create missing demo users (one password hash for all: the hasher is slow by design)."""
    wanted = [p.username for p in plans]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    new = [p for p in plans if p.username not in existing]
    if new:
        password = make_password(PASSWORD)
        User.objects.bulk_create(
            User(
                username=p.username,
                first_name=p.first_name,
                last_name=p.last_name,
                password=password,
            )
            for p in new
        )
        ids = dict(
            User.objects.filter(username__in=[p.username for p in new]).values_list(
                "username", "pk"
            )
        )
        Membership.objects.bulk_create(
            Membership(
                user_id=ids[p.username], role=p.role, region_id=p.region, may_reveal_nik=True
            )
            for p in new
        )
    return len(new)


def _existing_actors(hashes: Mapping[str, str]) -> dict[str, tuple[int, str, str]]:
    """The planned actors already registered: NIK -> (id, regency code, province code)."""
    niks = {nik_hash: nik for nik, nik_hash in hashes.items()}
    found = {}
    for batch in _batches(list(niks)):
        rows = Actor.objects.filter(nik_hash__in=batch).values_list(
            "nik_hash", "pk", "regency_code", "province_code"
        )
        found.update({niks[h]: (pk, regency, province) for h, pk, regency, province in rows})
    return found


def _ensure_actors(plans: list[ActorPlan], hashes: Mapping[str, str], by: User) -> tuple[int, int]:
    """Register, through the registry's bulk service, the actors whose NIK is not there yet."""
    existing = _existing_actors(hashes)
    new = [p for p in plans if p.nik not in existing]
    villages = Region.objects.in_bulk({p.village for p in new})
    facilitators = User.objects.in_bulk({p.facilitator for p in new}, field_name="username")
    actors = [
        new_actor(
            user=by,
            valid=ValidActor(
                data={name: getattr(p, name) for name in _ACTOR_FIELDS},
                village=villages[p.village],
                facilitator=facilitators.get(p.facilitator),
                legality=list(p.legality),
                warnings=[],
            ),
        )
        for p in new
    ]
    register_actors_bulk(user=by, actors=actors)
    return len(new), sum(len(p.legality) for p in new)


def _ensure_periods(by: User) -> tuple[dict[int, Period], list[Period]]:
    """The mapping rounds 2016-2019 by year, and those created now (still open)."""
    periods, created = {}, []
    for year in (*mapping.ROUNDS, mapping.OPEN_ROUND):
        found = Period.objects.filter(code=str(year)).first()
        if found is None:
            found = services.create_period(
                user=by,
                code=str(year),
                name=f"Pemetaan {year}",
                starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
            )
            created.append(found)
        periods[year] = found
    return periods, created


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())


def _ensure_results(
    scenario: Plan,
    hashes: Mapping[str, str],
    levels: Mapping[str, Mapping[int, str]],
    instrument: Instrument,
    periods: dict[int, Period],
    seed: int,
) -> int:
    """Store the planned results an actor does not have yet in that period, and announce each
    to the result listeners as `submit_assessment` would.

    Answers are drawn only for actors missing a result (a second load draws none). They are
    inserted in bulk (submit_assessment takes about 5 ms a result: a minute for the demo),
    with level, total, aspects and graduation exactly as `score` gave them. These are the
    record of rounds already held, so they go in even where a round is closed by now.
    """
    actors = _existing_actors(hashes)
    have = set(
        Assessment.objects.filter(
            period__in=[periods[year] for year in mapping.ROUNDS], counted=True
        ).values_list("actor_id", "period_id")
    )

    def missing(nik: str, year: int) -> bool:
        return nik in actors and (actors[nik][0], periods[year].pk) not in have

    wanting = [p for p in scenario.actors if any(missing(p.nik, y) for y in levels[p.nik])]
    results = mapping.history(
        wanting, scenario.model_regions, services.compiled(instrument), levels, seed=seed
    )
    usernames = [u.username for u in scenario.users]
    users = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    facilitators = {p.nik: users.get(p.facilitator) for p in scenario.actors}
    officers = {
        u.region: users.get(u.username)
        for u in scenario.users
        if u.role == Role.REGENCY_OFFICER and u.region
    }
    new = []
    for r in results:
        if not missing(r.nik, r.year):
            continue
        actor_id, regency, province = actors[r.nik]
        period = periods[r.year]
        new.append(
            Assessment(
                actor_id=actor_id,
                period=period,
                instrument=instrument,
                answers=stored_answers(r.answers),
                level=r.result.level,
                total_score=r.result.total,
                aspects=dict(r.result.aspects),
                graduate=r.result.graduate,
                status=AssessmentStatus.VERIFIED,
                counted=True,
                source=Source.DEMO,
                regency_code=regency,
                province_code=province,
                created_by_id=facilitators[r.nik],
                verified_by_id=officers.get(regency),
                verified_at=_at(r.verified_on),
            )
        )
    created = Assessment.objects.bulk_create(new, batch_size=_CHUNK)
    for row in created:
        # The very announcement submit_assessment makes (private only for want of a public
        # name), so read models subscribed to results count these too.
        services.announce(ResultChange(row.period_id, row.actor_id, row.regency_code, None, row))
    return len(created)


def transitions(first: str, last: str) -> dict[str, dict[str, int]]:
    """Counted levels of actors with a result in both periods: {from: {to: actors}}, every
    demo level in rows and columns (others too if results were re-scored into them)."""
    counted = Assessment.objects.filter(counted=True)
    before = dict(counted.filter(period__code=first).values_list("actor_id", "level"))
    after = dict(counted.filter(period__code=last).values_list("actor_id", "level"))
    moves = Counter((before[a], after[a]) for a in before.keys() & after.keys())
    levels = [*mapping.LEVELS, *sorted({x for m in moves for x in m} - set(mapping.LEVELS))]
    return {a: {b: moves[a, b] for b in levels} for a in levels}


def load_demo(*, actors: int = ACTOR_COUNT, seed: int = SEED) -> LoadResult:
    """Add whatever part of the demo scenario is missing; refuses outside demo/debug mode."""
    if not (settings.DEMO_MODE or settings.DEBUG):
        raise DemoError("The demo scenario loads only with SINERGI_DEMO=1 or DEBUG=1.")
    names, villages = _read_regions()
    scenario = plan(names, villages, actors=actors, seed=seed)
    with transaction.atomic():
        created_regions = _ensure_model_regions(scenario.model_regions)
        created_users = _ensure_users(scenario.users)
        # Demo records are entered on behalf of the national admin, as a data-entry run would be.
        admin = User.objects.get(username="admin")
        hashes = {p.nik: lookup_hash(p.nik) for p in scenario.actors}
        created_actors, created_items = _ensure_actors(scenario.actors, hashes, admin)
        instrument, _created = services.load_default_instrument()
        periods, new_periods = _ensure_periods(admin)
        levels = mapping.trajectories(
            scenario.actors,
            scenario.model_regions,
            targets=mapping.evaluation_targets(actors, ACTOR_COUNT),
            seed=seed,
        )
        created_results = _ensure_results(scenario, hashes, levels, instrument, periods, seed)
        for period in new_periods:
            if int(period.code) in mapping.ROUNDS:
                services.set_period_status(user=admin, period=period, status=PeriodStatus.CLOSED)
        created_partners = partners.ensure_partners()
        created_logins = partners.ensure_partner_login()
        created_referrals = partners.ensure_referrals(per_year=REFERRALS_PER_YEAR, seed=seed)
        created_news_organisations = newsroom.ensure_organisations()
        created_news_logins = newsroom.ensure_logins()
        created_articles = newsroom.ensure_articles()
        created_datasets = opendata.ensure_datasets()
        created_entries = information.ensure_entries()
        created_requests = information.ensure_requests()
        created = {
            "model_regions": created_regions,
            "users": created_users,
            "actors": created_actors,
            "legality_items": created_items,
            "periods": len(new_periods),
            "results": created_results,
            "partners": created_partners,
            "partner_logins": created_logins,
            "referrals": created_referrals,
            "news_organisations": created_news_organisations,
            "news_logins": created_news_logins,
            "articles": created_articles,
            "open_datasets": created_datasets,
            "information_entries": created_entries,
            "information_requests": created_requests,
        }
        if any(created.values()):
            record(
                None,
                Action.CREATE,
                Subject("demo_scenario", f"seed-{seed}", "Demo scenario"),
                after={**created, "seed": seed, "planned_actors": actors},
                note="Demo data (invented people); loaded by manage.py load_demo.",
            )
    return LoadResult(created=created)
