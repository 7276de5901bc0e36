"""The demo scenario as plain values: model regions, demo users, facilitators and actors.

`plan` draws everything from one seeded generator over the region names and villages it is
given, so two calls give the same people; scenario.py loads the plan into the database.
No database here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sinergi.accounts.choices import Role
from sinergi.demo import data, mapping
from sinergi.registry.choices import LegalityKind, Sector, Sex, Status
from sinergi.registry.rules import compose_nik, format_pirt

SEED = 2016
ACTOR_COUNT = 3024


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
