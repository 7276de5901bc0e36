"""Working days as UU 14/2008 counts its deadlines: Saturdays, Sundays and national holidays
are not counted, nor the day of receipt itself. Pure: the holidays come in as a set."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

_DAY = timedelta(days=1)


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The day `days` working days after `start` (start itself not counted)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day, left = start, days
    while left:
        day += _DAY
        if is_working_day(day, holidays):
            left -= 1
    return day


def working_days_between(start: date, end: date, holidays: Collection[date]) -> int:
    """How many working days after `start`, up to and including `end` (0 if end <= start)."""
    count, day = 0, start
    while day < end:
        day += _DAY
        if is_working_day(day, holidays):
            count += 1
    return count


def span_for(days: int) -> timedelta:
    """A calendar span surely holding `days` working days (holidays included), for loading
    the holidays a count may meet."""
    return timedelta(days=days * 2 + 60)
