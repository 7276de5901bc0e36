"""Matching as a pure function: eligibility is never violated, and the ranking is explained."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sinergi.partners.matching import (
    Facts,
    Matcher,
    Need,
    Reason,
    Terms,
    match,
    refusal,
)

LEVELS = ("IR1", "IR2", "IR3")
SECTORS = ("makanan-minuman", "kerajinan", "jasa")
LEGAL = ("sku", "nib", "pirt", "halal")
ITEMS = ("bookkeeping", "digital", "capital", "legality")
REGIONS = ("33", "33.17", "33.17.04", "33.24", "33.24.01", "61")


def facts(**kw: object) -> Facts:
    base: dict[str, object] = {
        "actor": 1,
        "regions": frozenset({"33", "33.17", "33.17.04", "33.17.04.2001"}),
        "sector": "makanan-minuman",
        "legality": frozenset({"sku"}),
        "years": 4,
        "level": "IR1",
        "needs": (
            Need("bookkeeping", "bookkeeping", 1, 2, 1, gate=True),
            Need("digital", "digital", 1, 2, 1),
        ),
    }
    return Facts(**(base | kw))  # type: ignore[arg-type]


def test_it_ranks_the_offer_closing_a_gate_first() -> None:
    offers = [
        Terms(1, 10, "digital", items=frozenset({"digital"})),
        Terms(2, 11, "training", items=frozenset({"bookkeeping"})),
    ]
    found = match(facts(), offers)
    assert [m.offer for m in found] == [2, 1]
    assert found[0].reasons == (Reason("gate", "bookkeeping", 1, 2),)
    assert [m.score for m in found] == [2, 1]


def test_it_counts_the_legality_it_helps_to_get() -> None:
    offer = Terms(1, 10, "certification", legality_missing=frozenset({"pirt", "halal"}))
    [found] = match(facts(), [offer])
    assert found.reasons == (Reason("legality", "halal"), Reason("legality", "pirt"))
    assert refusal(facts(legality=frozenset({"pirt", "halal"})), offer) == "legality_held"


def test_an_offer_answering_nothing_still_fits_with_its_reason() -> None:
    [found] = match(facts(), [Terms(1, 10, "market")])
    assert (found.score, found.reasons) == (0, (Reason("fit"),))


def test_each_rule_is_named_when_it_fails() -> None:
    assert refusal(facts(), Terms(1, 1, "x", open=False)) == "closed"
    assert refusal(facts(), Terms(1, 1, "x", regions=frozenset({"33.24"}))) == "region"
    assert refusal(facts(), Terms(1, 1, "x", levels=frozenset({"IR2"}))) == "level"
    assert refusal(facts(level=None), Terms(1, 1, "x", levels=frozenset({"IR1"}))) == "level"
    assert refusal(facts(), Terms(1, 1, "x", sectors=frozenset({"jasa"}))) == "sector"
    assert refusal(facts(), Terms(1, 1, "x", legality_required=frozenset({"nib"}))) == (
        "legality_required"
    )
    assert refusal(facts(), Terms(1, 1, "x", min_years=5)) == "years"
    assert refusal(facts(years=None), Terms(1, 1, "x", min_years=1)) == "years"
    assert refusal(facts(), Terms(1, 1, "x", regions=frozenset({"33.17"}), min_years=4)) is None


def _subset(values: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values))


terms_strategy = st.builds(
    Terms,
    offer=st.integers(1, 10_000),
    partner=st.integers(1, 50),
    category=st.sampled_from(("capital", "training")),
    regions=_subset(REGIONS),
    levels=_subset(LEVELS),
    sectors=_subset(SECTORS),
    legality_required=_subset(LEGAL),
    legality_missing=_subset(LEGAL),
    min_years=st.integers(0, 6),
    items=_subset(ITEMS),
    open=st.booleans(),
)
needs_strategy = st.lists(
    st.builds(
        Need,
        item=st.sampled_from(ITEMS),
        aspect=st.sampled_from(ITEMS),
        current=st.just(1),
        next=st.just(2),
        points=st.integers(1, 2),
        gate=st.booleans(),
    ),
    max_size=4,
).map(tuple)
facts_strategy = st.builds(
    Facts,
    actor=st.integers(1, 100),
    regions=st.sampled_from(
        (
            frozenset({"33", "33.17", "33.17.04"}),
            frozenset({"33", "33.24", "33.24.01"}),
            frozenset({"61"}),
        )
    ),
    sector=st.sampled_from(SECTORS),
    legality=_subset(LEGAL),
    years=st.none() | st.integers(0, 10),
    level=st.none() | st.sampled_from(LEVELS),
    needs=needs_strategy,
)


def _eligible(f: Facts, t: Terms) -> bool:
    return (
        t.open
        and (not t.regions or bool(t.regions & f.regions))
        and (not t.levels or f.level in t.levels)
        and (not t.sectors or f.sector in t.sectors)
        and t.legality_required <= f.legality
        and (not t.legality_missing or not t.legality_missing <= f.legality)
        and (t.min_years == 0 or (f.years is not None and f.years >= t.min_years))
    )


@given(f=facts_strategy, offers=st.lists(terms_strategy, max_size=12, unique_by=lambda t: t.offer))
def test_eligibility_is_never_violated(f: Facts, offers: list[Terms]) -> None:
    found = match(f, offers)
    by_id = {t.offer: t for t in offers}
    assert {m.offer for m in found} == {t.offer for t in offers if _eligible(f, t)}
    for m in found:
        assert m.partner == by_id[m.offer].partner
        assert m.reasons
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


@given(
    people=st.lists(facts_strategy, max_size=8),
    offers=st.lists(terms_strategy, max_size=12, unique_by=lambda t: t.offer),
)
def test_the_index_finds_what_the_plain_scan_finds(
    people: list[Facts], offers: list[Terms]
) -> None:
    matcher = Matcher(offers)
    for f in people:
        assert matcher.match(f) == match(f, offers)
