from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.information.workdays import add_working_days, is_working_day, working_days_between


def test_it_skips_the_weekend() -> None:
    # Friday 27 November 2026 + 1 working day: Monday 30 November.
    assert add_working_days(date(2026, 11, 27), 1, ()) == date(2026, 11, 30)


def test_ten_working_days_are_two_weeks_without_holidays() -> None:
    assert add_working_days(date(2026, 11, 2), 10, ()) == date(2026, 11, 16)


def test_a_request_on_saturday_counts_from_monday() -> None:
    assert add_working_days(date(2026, 11, 28), 1, ()) == date(2026, 11, 30)


def test_it_skips_holidays_when_there_are_some() -> None:
    # Received Thursday 24 December 2026; Christmas on Friday 25 is not counted.
    holidays = {date(2026, 12, 25)}
    assert add_working_days(date(2026, 12, 24), 1, ()) == date(2026, 12, 25)
    assert add_working_days(date(2026, 12, 24), 1, holidays) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 24), 10, holidays) == date(2027, 1, 8)


def test_it_refuses_a_count_below_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(date(2026, 1, 1), 0, ())


def test_working_days_between_counts_after_the_start() -> None:
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 30), ()) == 1
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 30), ()) == 0


starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
holiday_sets = st.frozensets(st.dates(min_value=date(2020, 1, 1), max_value=date(2031, 6, 30)))


@settings(deadline=None, max_examples=200)
@given(start=starts, days=st.integers(min_value=1, max_value=40), holidays=holiday_sets)
def test_the_due_date_is_a_working_day_exactly_n_working_days_later(
    start: date, days: int, holidays: frozenset[date]
) -> None:
    due = add_working_days(start, days, holidays)
    assert is_working_day(due, holidays)
    assert due > start
    assert working_days_between(start, due, holidays) == days
    assert working_days_between(start, due - timedelta(days=1), holidays) == days - 1
