"""What the mapping announces, and what it subscribes to (see sinergi.lib.events).

A counted result changes through assessments.services (submit_assessment, a correction,
delete_assessment) and assessments.rescoring (a chunk of a re-score). Each change is
announced inside the writer's transaction twice: as a ResultChange with the rows, one at a
time (result_changed), and as plain ResultMove values, a list at a time (results_moved). A
read model subscribes to the one it needs; the dashboards' counts follow results_moved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from sinergi.lib.events import event

if TYPE_CHECKING:
    from sinergi.assessments.models import Assessment


@dataclass(frozen=True)
class ResultChange:
    """One actor's counted result in a period moved from `old` to `new` (either may be None)."""

    period_id: int
    actor_id: int
    regency_code: str
    old: Assessment | None
    new: Assessment | None


class ResultMove(NamedTuple):
    """A ResultChange as plain values, for batched notifications (re-scoring moves thousands
    at a time, and building model instances for each would cost more than the scoring).

    A single write also hands over the new result's graduation flag and answers, which it
    holds anyway, so that a listener need not read them back; a re-score leaves the answers
    None. A re-score hands over both graduation flags and says whether the new result holds
    the old one's answers as they were (`same_answers`): a result re-scored to the same level
    and flag then changes nothing a listener that counts levels, flags and answers keeps.
    """

    period_id: int
    actor_id: int
    regency_code: str
    old_id: int | None
    old_level: str | None
    new_id: int | None
    new_level: str | None
    new_graduate: bool | None = None
    new_answers: Mapping[str, Any] | None = None
    old_graduate: bool | None = None
    same_answers: bool = False


@event
def result_changed(change: ResultChange, /) -> None:
    """A counted result changed: fires once per result, with the old and new rows, inside the
    writer's transaction (a re-score loads the rows only when this event has a listener).

    Subscribers: none in the application (tests listen here).
    """


@event
def results_moved(moves: Sequence[ResultMove], /) -> None:
    """Counted results changed: fires with one move for a single write (a submission, a
    correction, a deletion) and with a chunk's moves for a re-score, inside the writer's
    transaction, for every change result_changed carries.

    Subscribers: sinergi.analytics.aggregates.on_results (wired in analytics/events.py), which
    keeps the dashboards' counts; sinergi.partners.monitoring_counts.on_results (wired in
    partners/events.py), which keeps the referred actors' transitions.
    """


def subscribe() -> None:
    """The mapping's subscriptions, wired at start-up (AssessmentsConfig.ready): it tells the
    registry's lists each actor's level (registry.events.level_sources)."""
    from sinergi.assessments.levels import AssessmentLevels
    from sinergi.registry.events import level_sources

    if not any(isinstance(source, AssessmentLevels) for source in level_sources):
        level_sources.append(AssessmentLevels())
