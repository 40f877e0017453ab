"""The database engine (SQLite by default, PostgreSQL via psycopg 3) and the request session."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from pydantic import AfterValidator
from sqlalchemy import DateTime, event, text
from sqlalchemy.engine import Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
# Ids are INTEGER columns (32 bits on PostgreSQL): a larger number names no row.
MAX_ID = 2**31 - 1
# SQLSTATE classes and codes that mean "the database is not there", not "this query is wrong":
# connection (08), resources (53), operator intervention (57: shutdown, admin command), and a
# schema or table gone (renamed, dropped during maintenance).
UNAVAILABLE_CLASSES = ("08", "53", "57")
UNAVAILABLE_CODES = ("3D000", "3F000", "42P01")


def normalise_url(url: str) -> str:
    """Make a plain ``postgresql://`` URL use psycopg 3, the driver the project installs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str, **options: Any) -> Engine:
    """Build an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    url = normalise_url(url)
    # Values never go into an error's text, so no log line carries what a visitor typed.
    options.setdefault("hide_parameters", True)
    if not is_sqlite(url):
        return create_engine(url, pool_pre_ping=True, **options)
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **options,
    )
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def fits_id(value: int) -> bool:
    """Whether ``value`` can be the id of a row (a larger number is simply unknown)."""
    return 1 <= value <= MAX_ID


def known_id(value: int) -> int:
    """``value`` if it can name a row; a 404 otherwise (no database asked)."""
    if not fits_id(value):
        raise HTTPException(status_code=404)
    return value


# The type of an id read from a path, a query or a form: a number past the columns' range is a
# row that does not exist (404), never a database error.
RowId = Annotated[int, AfterValidator(known_id)]


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` means the database is away (answer 503), not a bug (answer 500)."""
    if isinstance(error, OperationalError | DisconnectionError | PoolTimeoutError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    code = getattr(error.orig, "sqlstate", None) or ""
    return code.startswith(UNAVAILABLE_CLASSES) or code in UNAVAILABLE_CODES


def ping(engine: Engine) -> bool:
    """True when the database answers and holds the site's tables."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1 FROM alembic_version"))
    except Exception:  # noqa: BLE001 - any failure means "unreachable" for /healthz
        return False
    return True


_WRITE_LOCKS: dict[str, threading.Lock] = {}


@contextmanager
def one_writer(session: Session) -> Iterator[None]:
    """Around a write transaction on SQLite: the threads of this process write one at a time.

    They wait in line here instead of polling SQLite's lock, whose busy handler is unfair and,
    under many concurrent posts, lets some writers time out. PostgreSQL needs nothing.
    """
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    lock = _WRITE_LOCKS.setdefault(str(bind.engine.url), threading.Lock())
    with lock:
        yield


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, closed when the response is sent."""
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC: every stored timestamp uses it."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored with its time zone, read back timezone-aware in UTC.

    SQLite keeps no time zone and returns naive values; this puts UTC back so that Python can
    compare what it reads with ``utcnow()``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("un horodatage sans fuseau horaire ne peut pas être enregistré")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
