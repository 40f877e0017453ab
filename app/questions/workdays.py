"""Working days in Belgium: weekends and the ten legal public holidays do not count.

The fixed holidays are New Year's Day, Labour Day (1 May), the National Day (21 July),
Assumption (15 August), All Saints (1 November), Armistice (11 November) and Christmas; the
movable ones follow Easter Sunday: Easter Monday (+1), Ascension (+39) and Whit Monday (+50).
Pure functions: nothing here reads a clock or a database.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

FIXED_HOLIDAYS = ((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25))
EASTER_OFFSETS = (1, 39, 50)  # Easter Monday, Ascension, Whit Monday


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher")."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=64)
def belgian_holidays(year: int) -> frozenset[dt.date]:
    """The ten legal public holidays of ``year`` in Belgium."""
    easter = easter_sunday(year)
    fixed = {dt.date(year, month, day) for month, day in FIXED_HOLIDAYS}
    movable = {easter + dt.timedelta(days=offset) for offset in EASTER_OFFSETS}
    return frozenset(fixed | movable)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in belgian_holidays(day.year)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to ``end`` included: how long something received on
    ``start`` has waited on ``end`` (0 the same day; a Friday's question is 1 day old on Monday).
    """
    if end <= start:
        return 0
    full_weeks, rest = divmod((end - start).days, 7)
    count = full_weeks * 5
    for offset in range(1, rest + 1):
        if (start + dt.timedelta(days=offset)).weekday() < 5:
            count += 1
    for year in range(start.year, end.year + 1):
        count -= sum(1 for h in belgian_holidays(year) if start < h <= end and h.weekday() < 5)
    return count
