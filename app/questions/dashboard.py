"""The staff's dashboard: questions received and answered per week, time to the first answer,
open questions by age, per fiche and per professional.

Definitions (the page says them too):

- a question is *received* on the day it was asked (its thread's creation), spam excluded;
- its *first answer* is the earliest publication of a professional's answer in its thread (an
  answer hidden later still counts: the asker was told);
- the *delay* is counted in Belgian working days, as the work queue counts ages
  (``workdays.working_days_between`` of the two days in Belgium: 0 = answered the same day);
- the median and the 90th percentile are the nearest-rank ones: the smallest delay within
  which at least half (nine tenths) of the answered questions got their answer;
- the share *within the usual delay* is taken over the questions received in the period that
  were answered, or that still wait (to be moderated or answered) past the usual delay.

Every figure comes from a handful of SQL aggregates: the database groups the rows (by day, by
fiche, by professional, by delay) and Python only folds a few hundred groups. Delays are
computed in SQL by joining a small calendar (each day of the period and its working-day
number) built here from ``workdays``, so no question row travels to Python.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import String, and_, case, func, literal, select, type_coerce
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col

from app.probleme.logic import DATE_FORMATS
from app.questions.models import Author, Message, MessageState, Thread, ThreadState
from app.questions.threads import public_version
from app.questions.workdays import is_working_day, working_days_between
from app.staff.models import StaffUser
from app.templating import BELGIUM

DEFAULT_WEEKS = 12
MAX_DAYS = 366
EARLIEST = dt.date(2000, 1, 1)
# The asker's question still waits on the staff in these states (not spam, rejected, removed).
WAITING_STATES = (MessageState.pending, MessageState.published)


# --- The period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Belgian days, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The first moment of ``start`` and of the day after ``end`` in Belgium, in UTC."""
        first = dt.datetime.combine(self.start, dt.time(), tzinfo=BELGIUM)
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=BELGIUM)
        return first.astimezone(dt.UTC), after.astimezone(dt.UTC)


def default_period(today: dt.date) -> Period:
    """The last ``DEFAULT_WEEKS`` weeks: from the Monday eleven weeks before this one to today."""
    monday = today - dt.timedelta(days=today.weekday())
    return Period(start=monday - dt.timedelta(weeks=DEFAULT_WEEKS - 1), end=today)


def _read_day(text: str) -> tuple[dt.date | None, str | None]:
    """« 07/09/2026 », « 7-9-2026 », « 2026-09-07 » as a date, or what is wrong with it."""
    for pattern in DATE_FORMATS:
        match = pattern.fullmatch(text.strip())
        if match:
            break
    else:
        return (
            None,
            "{} n'est pas écrite comme une date : en chiffres, jour/mois/année, "
            "par exemple 07/09/2026.",
        )
    try:
        day = dt.date(*(int(match.group(part)) for part in ("y", "m", "d")))
    except ValueError:
        return None, "{} n'existe pas : vérifiez le jour et le mois."
    return day, None


def read_period(start: str, end: str, *, today: dt.date) -> tuple[Period, dict[str, str]]:
    """The period asked for (``du``, ``au``), or the default one and why the asked one is refused.

    Both empty: the last twelve weeks. Only the end: the twelve weeks before it. Only the
    start: up to today.
    """
    errors: dict[str, str] = {}
    days: dict[str, dt.date | None] = {"du": None, "au": None}
    words = {"du": "La date de début", "au": "La date de fin"}
    for name, text in (("du", start), ("au", end)):
        if not text.strip():
            continue
        day, problem = _read_day(text)
        if problem:
            errors[name] = problem.format(words[name])
        elif day is not None and day > today:
            errors[name] = f"{words[name]} est dans le futur : indiquez aujourd'hui au plus tard."
        elif day is not None and day < EARLIEST:
            errors[name] = f"{words[name]} est trop ancienne : indiquez une date après 2000."
        days[name] = day
    fallback = default_period(today)
    if errors:
        return fallback, errors
    first, last = days["du"], days["au"]
    if first is None and last is None:
        return fallback, {}
    if first is None:
        assert last is not None
        first = max(EARLIEST, last - dt.timedelta(weeks=DEFAULT_WEEKS) + dt.timedelta(days=1))
    if last is None:
        last = today
    if first > last:
        return fallback, {"au": "La date de fin est avant la date de début : inversez-les."}
    if (last - first).days + 1 > MAX_DAYS:
        return fallback, {"du": "La période dépasse un an : choisissez au plus 366 jours."}
    return Period(start=first, end=last), {}


