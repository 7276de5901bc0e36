"""The demo scenario that `make run` loads: model regions, demo logins, facilitators, actors,
and the mapping rounds 2016-2018 with their results (2019 open and empty; see mapping.py).

Everything is drawn from one seeded generator over the real region table, so two loads give
the same people. Loading only ever adds what is missing (users by username, actors by NIK,
model regions by code) and never touches what exists, so running it again changes nothing
and edits made while exploring the demo survive a restart. It refuses to run unless the
site is in demo or debug mode: production never gets demo logins.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
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
from sinergi.demo import data, mapping
from sinergi.lib.crypto import lookup_hash
from sinergi.regions.choices import Level, Phase
from sinergi.regions.models import ModelRegion, Region
from sinergi.regions.services import save_model_region
from sinergi.registry.choices import LegalityKind, Sector, Sex, Status
from sinergi.registry.forms import ValidActor
from sinergi.registry.models import RECORD_FIELDS, Actor
from sinergi.registry.rules import compose_nik, format_pirt
from sinergi.registry.services import new_actor, register_actors_bulk

SEED = 2016
ACTOR_COUNT = 3024
PASSWORD = "sinergi-demo"  # noqa: S105 - the published demo password (ARCHITECTURE.md)
# ActorPlan fields the registry service takes as cleaned data.
_ACTOR_FIELDS = ("nik", *RECORD_FIELDS)
_CHUNK = 500  # rows per IN list and bulk insert: well under SQLite's parameter limit

# The logins ARCHITECTURE.md promises, with what each one shows.
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    ("admin", "national admin (all regions)"),
    ("dinas-jateng", "province officer, Jawa Tengah (33)"),
    ("dinas-rembang", "regency officer, Rembang (33.17)"),
    ("dinas-kendal", "regency officer, Kendal (33.24)"),
    ("pendamping-rembang", "facilitator in Rembang (33.17), with a caseload"),
)


class DemoError(Exception):
    """The demo cannot be loaded here (not demo mode, or regions missing)."""


@dataclass(frozen=True)
class Village:
    code: str
    name: str


@dataclass(frozen=True)
class ModelRegionPlan:
    code: str
    mou_number: str
    mou_date: date
    start_year: int
    end_year: int
    illustrative: bool


@dataclass(frozen=True)
class UserPlan:
    username: str
    first_name: str
    last_name: str
    role: str
    region: str | None


@dataclass(frozen=True)
class ActorPlan:
    nik: str
    name: str
    sex: str
    birth_date: date
    phone: str
    address: str
    village: str
    business_name: str
    sector: str
    products: str
    year_started: int
    consent_date: date | None
    consent_programme: bool
    consent_partners: bool
    consent_publication: bool
    status: str
    facilitator: str
    legality: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class Plan:
    model_regions: list[ModelRegionPlan]
    users: list[UserPlan]
    actors: list[ActorPlan]


@dataclass(frozen=True)
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)

    @property
    def already_loaded(self) -> bool:
        return not any(self.created.values())


def slug(regency_name: str) -> str:
    """'Kabupaten Lombok Tengah' -> 'lombok-tengah', 'Kota Ternate' -> 'kota-ternate'."""
    name = regency_name.removeprefix("Kabupaten ").lower()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def _between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _title(product: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in product.split())


def _allocate(total: int, codes: list[str], rng: random.Random) -> dict[str, int]:
    """Split `total` over the regions with some variation; the parts add up exactly."""
    weights = [rng.uniform(0.83, 1.17) for _ in codes]
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(len(codes)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return dict(zip(codes, counts, strict=True))


def _person_name(rng: random.Random, culture: str, *, female: bool) -> tuple[str, str]:
    given_names, second_names = data.NAMES[culture]
    family_names = culture in ("batak", "ntt", "ternate")
    if female:
        given = rng.choice(given_names)
        if family_names or rng.random() < 0.85:
            second = rng.choice([s for s in second_names if s not in given.split()])
            return given, second
        return given, ""
    if family_names:
        return rng.choice(data.MEN_GIVEN), rng.choice(second_names)
    return rng.choice(data.MEN_GIVEN), rng.choice(("Riyadi", "Santoso", "Hidayat", "Saputra"))


def _culture(rng: random.Random, regency: str) -> str:
    return data.CULTURE_BY_PROVINCE[regency[:2]] if rng.random() < 0.8 else "umum"


def _legality(
    rng: random.Random, sector: str, village: str, regency: str
) -> tuple[dict[str, Any], ...]:
    """Licences in roughly the mix the 2019 evaluation reported (P-IRT common for food)."""
    items: list[dict[str, Any]] = []
    food = sector == Sector.FOOD
    pirt_chance = 0.4 if food else 0.25 if sector == Sector.AGRI else 0.0
    if rng.random() < pirt_chance:
        issued = _between(rng, date(2016, 1, 1), date(2024, 12, 28)).replace(day=rng.randint(1, 28))
        expires = issued.replace(year=issued.year + 5)
        # packaging, food type, province+regency (digits 4-7), product, producer, expiry year
        digits = (
            f"{rng.randint(1, 5)}{rng.randint(1, 16):02d}{regency.replace('.', '')}"
            f"{rng.randint(1, 300):04d}{rng.randint(1, 99):02d}{expires.year % 100:02d}"
        )
        items.append(
            {
                "kind": LegalityKind.PIRT,
                "number": format_pirt(digits),
                "issued_on": issued,
                "expires_on": expires,
            }
        )
    if rng.random() < 0.32:
        items.append(
            {
                "kind": LegalityKind.NIB,
                "number": f"9120{rng.randint(0, 10**9 - 1):09d}",
                "issued_on": _between(rng, date(2018, 7, 9), date(2025, 6, 30)),
            }
        )
    if rng.random() < 0.09:
        issued = _between(rng, date(2015, 1, 1), date(2019, 12, 31))
        district = village.split(".")[2]
        items.append(
            {
                "kind": LegalityKind.IUMK,
                "number": f"503/{rng.randint(1, 400):03d}/IUMK/{district}/{issued.year}",
                "issued_on": issued,
            }
        )
    if rng.random() < 0.09:
        issued = _between(rng, date(2016, 1, 1), date(2019, 12, 31))
        items.append(
            {
                "kind": LegalityKind.SKU,
                "number": f"510/{rng.randint(1, 150):03d}/{village.split('.')[3]}/{issued.year}",
                "issued_on": issued,
            }
        )
    has_pirt = bool(items) and items[0]["kind"] == LegalityKind.PIRT
    if food and rng.random() < (0.3 if has_pirt else 0.05):
        items.append(
            {
                "kind": LegalityKind.HALAL,
                "number": f"ID{regency[:2]}{rng.randint(0, 10**15 - 1):015d}",
                "issued_on": _between(rng, date(2020, 1, 1), date(2025, 6, 30)),
            }
        )
    return tuple(items)


def _business(
    rng: random.Random, regency: str, given: str, *, female: bool
) -> tuple[str, str, str]:
    """(sector, products, business name): local specialities for about a third."""
    local = data.LOCAL_PRODUCTS[regency]
    if rng.random() < 0.35:
        sector, product = rng.choice(local)
    else:
        sectors, weights = zip(*data.SECTOR_WEIGHTS, strict=True)
        sector = rng.choices(sectors, weights)[0]
        product = rng.choice(data.PRODUCTS[sector])
    products = product
    if rng.random() < 0.3:
        other = rng.choice([p for p in data.PRODUCTS[sector] if p != product])
        products = f"{product}, {other}"
    pattern = rng.random()
    if pattern < 0.45:
        business = f"{_title(product)} {rng.choice(data.BRANDS)}"
    elif pattern < 0.75:
        business = f"{_title(product)} {'Bu' if female else 'Pak'} {given.split()[-1]}"
    else:
        business = f"{'Dapur' if sector == Sector.FOOD else 'Griya'} {rng.choice(data.BRANDS)}"
    return str(sector), products, business


def _phone(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return ""
    return rng.choice(data.PHONE_PREFIXES) + "".join(
        str(rng.randint(0, 9)) for _ in range(rng.choice((7, 8)))
    )


def _status(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.95:
        return str(Status.ACTIVE)
    if draw < 0.975:
        return str(Status.INACTIVE)
    return str(Status.MOVED) if draw < 0.9975 else str(Status.GRADUATED)


def _year_started(rng: random.Random, born: date, nik: str) -> int:
    """Every demo business was running by the last closed mapping round, so every actor has
    a result. A year past it is drawn again from a generator of its own: the main stream, and
    so every later actor, stays as in demo databases loaded before the rounds existed."""
    earliest = max(born.year + 17, 1990)
    year = rng.randint(earliest, 2019)
    if year > mapping.LAST:
        year = random.Random(f"{nik}:started").randint(earliest, mapping.LAST)
    return year


def _actor(rng: random.Random, regency: str, village: Village, used_niks: set[str]) -> ActorPlan:
    female = rng.random() < 0.97
    given, second = _person_name(rng, _culture(rng, regency), female=female)
    born = _between(rng, date(1960, 1, 1), date(2000, 12, 31))
    district = ".".join(village.code.split(".")[:3])
    while True:
        nik = compose_nik(district, born, female=female, serial=rng.randint(1, 400))
        if nik not in used_niks:
            used_niks.add(nik)
            break
    sector, products, business = _business(rng, regency, given, female=female)
    consent = rng.random() < 0.93
    rt, rw = rng.randint(1, 12), rng.randint(1, 6)
    kind = "Kel." if village.code.split(".")[3].startswith("1") else "Desa"
    return ActorPlan(
        nik=nik,
        name=f"{given} {second}".strip(),
        sex=Sex.FEMALE if female else Sex.MALE,
        birth_date=born,
        phone=_phone(rng),
        address=f"RT {rt:03d}/RW {rw:03d}, {kind} {village.name}",
        village=village.code,
        business_name=business,
        sector=sector,
        products=products,
        year_started=_year_started(rng, born, nik),
        consent_date=_between(rng, date(2016, 6, 1), date(2019, 11, 30)) if consent else None,
        consent_programme=consent,
        consent_partners=consent and rng.random() < 0.7,
        consent_publication=consent and rng.random() < 0.35,
        status=_status(rng),
        facilitator="",
        legality=_legality(rng, sector, village.code, regency),
    )


def _chunks(items: list[Any], parts: int) -> Iterator[list[Any]]:
    """Split into `parts` contiguous runs of near-equal length."""
    size, extra = divmod(len(items), parts)
    start = 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        yield items[start:end]
        start = end


def plan(
    regency_names: dict[str, str],
    villages: dict[str, list[Village]],
    *,
    actors: int = ACTOR_COUNT,
    seed: int = SEED,
) -> Plan:
    """The whole scenario as plain values; depends only on its arguments."""
    codes = [code for code, _ in data.MODEL_REGIONS]
    region_rng = random.Random(f"{seed}:regions")
    user_rng = random.Random(f"{seed}:users")
    actor_rng = random.Random(f"{seed}:actors")
    model_regions = []
    for number, (code, illustrative) in enumerate(data.MODEL_REGIONS, start=1):
        year = 2017 if illustrative else 2016
        model_regions.append(
            ModelRegionPlan(
                code=code,
                mou_number=f"DEMO/KPPPA/{year}/{number:04d}",
                mou_date=_between(region_rng, date(year, 3, 1), date(year, 10, 31)),
                start_year=year,
                end_year=2019,
                illustrative=illustrative,
            )
        )
    first, last = _person_name(user_rng, "jawa", female=True)
    users = [
        UserPlan("admin", "Admin", "Kemen PPPA", Role.NATIONAL_ADMIN, None),
        UserPlan("dinas-jateng", first, last, Role.PROVINCE_OFFICER, "33"),
    ]
    counts = _allocate(actors, codes, actor_rng)
    used_niks: set[str] = set()
    actor_plans: list[ActorPlan] = []
    for code in codes:
        name = slug(regency_names[code])
        culture = data.CULTURE_BY_PROVINCE[code[:2]]
        first, last = _person_name(user_rng, culture, female=True)
        users.append(UserPlan(f"dinas-{name}", first, last, Role.REGENCY_OFFICER, code))
        n = counts[code]
        facilitators = []
        for i in range(1, min(4, max(2, round(n / 36))) + 1):
            username = f"pendamping-{name}" if i == 1 else f"pendamping-{name}-{i}"
            first, last = _person_name(user_rng, culture, female=user_rng.random() < 0.7)
            users.append(UserPlan(username, first, last, Role.FACILITATOR, code))
            facilitators.append(username)
        pool = villages[code]
        # The model runs in a few selected villages per regency, not in all of them.
        chosen = sorted(
            actor_rng.sample(pool, min(len(pool), max(4, n // 6))), key=lambda v: v.code
        )
        region_actors = [
            _actor(actor_rng, code, actor_rng.choice(chosen), used_niks) for _ in range(n)
        ]
        # Neighbouring villages share a facilitator: split the caseloads by village code.
        region_actors.sort(key=lambda a: (a.village, a.nik))
        for username, caseload in zip(
            facilitators, _chunks(region_actors, len(facilitators)), strict=True
        ):
            actor_plans.extend(replace(a, facilitator=username) for a in caseload)
    return Plan(model_regions=model_regions, users=users, actors=actor_plans)


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
        created = {
            "model_regions": created_regions,
            "users": created_users,
            "actors": created_actors,
            "legality_items": created_items,
            "periods": len(new_periods),
            "results": created_results,
        }
        if any(created.values()):
            record(
                user=None,
                action=Action.CREATE,
                object_type="demo_scenario",
                object_id=f"seed-{seed}",
                object_repr="Demo scenario",
                after={**created, "seed": seed, "planned_actors": actors},
                note="Demo data (invented people); loaded by manage.py load_demo.",
            )
    return LoadResult(created=created)
