"""Counters shared between workers, in the database: posting limits and login throttling.

A counter is keyed by an HMAC of what it counts (a visitor's address, an e-mail address, a staff
login) with the site's secret, so the table holds no address in the clear. Each hit is one atomic
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` that both SQLite and PostgreSQL run safely under
concurrency: two workers never both see "4" and both let a fifth post through.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from app.config import Settings
from app.db import UTCDateTime, utcnow


class RateCounter(SQLModel, table=True):
    """Hits of one key in its current window (fixed windows)."""

    __tablename__ = "rate_counter"

    key: str = Field(primary_key=True, max_length=64)
    window_start: dt.datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    count: int = Field(default=0)


def counter_key(settings: Settings, kind: str, value: str) -> str:
    """The keyed hash that stands for ``value`` (an address, an e-mail) in the counters."""
    secret = settings.secret_key.get_secret_value().encode()
    message = f"{kind}:{value.strip().lower()}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def hit(
    session: Session,
    *,
    key: str,
    window: dt.timedelta,
    now: dt.datetime | None = None,
    commit: bool = True,
) -> int:
    """Count one hit for ``key`` and return the hits in the current window, this one included.

    Commits at once (unless told not to): a hit counts even if the request fails afterwards.
    """
    now = now or utcnow()
    expired = col(RateCounter.window_start) <= now - window
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {
        "count": case((expired, 1), else_=col(RateCounter.count) + 1),
        "window_start": case((expired, now), else_=col(RateCounter.window_start)),
    }
    statement = (
        insert(RateCounter)
        .values(key=key, window_start=now, count=1)
        .on_conflict_do_update(index_elements=["key"], set_=values)
        .returning(col(RateCounter.count))
    )
    count = session.exec(statement).scalar_one()
    if commit:
        session.commit()
    return int(count)


def hits(
    session: Session, *, key: str, window: dt.timedelta, now: dt.datetime | None = None
) -> int:
    """The hits of ``key`` in its current window, without counting a new one."""
    now = now or utcnow()
    row = session.exec(
        select(RateCounter.count, RateCounter.window_start).where(col(RateCounter.key) == key)
    ).first()
    if row is None:
        return 0
    count, window_start = row
    return 0 if window_start <= now - window else count


def reset(session: Session, *, key: str, commit: bool = True) -> None:
    """Forget the hits of ``key`` (in the caller's transaction with ``commit=False``)."""
    session.exec(delete(RateCounter).where(col(RateCounter.key) == key))
    if commit:
        session.commit()


def allowed(
    session: Session,
    *,
    keys: list[str],
    limit: int,
    window: dt.timedelta,
    now: dt.datetime | None = None,
    commit: bool = True,
) -> bool:
    """Count a hit on each key; False when any of them is past ``limit`` in its window.

    With ``commit=False`` the hits join the caller's transaction (one write instead of two).
    """
    counts = [hit(session, key=key, window=window, now=now, commit=False) for key in keys]
    if commit:
        session.commit()
    return all(count <= limit for count in counts)


def forget_expired(
    session: Session, *, older_than: dt.timedelta, now: dt.datetime | None = None
) -> int:
    """Delete counters whose window ended long ago; returns how many."""
    cutoff = (now or utcnow()) - older_than
    result = session.exec(delete(RateCounter).where(col(RateCounter.window_start) < cutoff))
    session.commit()
    return int(result.rowcount)


# --- Streaks: failures in a row, for the growing delays of the staff login ---------------------
# A streak reuses the counter row: ``count`` is the failures in a row and ``window_start`` the
# time of the last one; a quiet ``window`` since the last failure starts the streak again.


def extend_streak(
    session: Session, *, key: str, window: dt.timedelta, now: dt.datetime | None = None
) -> int:
    """Count one more failure for ``key`` (in the caller's transaction); returns the streak."""
    now = now or utcnow()
    quiet = col(RateCounter.window_start) <= now - window
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(RateCounter)
        .values(key=key, window_start=now, count=1)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "count": case((quiet, 1), else_=col(RateCounter.count) + 1),
                "window_start": now,
            },
        )
        .returning(col(RateCounter.count))
    )
    return int(session.exec(statement).scalar_one())


def streak(
    session: Session, *, key: str, window: dt.timedelta, now: dt.datetime | None = None
) -> tuple[int, dt.datetime | None]:
    """The failures in a row of ``key`` and the time of the last one (0 and None if none)."""
    now = now or utcnow()
    row = session.exec(
        select(RateCounter.count, RateCounter.window_start).where(col(RateCounter.key) == key)
    ).first()
    if row is None or row[1] <= now - window:
        return 0, None
    return row[0], row[1]
