"""The demo's mapping history: rounds 2016-2018 that reproduce the programme's 2019 evaluation.

Between the 2016 baseline and the 2018 round, over the actors mapped in both, the evaluation
reported 547 actors moving IR 1 -> IR 2 and 546 moving IR 2 -> IR 3. The history here gives
each actor a trajectory of levels first, with exactly those counts, and then answers a
facilitator could have written down that reach each level: turnover and capital grow,
licences are added, books and digital use improve. The generator only ever chooses raw
answers: every level comes from scoring them with the instrument, and a draw that does not
score to the level aimed at is drawn again.

Pure: plain values in, plain values out; no database.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sinergi.assessments.instrument.compiler import Compiled
from sinergi.assessments.scoring import Answer, Result, check_answers, score
from sinergi.registry.choices import LegalityKind, Sector, Status

if TYPE_CHECKING:
    from sinergi.demo.plan import ActorPlan, ModelRegionPlan

ROUNDS = (2016, 2017, 2018)  # closed, with results
FIRST, PARTIAL, LAST = ROUNDS  # the baseline, a round that re-mapped only some, the last
OPEN_ROUND = 2019  # open and still empty
UP_1_2 = 547  # IR 1 -> IR 2 between 2016 and 2018 (the 2019 evaluation)
UP_2_3 = 546  # IR 2 -> IR 3
LEVELS = ("IR1", "IR2", "IR3")  # lowest first

# The other cells of the 2016 -> 2018 matrix, as shares of the actors not in the two above.
_OTHER_CELLS = {
    ("IR1", "IR3"): 0.05,  # jumped two levels
    ("IR2", "IR1"): 0.07,  # fell back (a bad season, illness, lost a buyer)
    ("IR3", "IR2"): 0.04,
    ("IR3", "IR3"): 0.22,
}  # the rest stayed where they were: this share of them at IR 1, the others at IR 2
_STAY_1_SHARE = 0.55
# Levels of actors first mapped after 2016 (no baseline), and how they move a year on.
_JOINER_LEVELS = {"IR1": 0.55, "IR2": 0.38, "IR3": 0.07}
_RISE, _FALL = 0.35, 0.04
_REMAPPED = 0.75  # share of the actors mapped before who were mapped again in the partial round
_LATE = 0.06  # actors of a 2016 region who were first mapped in the second round
_DROPPED = 0.5  # inactive or moved actors whose last round came before 2018

# Plausible totals aimed at per level (the instrument decides; these only aim).
_TOTALS = {"IR1": (11, 16), "IR2": (17, 22), "IR3": (24, 27)}
_IR3_GATES = ("legality", "bookkeeping")
# How likely each answer is to be the one that improves (programme services: training in
# bookkeeping, licences, groups and digital marketing) or slips in a bad year.
_RISE_WEIGHT = {
    "workers": 1.0, "monthly_turnover": 2.0, "capital": 2.0, "production": 2.0,
    "equipment": 2.0, "market_reach": 2.0, "bookkeeping": 3.0, "legality": 3.0,
    "network": 3.0, "digital": 3.0,
}  # fmt: skip
# Books kept, licences held and digital habits do not go away: they never slip.
_FALL_WEIGHT = {
    "workers": 2.0, "monthly_turnover": 3.0, "capital": 1.0, "production": 3.0,
    "equipment": 1.0, "market_reach": 2.0, "network": 1.0,
}  # fmt: skip
_START_WEIGHT = {
    "workers": 1.0, "monthly_turnover": 2.0, "capital": 2.0, "production": 3.0,
    "equipment": 2.0, "market_reach": 3.0, "bookkeeping": 1.0, "legality": 1.0,
    "network": 2.0, "digital": 2.0,
}  # fmt: skip
_SECTOR_WEIGHT: dict[str, dict[str, float]] = {
    Sector.FOOD: {"production": 1.5, "legality": 1.3},
    Sector.AGRI: {"legality": 1.2},
    Sector.CRAFT: {"production": 0.6, "market_reach": 1.3},
    Sector.FASHION: {"production": 0.6, "market_reach": 1.3},
    Sector.SERVICES: {"equipment": 0.6},
}
# Marketplaces and digital payments were rare among home industries before 2018.
_MARKETPLACE_DAMPING = {2016: 0.2, 2017: 0.5}
# Where open-ended bands stop for a home industry, and the round numbers people report.
_NUMBERS = {
    "workers": (0, 4, 1),
    "monthly_turnover": (400_000, 45_000_000, 50_000),
    "capital": (300_000, 150_000_000, 100_000),
}
_GRADUATE_WORKERS = (5, 7)  # a graduating business employs five or more
_FOOD_LICENCES = (Sector.FOOD, Sector.AGRI)  # P-IRT covers processed food and drink
_LETTERS = (LegalityKind.SKU, LegalityKind.IUMK)  # what a village or district office issues
_NIB_SINCE = 2018  # the OSS system that issues NIBs started in July 2018
_ATTEMPTS = 50


@dataclass(frozen=True)
class MappedResult:
    """One actor's result in one round: the clean answers, how they scored, and when the
    regency officer verified them (some days after the facilitator's visit, in the round)."""

    nik: str
    year: int
    answers: dict[str, Answer]
    result: Result
    verified_on: date


@dataclass(frozen=True)
class _State:
    """What an actor answered last time, so the next round grows from it."""

    level: str = ""
    total: int = 0
    scores: dict[str, int] | None = None
    numbers: dict[str, int] | None = None
    licences: frozenset[str] = frozenset()


def evaluation_targets(actors: int, full: int) -> tuple[int, int]:
    """The two reported moves, scaled to a smaller demo (exact at full size)."""
    return round(UP_1_2 * actors / full), round(UP_2_3 * actors / full)


def trajectories(
    actors: list[ActorPlan],
    regions: list[ModelRegionPlan],
    *,
    targets: tuple[int, int] = (UP_1_2, UP_2_3),
    seed: int,
) -> dict[str, dict[int, str]]:
    """Every actor's level in each round she was mapped in: NIK -> {year: level}."""
    rng = random.Random(f"{seed}:mapping")
    start = {r.code: r.start_year for r in regions}
    rounds = {a.nik: _rounds(rng, a, start[a.village[:5]]) for a in actors}
    return _trajectories(rng, actors, rounds, targets)


def history(
    actors: list[ActorPlan],
    regions: list[ModelRegionPlan],
    instrument: Compiled,
    levels: Mapping[str, Mapping[int, str]],
    *,
    seed: int,
) -> list[MappedResult]:
    """The results of these actors along their trajectories (`levels`). Each actor's answers
    depend only on her own plan and the seed, so any subset gives the same answers."""
    windows = _windows(seed, regions)
    rubric = _Rubric(instrument)
    results: list[MappedResult] = []
    for actor in actors:
        rng = random.Random(f"{seed}:answers:{actor.nik}")
        state = _State()
        path = levels[actor.nik]
        last = max(path)
        for year, level in sorted(path.items()):
            graduate = actor.status == Status.GRADUATED and year == last
            answers, result, state = _answer(
                rng, rubric, _Round(actor, year, level, graduate), state
            )
            start, end = windows[actor.village[:5], year]
            mapped_on = start + timedelta(days=rng.randint(0, (end - start).days))
            verified_on = min(mapped_on + timedelta(days=rng.randint(3, 21)), end)
            results.append(MappedResult(actor.nik, year, answers, result, verified_on))
    return results


def _rounds(rng: random.Random, actor: ActorPlan, region_start: int) -> tuple[int, ...]:
    """The rounds an actor was mapped in: from her region's first round or her business's
    start, to the last or the round before she stopped, skipping 2017 for some."""
    first = max(region_start, actor.year_started or region_start)
    if first == FIRST and rng.random() < _LATE:
        first += 1
    last = LAST
    stopped = actor.status in (Status.INACTIVE, Status.MOVED)
    if stopped and first < LAST and rng.random() < _DROPPED:
        last = LAST - 1
    years = [y for y in ROUNDS if first <= y <= last]
    return tuple(y for y in years if y != PARTIAL or y in (first, last) or rng.random() < _REMAPPED)


def _trajectories(
    rng: random.Random,
    actors: list[ActorPlan],
    rounds: Mapping[str, tuple[int, ...]],
    targets: tuple[int, int],
) -> dict[str, dict[int, str]]:
    """A level per actor and round. Actors mapped in 2016 and 2018 share out the evaluation's
    matrix: the likeliest to end high (licences held, graduated) get the higher paths."""
    cohort = [a for a in actors if {FIRST, LAST} <= set(rounds[a.nik])]
    pairs = _matrix(len(cohort), *targets)
    rank = {level: i for i, level in enumerate(LEVELS)}
    paths = sorted(pairs.elements(), key=lambda p: (rank[p[1]], rank[p[0]]), reverse=True)
    potential = {a.nik: _potential(rng, a) for a in cohort}
    cohort.sort(key=lambda a: potential[a.nik], reverse=True)
    levels: dict[str, dict[int, str]] = {}
    for actor, (start, end) in zip(cohort, paths, strict=True):
        middle = _between(rng, start, end)
        path = {FIRST: start, PARTIAL: middle, LAST: end}
        levels[actor.nik] = {year: path[year] for year in rounds[actor.nik]}
    for actor in actors:
        if actor.nik in levels:
            continue
        years = rounds[actor.nik]
        level = rng.choices(list(_JOINER_LEVELS), list(_JOINER_LEVELS.values()))[0]
        path = {years[0]: level}
        for year in years[1:]:
            draw = rng.random()
            i = rank[level] + (1 if draw < _RISE else -1 if draw > 1 - _FALL else 0)
            level = path[year] = LEVELS[min(max(i, 0), len(LEVELS) - 1)]
        if actor.status == Status.GRADUATED:
            path[years[-1]] = LEVELS[-1]
        levels[actor.nik] = path
    return levels


def _matrix(n: int, up_1_2: int, up_2_3: int) -> Counter[tuple[str, str]]:
    """How many of `n` actors take each (2016, 2018) pair of levels: the two reported moves
    exactly (as far as `n` allows), the other cells in proportion."""
    up_1_2 = min(up_1_2, n)
    up_2_3 = min(up_2_3, n - up_1_2)
    rest = n - up_1_2 - up_2_3
    cells = Counter({("IR1", "IR2"): up_1_2, ("IR2", "IR3"): up_2_3})
    for pair, share in _OTHER_CELLS.items():
        cells[pair] = round(rest * share)
    stay = rest - sum(cells[pair] for pair in _OTHER_CELLS)
    cells["IR1", "IR1"] = round(stay * _STAY_1_SHARE)
    cells["IR2", "IR2"] = stay - cells["IR1", "IR1"]
    return cells


def _potential(rng: random.Random, actor: ActorPlan) -> float:
    """How likely an actor is to be among the advanced ones by 2018, with chance in it."""
    licences = sum(1 for item in actor.legality if item["issued_on"].year <= LAST)
    established = min(max(FIRST - (actor.year_started or FIRST), 0), 15) / 15
    graduated = 5.0 if actor.status == Status.GRADUATED else 0.0
    return rng.gauss(0, 1) + 0.6 * licences + 0.5 * established + graduated


def _between(rng: random.Random, start: str, end: str) -> str:
    """The middle-round level of an actor going from `start` to `end`."""
    low, high = sorted((LEVELS.index(start), LEVELS.index(end)))
    if low == high:
        if rng.random() < 0.9:
            return start
        return LEVELS[min(max(low + rng.choice((-1, 1)), 0), len(LEVELS) - 1)]
    if high - low == 2:
        return LEVELS[1] if rng.random() < 0.8 else rng.choice((start, end))
    return rng.choice((start, end))


def _windows(seed: int, regions: list[ModelRegionPlan]) -> dict[tuple[str, int], tuple[date, date]]:
    """Each regency maps in a stretch of some weeks, after its MoU in its first year."""
    windows = {}
    for region in regions:
        for year in ROUNDS:
            rng = random.Random(f"{seed}:window:{region.code}:{year}")
            earliest = date(year, 3, 1)
            if year == region.mou_date.year:
                earliest = max(earliest, region.mou_date + timedelta(days=30))
            latest = date(year, 12, 15) - timedelta(days=60)
            start = earliest + timedelta(days=rng.randint(0, max((latest - earliest).days, 0)))
            end = min(start + timedelta(days=rng.randint(30, 60)), date(year, 12, 20))
            windows[region.code, year] = (start, end)
    return windows


# --- Answers -------------------------------------------------------------------------------


class _Rubric:
    """The instrument read backwards: for each question and score, what to answer."""

    def __init__(self, instrument: Compiled) -> None:
        self.instrument = instrument
        self.codes = tuple(instrument.questions)
        self.legality = instrument.questions["legality"].score
        self.ranges: dict[str, dict[int, tuple[int, int]]] = {}
        self.options: dict[str, dict[int, list[str]]] = {}
        for code, q in instrument.questions.items():
            question = instrument.definition.question(code)
            if q.kind == "integer":
                floor, ceiling, _step = _NUMBERS[code]
                self.ranges[code] = {
                    int(b.score): (
                        max(int(b.min), floor),
                        ceiling if b.max is None else min(int(b.max), ceiling),
                    )
                    for b in question.bands
                }
            elif q.kind == "one_of":
                for option in question.options:
                    by_score = self.options.setdefault(code, {})
                    by_score.setdefault(int(option.score or 0), []).append(option.code)


@dataclass(frozen=True)
class _Round:
    """One actor in one round, and the level her answers are to reach."""

    actor: ActorPlan
    year: int
    level: str
    graduate: bool  # the graduation flag too (a graduated actor's last round)

    @property
    def food(self) -> bool:
        return self.actor.sector in _FOOD_LICENCES

    @property
    def registered(self) -> frozenset[str]:
        """Her registered licences already issued by the end of the round's year."""
        return frozenset(
            str(i["kind"]) for i in self.actor.legality if i["issued_on"].year <= self.year
        )


def _answer(
    rng: random.Random, rubric: _Rubric, now: _Round, before: _State
) -> tuple[dict[str, Answer], Result, _State]:
    """Answers that score to the round's level (and graduation flag), grown from last
    round's; drawn again until the instrument agrees."""
    instrument = rubric.instrument
    for _attempt in range(_ATTEMPTS):
        scores = _aim(rng, rubric, now, before)
        raw, numbers, licences = _raw(rng, rubric, now, scores, before)
        clean, problems = check_answers(instrument, raw)
        if clean is None:
            raise ValueError(f"demo answers refused: {problems}")
        result = score(instrument, clean, explain=False)
        if result.level == now.level and result.graduate == now.graduate:
            actual = {code: int(points) for code, points in result.questions.items()}
            return clean, result, _State(now.level, int(result.total), actual, numbers, licences)
    raise ValueError(f"no answers scored {now.level} for {now.actor.nik} in {now.year}")


def _aim(rng: random.Random, rubric: _Rubric, now: _Round, before: _State) -> dict[str, int]:
    """A score per question, grown from last round's, adding up to a total plausible for
    the level."""
    codes = rubric.codes
    low = dict.fromkeys(codes, 1)
    high = dict.fromkeys(codes, 3)
    if before.scores is not None:
        for code in ("bookkeeping", "legality", "digital"):  # these do not go back
            low[code] = before.scores[code]
    held = int(rubric.legality(before.licences | now.registered))
    low["legality"] = max(low["legality"], held)
    # The top legality score needs an NIB and (for a home industry) a P-IRT, which is for food.
    high["legality"] = max(3 if now.food and now.year >= _NIB_SINCE else 2, low["legality"])
    if now.level == LEVELS[-1]:
        for code in _IR3_GATES:
            low[code] = max(low[code], 2)
    if now.graduate:
        low["workers"] = 3
    scores = dict(before.scores) if before.scores else dict.fromkeys(codes, 1)
    scores = {c: min(max(s, low[c]), high[c]) for c, s in scores.items()}
    lowest, highest = _TOTALS[now.level]
    if before.scores is None:
        total = rng.randint(lowest, highest)
    elif before.level == now.level:
        total = before.total + rng.choice((-1, 0, 0, 1, 1, 2))
    elif LEVELS.index(now.level) > LEVELS.index(before.level):
        total = rng.randint(max(lowest, before.total + 1), max(highest, before.total + 1))
    else:
        total = rng.randint(lowest, highest)
    total = min(max(total, lowest, sum(low.values())), highest, sum(high.values()))
    weights = _START_WEIGHT if before.scores is None else _RISE_WEIGHT
    sector = _SECTOR_WEIGHT.get(now.actor.sector, {})
    damping = _MARKETPLACE_DAMPING.get(now.year, 1.0)
    while sum(scores.values()) < total:
        up = [c for c in codes if scores[c] < high[c]]
        w = [
            weights[c] * sector.get(c, 1.0) * (damping if c == "digital" and scores[c] == 2 else 1)
            for c in up
        ]
        scores[rng.choices(up, w)[0]] += 1
    while sum(scores.values()) > total:
        down = [c for c in codes if scores[c] > low[c] and c in _FALL_WEIGHT]
        if not down:
            break
        scores[rng.choices(down, [_FALL_WEIGHT[c] for c in down])[0]] -= 1
    return scores


def _raw(
    rng: random.Random, rubric: _Rubric, now: _Round, scores: Mapping[str, int], before: _State
) -> tuple[dict[str, Any], dict[str, int], frozenset[str]]:
    """Answers as a facilitator records them, one per question, that score as `scores`."""
    raw: dict[str, Any] = {}
    numbers: dict[str, int] = {}
    for code, ranges in rubric.ranges.items():
        wanted = scores[code]
        low, high = ranges[wanted]
        if code == "workers" and now.graduate:
            low, high = _GRADUATE_WORKERS
        previous = before.numbers.get(code) if before.numbers else None
        same = before.scores is not None and before.scores[code] == wanted
        step = _NUMBERS[code][2]
        numbers[code] = raw[code] = _number(rng, low, high, step, previous, same=same)
    for code, options in rubric.options.items():
        raw[code] = rng.choice(options[scores[code]])
    licences = _licences(rng, rubric, now, scores["legality"], before.licences)
    raw["legality"] = sorted(licences)
    return raw, numbers, licences


def _number(
    rng: random.Random, low: int, high: int, step: int, previous: int | None, *, same: bool
) -> int:
    """A round number in [low, high]: last round's, grown a little, when the score stays;
    just into the band when it is a step up; anywhere in it (log-uniform) otherwise."""
    value: float
    if previous is not None and same:
        value = previous * rng.uniform(0.97, 1.3) if step > 1 else previous + (rng.random() < 0.25)
    elif step == 1:
        value = rng.randint(low, high)
    else:
        top = low + (high - low) / 2 if previous is not None and previous < low else high
        value = math.exp(rng.uniform(math.log(low), math.log(top)))
    # Between the band's lowest and highest round numbers.
    return min(max(int(value // step) * step, -(-low // step) * step), high // step * step)


def _licences(
    rng: random.Random, rubric: _Rubric, now: _Round, wanted: int, before: frozenset[str]
) -> frozenset[str]:
    """Last round's licences plus the registered ones issued by then, and if the score
    wanted needs more, the ones a facilitator helps with first: P-IRT for food, else a
    village letter or IUMK; NIB and P-IRT for the top score."""
    held = set(before | now.registered)
    if rubric.legality(held) < wanted:
        held.add(LegalityKind.PIRT if now.food and rng.random() < 0.7 else rng.choice(_LETTERS))
    if rubric.legality(held) < wanted:
        held.update((LegalityKind.NIB, LegalityKind.PIRT))
    if wanted >= 2 and now.year == LAST and rng.random() < 0.03:
        held.add(LegalityKind.BRAND)
    return frozenset(str(h) for h in held)
