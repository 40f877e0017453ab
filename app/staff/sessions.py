"""Staff sessions kept on the server: opened at login, ended on logout, on a password change,
when an account is deactivated, or when its owner ends their other sessions.

The cookie holds a random key, signed and dated with the site's secret; the ``staff_session``
table keeps only the key's hash, so reading the table gives no usable cookie. Every worker and
machine reads the same table, so an ended session stops working everywhere at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, or_, update
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import utcnow
from app.staff.models import StaffSession, StaffUser


def serializer(settings: Settings, salt: str = "staff-session") -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=salt)


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def open_session(session: Session, *, settings: Settings, user: StaffUser) -> str:
    """Record a new session of ``user`` (in the caller's transaction); returns its cookie."""
    key = secrets.token_urlsafe(32)
    now = utcnow()
    expires = now + dt.timedelta(seconds=settings.session_max_age_seconds)
    assert user.id is not None
    session.add(
        StaffSession(key_hash=_key_hash(key), staff_id=user.id, created_at=now, expires_at=expires)
    )
    return serializer(settings).dumps({"s": key})


def _session_key(settings: Settings, cookie: str | None) -> str | None:
    if not cookie:
        return None
    try:
        data = serializer(settings).loads(cookie, max_age=settings.session_max_age_seconds)
    except BadSignature:
        return None
    key = data.get("s") if isinstance(data, dict) else None
    return key if isinstance(key, str) and len(key) < 100 else None


def current_session(
    session: Session, *, settings: Settings, cookie: str | None
) -> tuple[StaffSession, StaffUser] | None:
    """The open session a cookie stands for, with its active account; None otherwise."""
    key = _session_key(settings, cookie)
    if key is None:
        return None
    row = session.exec(
        select(StaffSession, StaffUser)
        .join(StaffUser, col(StaffUser.id) == col(StaffSession.staff_id))
        .where(col(StaffSession.key_hash) == _key_hash(key))
    ).first()
    if row is None:
        return None
    staff_session, user = row
    if staff_session.ended_at is not None or staff_session.expires_at <= utcnow():
        return None
    if not user.active:
        return None
    return staff_session, user


def end_session(session: Session, *, settings: Settings, cookie: str | None) -> StaffUser | None:
    """End the session of this cookie (logout); returns its account, if it was open."""
    found = current_session(session, settings=settings, cookie=cookie)
    if found is None:
        return None
    staff_session, user = found
    staff_session.ended_at = utcnow()
    session.add(staff_session)
    return user


def end_other_sessions(
    session: Session, *, user: StaffUser, keep: StaffSession | None = None
) -> int:
    """End every open session of ``user`` except ``keep``; returns how many were ended."""
    statement = (
        update(StaffSession)
        .where(col(StaffSession.staff_id) == user.id)
        .where(col(StaffSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
    if keep is not None:
        statement = statement.where(col(StaffSession.key_hash) != keep.key_hash)
    return int(session.exec(statement).rowcount)


def open_session_count(session: Session, *, user: StaffUser) -> int:
    """How many sessions of ``user`` are open now."""
    rows = session.exec(
        select(StaffSession.key_hash)
        .where(col(StaffSession.staff_id) == user.id)
        .where(col(StaffSession.ended_at).is_(None))
        .where(col(StaffSession.expires_at) > utcnow())
    ).all()
    return len(rows)


def forget_old_sessions(session: Session, *, now: dt.datetime | None = None) -> int:
    """Delete the sessions that ended or expired more than a day ago (daily maintenance)."""
    cutoff = (now or utcnow()) - dt.timedelta(days=1)
    result = session.exec(
        delete(StaffSession).where(
            or_(col(StaffSession.expires_at) < cutoff, col(StaffSession.ended_at) < cutoff)
        )
    )
    session.commit()
    return int(result.rowcount)
