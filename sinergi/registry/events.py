"""What the registry announces, and where other apps plug into it (see sinergi.lib.events).

Events fire inside the transaction of the registry.services function that writes (one actor
or many at once), so whoever keeps up with them stays exact without the registry importing
it. The extension points are lists filled at start-up by the apps that plug in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from sinergi.lib.events import event

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from sinergi.accounts.models import User
    from sinergi.registry.models import Actor


class ActorPlace(NamedTuple):
    """Where an actor is counted: her village, sector and facilitator."""

    village_code: str
    sector: str
    facilitator_id: int | None


class ActorMove(NamedTuple):
    """An actor was registered (old None) or her place changed."""

    actor_id: int
    old: ActorPlace | None
    new: ActorPlace | None


# Consent as it is written: (actor id, her record before or None when new, after).
ConsentChange = tuple[int, Mapping[str, Any] | None, Mapping[str, Any]]


@event
def actors_moved(moves: Sequence[ActorMove], /) -> None:
    """Actors were registered (one, or a whole import chunk) or their village, sector or
    facilitator changed; only actors whose place is new or changed are in `moves`.

    Subscribers: sinergi.analytics.aggregates.on_actors (wired in analytics/events.py), which
    keeps the dashboards' counts of registered actors and moves their history with them;
    sinergi.partners.monitoring_counts.on_actors (wired in partners/events.py), which moves
    the referral counts of an actor who now lives elsewhere.
    """


@event
def consent_written(
    user: User | AnonymousUser, source: str, changes: Sequence[ConsentChange], /
) -> None:
    """Actors' records were written with their consents (registered, updated or imported);
    `source` names the writer ("register", "update", "import"), `user` who wrote.

    Subscribers: sinergi.privacy.services.on_consent (wired in privacy/events.py), which keeps
    the history of consent given and withdrawn, by whom.
    """


class LevelSource(Protocol):
    """Where actors' levels come from (the mapping app registers one at start-up), so the
    registry can list and filter by level without depending on the mapping."""

    def level_codes(self) -> list[str]: ...

    def period_exists(self, code: str) -> bool: ...

    def with_levels(self, queryset: QuerySet[Actor], period: str | None) -> QuerySet[Actor]:
        """Annotate `level` (in the period, or the latest); with a period, keep only actors
        with a counted result in it."""
        ...


# The first one answers (registry.queries). Filled by assessments/events.py: AssessmentLevels.
level_sources: list[LevelSource] = []

# Rules on who may leave the system in an export, applied after the user's scope and filters
# (registry.exports). Filled by privacy/events.py: without_withdrawn (the consent rule).
export_filters: list[Callable[[QuerySet[Actor]], QuerySet[Actor]]] = []
