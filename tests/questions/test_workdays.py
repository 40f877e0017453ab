"""Working days in Belgium: Easter and the public holidays, and an age counted in working days."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.questions.workdays import belgian_holidays, easter_sunday, working_days_between

D = dt.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),  # the latest possible date
        (2285, D(2285, 3, 22)),  # the earliest possible date
    ],
)
def test_easter_sunday(year: int, easter: dt.date) -> None:
    assert easter_sunday(year) == easter
    assert easter.weekday() == 6


def test_the_2026_holidays() -> None:
    assert sorted(belgian_holidays(2026)) == [
        D(2026, 1, 1),
        D(2026, 4, 6),  # Easter Monday
        D(2026, 5, 1),
        D(2026, 5, 14),  # Ascension, a Thursday
        D(2026, 5, 25),  # Whit Monday
        D(2026, 7, 21),
        D(2026, 8, 15),
        D(2026, 11, 1),
        D(2026, 11, 11),
        D(2026, 12, 25),
    ]


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (D(2026, 12, 2), D(2026, 12, 2), 0),  # same day
        (D(2026, 12, 2), D(2026, 12, 3), 1),  # Wednesday to Thursday
        (D(2026, 11, 27), D(2026, 11, 30), 1),  # Friday to Monday: the weekend does not count
        (D(2026, 11, 28), D(2026, 11, 30), 1),  # asked on a Saturday, Monday is the first day
        (D(2026, 12, 24), D(2026, 12, 28), 1),  # Christmas (a Friday) does not count
        (D(2026, 4, 3), D(2026, 4, 7), 1),  # Good Friday counts, Easter Monday does not
        (D(2026, 5, 13), D(2026, 5, 15), 1),  # Ascension Thursday
        (D(2026, 5, 22), D(2026, 5, 26), 1),  # Whit Monday
        (D(2026, 11, 10), D(2026, 11, 12), 1),  # Armistice, a Wednesday
        (D(2026, 12, 31), D(2027, 1, 4), 1),  # New Year's Day, a Friday, across the years
        (D(2026, 12, 2), D(2026, 12, 16), 10),  # two full weeks
        (D(2026, 12, 2), D(2026, 12, 1), 0),  # never negative
    ],
)
def test_working_days_between(start: dt.date, end: dt.date, days: int) -> None:
    assert working_days_between(start, end) == days


def is_working_day(day: dt.date) -> bool:
    """The plain rule, day by day: the count the fast one must match."""
    return day.weekday() < 5 and day not in belgian_holidays(day.year)


@given(st.dates(D(2000, 1, 1), D(2100, 1, 1)), st.integers(0, 800))
def test_working_days_match_a_day_by_day_count(start: dt.date, span: int) -> None:
    end = start + dt.timedelta(days=span)
    counted = sum(1 for n in range(1, span + 1) if is_working_day(start + dt.timedelta(days=n)))
    assert working_days_between(start, end) == counted
