"""The registry of open-data sources: a dataset names its source, a builder registered
here under that name returns its table. The table's fields are the data dictionary.

Builders of datasets about persons (levels, transitions, referral outcomes) are registered
by the portal from its published, small-cell protected figures: their cells arrive already
protected ("<5" for a count from 1 to 4, empty for a withheld cell) and are written as they
are. A dataset whose builder is not registered is not published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise

FieldType = Literal["string", "integer", "date"]
Cell = str | int | dt.date | None


@dataclass(frozen=True)
class Field:
    """One column and its entry in the data dictionary. `protected`: a count of people, in
    which "<5" stands for 1 to 4 and an empty cell for a withheld one."""

    code: str
    title: str | Promise
    type: FieldType
    description: str | Promise = ""
    protected: bool = False


@dataclass(frozen=True)
class Table:
    """A dataset's content: its fields and its rows (one value per field, in order), and
    when the data it was built from last changed (None when not known)."""

    fields: tuple[Field, ...]
    rows: Sequence[tuple[Cell, ...]] = ()
    modified: dt.datetime | None = None

    @property
    def protected(self) -> bool:
        return any(f.protected for f in self.fields)


Builder = Callable[[], Table]

_BUILDERS: dict[str, Builder] = {}


def register(name: str, builder: Builder) -> None:
    """Register (or replace) the builder of the source `name`."""
    _BUILDERS[name] = builder


def unregister(name: str) -> None:
    _BUILDERS.pop(name, None)


def names() -> list[str]:
    return sorted(_BUILDERS)


def is_registered(name: str) -> bool:
    return name in _BUILDERS


def build(name: str) -> Table:
    """The table of the source `name`; KeyError when no builder is registered."""
    return _BUILDERS[name]()