# --- Delays in working days ---------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    """A range of working days, both ends included (``high`` None: and more)."""

    low: int
    high: int | None
    late: bool

    @property
    def label(self) -> str:
        if self.high is None:
            return f"{self.low} jours ou plus"
        if self.low == self.high:
            return (
                "le jour même" if self.low == 0 else f"{self.low} jour{'s' if self.low > 1 else ''}"
            )
        return f"{self.low} à {self.high} jours"

    @property
    def short(self) -> str:
        """For a chart's axis."""
        if self.high is None:
            return f"{self.low}+"
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"

    def holds(self, days: int) -> bool:
        return self.low <= days and (self.high is None or days <= self.high)


def buckets(usual_days: int) -> list[Bucket]:
    """Each day up to the usual delay, then twice, four times it, and beyond."""
    found = [Bucket(day, day, late=False) for day in range(usual_days + 1)]
    found.append(Bucket(usual_days + 1, 2 * usual_days, late=True))
    found.append(Bucket(2 * usual_days + 1, 4 * usual_days, late=True))
    found.append(Bucket(4 * usual_days + 1, None, late=True))
    return [b for b in found if b.high is None or b.high >= b.low]


def nearest_rank(histogram: Mapping[int, int], fraction: float) -> int | None:
    """The smallest delay within which at least ``fraction`` of the counted questions fall."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = math.ceil(fraction * total)
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    raise AssertionError("unreachable: the ranks add up to the total")


@dataclass
class Delays:
    """Time to first answer of a group of questions received in the period."""

    received: int = 0
    # working days -> questions first answered after that many
    answered: Counter[int] = field(default_factory=Counter)
    # questions still waiting past the usual delay
    late_waiting: int = 0

    @property
    def answered_count(self) -> int:
        return sum(self.answered.values())

    @property
    def median(self) -> int | None:
        return nearest_rank(self.answered, 0.5)

    @property
    def p90(self) -> int | None:
        return nearest_rank(self.answered, 0.9)

    def within(self, usual_days: int) -> int:
        return sum(n for days, n in self.answered.items() if days <= usual_days)

    def base(self) -> int:
        """Questions whose outcome is known: answered, or already waiting too long."""
        return self.answered_count + self.late_waiting

    def share_within(self, usual_days: int) -> float | None:
        """Percentage answered within the usual delay, over :meth:`base`."""
        base = self.base()
        return None if base == 0 else 100 * self.within(usual_days) / base


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    monday: dt.date
    received: int
    answered: int


@dataclass(frozen=True)
class FicheRow:
    slug: str | None
    title: str
    delays: Delays


@dataclass(frozen=True)
class ProfessionalRow:
    staff_id: int
    name: str
    answers: int
    first_answers: Delays


@dataclass(frozen=True)
class AgeRow:
    bucket: Bucket
    count: int


@dataclass(frozen=True)
class Dashboard:
    period: Period
    today: dt.date
    usual_days: int
    weeks: list[Week]
    overall: Delays
    delay_rows: list[AgeRow]
    fiches: list[FicheRow]
    professionals: list[ProfessionalRow]
    open_rows: list[AgeRow]

    @property
    def open_total(self) -> int:
        return sum(row.count for row in self.open_rows)


# --- SQL ----------------------------------------------------------------------------------------


def summer_time(year: int) -> tuple[str, str]:
    """When Belgium is on summer time in ``year``, in UTC as SQLite stores timestamps: from the
    last Sunday of March to the last Sunday of October, at 01:00 UTC (the EU rule since 1996)."""

    def last_sunday(month: int) -> dt.date:
        day = dt.date(year, month, 31)
        return day - dt.timedelta(days=(day.weekday() + 1) % 7)

    return f"{last_sunday(3)} 01:00:00", f"{last_sunday(10)} 01:00:00"


def belgian_day(moment: Any, dialect: str, years: range) -> ColumnElement[Any]:
    """SQL: the day in Belgium of a stored UTC timestamp (of one of ``years`` on SQLite).

    PostgreSQL knows the time zone. SQLite knows none and stores ``YYYY-MM-DD HH:MM:SS.ffffff``
    in UTC: the summer times of the years are compared as text, which costs less than
    computing them for each row.
    """
    if dialect == "postgresql":
        return func.date(func.timezone("Europe/Brussels", moment))
    summers = [summer_time(year) for year in reversed(years)]
    text = type_coerce(moment, String)
    offset = case(
        *(
            (
                and_(text >= literal(begins, String), text < literal(ends, String)),
                literal("+2 hours", String),
            )
            for begins, ends in summers
        ),
        else_=literal("+1 hour", String),
    )
    return func.date(text, offset, type_=String)


@lru_cache(maxsize=4096)
def _day_of_text(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _as_date(value: Any) -> dt.date:
    """A day as the database gives it: a date (PostgreSQL) or its ISO text (SQLite)."""
    return value if isinstance(value, dt.date) else _day_of_text(value)


def calendar(first: dt.date, last: dt.date) -> list[tuple[dt.date, int]]:
    """Each day from ``first`` to ``last`` and the working days counted since ``first``:
    the difference of two numbers is ``working_days_between`` of their days."""
    rows = []
    number = 0
    day = first
    while day <= last:
        if day > first and is_working_day(day):
            number += 1
        rows.append((day, number))
        day += dt.timedelta(days=1)
    return rows


def compute(
    session: Session,
    *,
    period: Period,
    usual_days: int,
    fiche_titles: Mapping[str, str],
    now: dt.datetime,
) -> Dashboard:
    """Every figure of the dashboard for ``period``, as of ``now``."""
    dialect = session.get_bind().dialect.name
    today = now.astimezone(BELGIUM).date()
    start, after = period.utc_bounds()
    number = dict(calendar(period.start, max(today, period.end)))

    years = range(period.start.year, today.year + 1)
    question = aliased(Message, name="question")
    # One row per question asked in the period (a question is the message without a parent:
    # it is written when its thread is), read from an index, with its thread's first answer
    # (kept on the thread by threads.refresh_thread); materialized, so that the Belgian day of
    # each moment is worked out once per question, not once per use in the grouping below.
    received = (
        select(
            col(Thread.fiche_slug).label("fiche"),
            belgian_day(col(question.created_at), dialect, years).label("received"),
            col(Thread.first_answer_at).label("first_at"),
            col(Thread.first_answer_by).label("first_by"),
            col(question.state).in_(WAITING_STATES).label("waiting"),
        )
        .select_from(question)
        .join(Thread, col(Thread.id) == col(question.thread_id))
        .where(col(question.parent_id).is_(None))
        .where(col(question.created_at) >= start, col(question.created_at) < after)
        .where(col(question.state) != MessageState.spam)
        .cte("received")
        .prefix_with("MATERIALIZED")
    )
    answered = belgian_day(received.c.first_at, dialect, years).label("answered")
    rows = session.execute(
        select(
            received.c.fiche,
            received.c.first_by,
            received.c.received,
            answered,
            received.c.waiting,
            func.count(),
        ).group_by(
            received.c.fiche,
            received.c.first_by,
            received.c.received,
            answered,
            received.c.waiting,
        )
    ).all()

    overall = Delays()
    by_fiche: dict[str | None, Delays] = defaultdict(Delays)
    by_staff: dict[int, Delays] = defaultdict(Delays)
    received_by_day: Counter[dt.date] = Counter()
    for fiche_slug, staff_id, received_text, answered_text, waiting, count in rows:
        received_on = _as_date(received_text)
        received_by_day[received_on] += count
        groups = [overall, by_fiche[fiche_slug]]
        for group in groups:
            group.received += count
        if answered_text is not None:
            taken = number[_as_date(answered_text)] - number[received_on]
            for group in [*groups, by_staff[staff_id]] if staff_id is not None else groups:
                group.answered[taken] += count
        elif waiting and number[today] - number[received_on] > usual_days:
            for group in groups:
                group.late_waiting += count

    answered_by_day = _first_answers_by_day(session, dialect, years, start=start, after=after)
    answers_by_staff = dict(
        session.execute(
            select(col(Message.staff_id), func.count())
            .where(col(Message.author) == Author.professional)
            .where(col(Message.published_at) >= start, col(Message.published_at) < after)
            .where(col(Message.staff_id).is_not(None))
            .group_by(col(Message.staff_id))
        ).all()
    )
    staff_ids = {i for i in set(answers_by_staff) | set(by_staff) if i is not None}
    names = dict(
        session.execute(
            select(col(StaffUser.id), col(StaffUser.display_name)).where(
                col(StaffUser.id).in_(staff_ids)
            )
        ).all()
    )
    professionals = sorted(
        (
            ProfessionalRow(
                staff_id=staff_id,
                name=names.get(staff_id, f"Compte {staff_id}"),
                answers=answers_by_staff.get(staff_id, 0),
                first_answers=by_staff.get(staff_id, Delays()),
            )
            for staff_id in staff_ids
        ),
        key=lambda row: (-row.answers, row.name.casefold()),
    )
    fiches = sorted(
        (
            FicheRow(
                slug=slug,
                title=(fiche_titles.get(slug, slug) if slug else "Question générale"),
                delays=delays,
            )
            for slug, delays in by_fiche.items()
        ),
        key=lambda row: (-row.delays.received, row.title.casefold()),
    )
    delay_buckets = buckets(usual_days)
    return Dashboard(
        period=period,
        today=today,
        usual_days=usual_days,
        weeks=_weeks(period, received_by_day, answered_by_day),
        overall=overall,
        delay_rows=_bucketed(delay_buckets, overall.answered.items()),
        fiches=fiches,
        professionals=professionals,
        open_rows=_open_by_age(session, dialect, delay_buckets, today=today),
    )


def _first_answers_by_day(
    session: Session, dialect: str, years: range, *, start: dt.datetime, after: dt.datetime
) -> Counter[dt.date]:
    """Questions whose first answer was published in the period, by Belgian day."""
    day = belgian_day(col(Thread.first_answer_at), dialect, years).label("day")
    rows = session.execute(
        select(day, func.count())
        .where(col(Thread.first_answer_at) >= start, col(Thread.first_answer_at) < after)
        .group_by("day")
    ).all()
    return Counter({_as_date(d): n for d, n in rows})


def _weeks(period: Period, received: Counter[dt.date], answered: Counter[dt.date]) -> list[Week]:
    monday = period.start - dt.timedelta(days=period.start.weekday())
    weeks = []
    while monday <= period.end:
        span = [monday + dt.timedelta(days=n) for n in range(7)]
        weeks.append(
            Week(
                monday=monday,
                received=sum(received[d] for d in span),
                answered=sum(answered[d] for d in span),
            )
        )
        monday += dt.timedelta(weeks=1)
    return weeks


def _bucketed(all_buckets: list[Bucket], counts: Iterable[tuple[int, int]]) -> list[AgeRow]:
    totals: Counter[int] = Counter()
    for days, count in counts:
        index = next(i for i, b in enumerate(all_buckets) if b.holds(days))
        totals[index] += count
    return [AgeRow(bucket=b, count=totals[i]) for i, b in enumerate(all_buckets)]


def _open_by_age(
    session: Session, dialect: str, all_buckets: list[Bucket], *, today: dt.date
) -> list[AgeRow]:
    """Published questions and follow-ups waiting for an answer now, by working days waited
    (the work queue's "à répondre" and "relance" items)."""
    day = belgian_day(col(Thread.waiting_since), dialect, range(EARLIEST.year, today.year + 1))
    day = day.label("day")
    rows = session.execute(
        select(day, func.count())
        .where(col(Thread.state) == ThreadState.awaiting_answer)
        .where(col(Thread.is_public).is_(True))
        .where(col(Thread.waiting_since).is_not(None))
        .group_by("day")
    ).all()
    ages = ((working_days_between(_as_date(d), today), n) for d, n in rows)
    return _bucketed(all_buckets, ages)


# --- Kept while nothing changes ------------------------------------------------------------------

_KEPT: OrderedDict[tuple[object, ...], Dashboard] = OrderedDict()
_KEPT_LOCK = threading.Lock()
KEPT_MAX = 32


def data_version(session: Session) -> tuple[int, int]:
    """Changes whenever a figure may: a new message (its id), or any change of state of a
    message or a thread (every one goes through ``threads.public_changed``)."""
    newest = session.execute(select(func.max(col(Message.id)))).scalar() or 0
    return newest, public_version(session)


def figures(
    session: Session,
    *,
    period: Period,
    usual_days: int,
    fiche_titles: Mapping[str, str],
    now: dt.datetime,
) -> Dashboard:
    """:func:`compute`, or its result kept in this process for the same period, day, titles and
    data: the page and its five exports, or colleagues reloading it, cost one computation
    until something changes (two cheap reads tell)."""
    key = (
        str(session.get_bind().engine.url),
        period,
        usual_days,
        now.astimezone(BELGIUM).date(),
        frozenset(fiche_titles.items()),
        data_version(session),
    )
    with _KEPT_LOCK:
        kept = _KEPT.get(key)
        if kept is not None:
            _KEPT.move_to_end(key)
            return kept
    found = compute(
        session, period=period, usual_days=usual_days, fiche_titles=fiche_titles, now=now
    )
    with _KEPT_LOCK:
        _KEPT[key] = found
        while len(_KEPT) > KEPT_MAX:
            _KEPT.popitem(last=False)
    return found


def forget_kept() -> None:
    """Drop the kept figures (the bench measures the page computing them afresh)."""
    with _KEPT_LOCK:
        _KEPT.clear()
