"""Named announcements from a write service to whoever keeps up with its writes.

A write service announces each change inside its own transaction, and a read model
(analytics' counts, privacy's consent history) that subscribed at start-up updates itself in
that same transaction: the writer never imports its readers (docs/adr/0004). Each app that
announces names its events in its own `events.py`, one declaration per event:

    @event
    def results_moved(moves: Sequence[ResultMove], /) -> None:
        '''When it fires, what it carries, and who subscribes.'''

The declaration's parameters, positional only, are what every listener takes (checked by
mypy); its docstring says when it fires and names its subscribers. An app that listens wires
its subscriptions in a `subscribe()` of its own `events.py`, which its AppConfig.ready calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


class Event(Generic[P]):
    """One kind of announcement and its listeners, called in the order they subscribed."""

    def __init__(self, declaration: Callable[P, None]) -> None:
        self.name = f"{declaration.__module__}.{declaration.__qualname__}"
        self.__doc__ = declaration.__doc__
        self.listeners: list[Callable[P, None]] = []

    def subscribe(self, listener: Callable[P, None]) -> None:
        """Add a listener, once however often start-up runs."""
        if listener not in self.listeners:
            self.listeners.append(listener)

    def announce(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for listener in self.listeners:
            listener(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<Event {self.name}>"


def event(declaration: Callable[P, None]) -> Event[P]:
    """Declare an event by the signature and docstring of a function with no body."""
    return Event(declaration)
