"""The scoping mechanism's own pieces: a reach's filters, seen directly and through a
relation, and the union of filters."""

from __future__ import annotations

import pytest
from django.db.models import Q

from sinergi.lib.scope import Reach, any_of, reach_of
from sinergi.registry.models import Actor
from sinergi.test import REMBANG_VILLAGE, ActorFactory, Personas

LEVELS = Reach(levels=("p", "r", "d", "v"), caseload="f")


def test_a_levelled_reach_filters_on_the_column_of_the_region_s_level() -> None:
    assert LEVELS.within("33") == Q(p="33")
    assert LEVELS.within("33.17.04") == Q(d="33.17.04")
    assert LEVELS.within("") == Q()


def test_a_coded_reach_takes_the_region_and_everything_below_it() -> None:
    reach = Reach(code="region_code")
    assert reach.within("33.17") == Q(region_code="33.17") | Q(region_code__startswith="33.17.")


def test_a_reach_without_regions_reaches_no_region() -> None:
    assert Reach(owner="by").within("33") == Q(pk__in=[])


def test_through_prefixes_every_path() -> None:
    seen = LEVELS.through("actor")
    assert seen.levels == ("actor__p", "actor__r", "actor__d", "actor__v")
    assert (seen.caseload, seen.owner) == ("actor__f", "")


def test_everything_absorbs_the_other_clauses_and_nothing_is_none() -> None:
    assert any_of([Q(a=1), Q()]) == Q()
    assert any_of([]) is None
    assert any_of([Q(a=1), Q(b=2)]) == Q(a=1) | Q(b=2)


def test_a_model_without_a_reach_is_refused() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from sinergi.regions.models import Region

    with pytest.raises(ImproperlyConfigured):
        reach_of(Region)


@pytest.mark.django_db
def test_a_loaded_row_is_placed_by_its_reach(personas: Personas) -> None:
    actor = ActorFactory(village_code=REMBANG_VILLAGE, facilitator=personas.pendamping)
    assert Actor.reach.region_of(actor) == REMBANG_VILLAGE
    assert Actor.reach.caseload_of(actor) == personas.pendamping.pk
    assert list(Actor.objects.visible_to(personas.pendamping)) == [actor]
    assert list(Actor.objects.visible_to(personas.kendal)) == []
    assert list(Actor.objects.within("33.17.04")) == [actor]
