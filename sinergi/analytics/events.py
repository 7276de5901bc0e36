"""What analytics subscribes to: the dashboards' counts (analytics.aggregates) follow every
write of a counted result and of an actor's place, inside the writer's own transaction, so
they never drift from the raw rows (docs/adr/0004). Analytics announces nothing itself."""

from __future__ import annotations


def subscribe() -> None:
    """Wired at start-up (AnalyticsConfig.ready)."""
    from sinergi.analytics import aggregates
    from sinergi.assessments import events as assessments
    from sinergi.registry import events as registry

    assessments.results_moved.subscribe(aggregates.on_results)
    registry.actors_moved.subscribe(aggregates.on_actors)
