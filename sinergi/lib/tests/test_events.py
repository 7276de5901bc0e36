"""Events: declared once with what they carry, heard in order, and every subscriber named
where the event is declared, so a write can be followed to whoever keeps up with it."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from django.apps import apps

from sinergi.lib.events import Event, event


@event
def something_happened(what: str, /) -> None:
    """Fires in this test."""


def test_listeners_hear_each_announcement_in_the_order_they_subscribed() -> None:
    heard: list[str] = []

    def first(what: str) -> None:
        heard.append(f"first {what}")

    def second(what: str) -> None:
        heard.append(f"second {what}")

    something_happened.subscribe(first)
    something_happened.subscribe(second)
    something_happened.subscribe(first)  # once, however often start-up runs
    try:
        something_happened.announce("a")
    finally:
        something_happened.listeners.clear()
    assert heard == ["first a", "second a"]


def test_an_event_is_named_and_documented_by_its_declaration() -> None:
    assert something_happened.name == f"{__name__}.something_happened"
    assert something_happened.__doc__ == "Fires in this test."


def declared_events() -> Iterator[Event[...]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("sinergi."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.events")
        except ModuleNotFoundError:
            continue
        yield from (value for value in vars(module).values() if isinstance(value, Event))


def test_every_subscriber_is_named_where_its_event_is_declared() -> None:
    found = list(declared_events())
    assert {e.name.rsplit(".", 1)[1] for e in found} >= {
        "result_changed",
        "results_moved",
        "actors_moved",
        "consent_written",
    }
    for declared in found:
        for listener in declared.listeners:
            name = f"{listener.__module__}.{listener.__qualname__}"
            assert name in (declared.__doc__ or ""), f"{declared.name} does not name {name}"


def test_the_dashboards_follow_every_write_of_results_and_actors() -> None:
    from sinergi.analytics import aggregates
    from sinergi.assessments import events as assessments
    from sinergi.registry import events as registry

    assert aggregates.on_results in assessments.results_moved.listeners
    assert aggregates.on_actors in registry.actors_moved.listeners
