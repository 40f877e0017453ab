"""Staff sessions and login: a signed cookie, roles, and throttling shared between workers.

The cookie holds only the staff id and the account's ``session_version``, signed with the site's
secret and dated: it is refused after ``session_max_age_seconds``, and as soon as the password
changes or the account is deactivated (both raise ``session_version``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, col, select

from app import ratelimit
from app.config import Settings
from app.db import SessionDep
from app.staff import audit
from app.staff.accounts import hash_password, verify_password
from app.staff.models import Role, StaffUser

COOKIE_NAME = "staff_session"
COOKIE_PATH = "/staff"
MAX_FAILURES = 5
LOCK_TIME = dt.timedelta(minutes=15)
LOGIN_REFUSED = (
    "Connexion refusée : l'adresse ou le mot de passe ne correspond pas, ou il y a eu trop "
    "d'essais. Vérifiez-les, ou réessayez dans 15 minutes."
)
# Checked when an address has no account, so that a refusal takes as long either way.
_UNKNOWN_ACCOUNT_HASH = hash_password("aucun compte ne porte cette adresse")


class LoginRequiredError(Exception):
    """A visitor asked for a staff page: they are sent to the login page, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt="staff-session")


def set_session_cookie(response: Response, *, settings: Settings, user: StaffUser) -> None:
    """Open a session for ``user`` on ``response``."""
    value = _serializer(settings).dumps({"id": user.id, "v": user.session_version})
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=settings.session_max_age_seconds,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session_cookie(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE_NAME,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def staff_from_cookie(
    session: Session, *, settings: Settings, cookie: str | None
) -> StaffUser | None:
    """The active account a session cookie belongs to, or None."""
    if not cookie:
        return None
    try:
        data = _serializer(settings).loads(cookie, max_age=settings.session_max_age_seconds)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        return None
    user = session.get(StaffUser, data["id"])
    if user is None or not user.active or user.session_version != data.get("v"):
        return None
    return user


def require_staff(request: Request, session: SessionDep) -> StaffUser:
    """The signed-in staff member; a visitor is sent to the login page."""
    settings: Settings = request.app.state.settings
    user = staff_from_cookie(session, settings=settings, cookie=request.cookies.get(COOKIE_NAME))
    if user is None:
        next_path = request.url.path if request.method == "GET" else "/staff"
        raise LoginRequiredError(next_path)
    request.state.staff = user
    return user


CurrentStaff = Annotated[StaffUser, Depends(require_staff)]


def require_role(*roles: Role) -> Callable[[StaffUser], StaffUser]:
    """A dependency that lets through staff holding any of ``roles``."""

    def dependency(user: CurrentStaff) -> StaffUser:
        if not user.role_set & set(roles):
            raise HTTPException(
                status_code=403,
                detail="Votre compte n'a pas le rôle nécessaire pour cette page.",
            )
        return user

    return dependency


async def login_required_handler(request: Request, exc: Exception) -> Response:
    """Send a visitor to the login page, remembering the page they wanted."""
    assert isinstance(exc, LoginRequiredError)
    target = request.app.url_path_for("staff_login")
    return RedirectResponse(f"{target}?suite={quote(exc.next_path)}", status_code=303)


def safe_next(path: str | None) -> str:
    """Where to go after login: only a staff page of this site."""
    if path and path.startswith("/staff") and not path.startswith("//") and "\\" not in path:
        return path
    return "/staff"


def _throttle_keys(settings: Settings, *, email: str, address: str) -> list[str]:
    return [
        ratelimit.counter_key(settings, "login-account", email),
        ratelimit.counter_key(settings, "login-address", address),
    ]


def authenticate(
    session: Session, *, settings: Settings, email: str, password: str, address: str
) -> StaffUser | None:
    """The account if the password is right and neither it nor the address is locked.

    After 5 failures for an account or for an address, every attempt is refused for 15 minutes,
    with the same message whether the account exists or not. Each outcome is audited.
    """
    email = email.strip().lower()[:254]
    keys = _throttle_keys(settings, email=email, address=address)
    locked = any(ratelimit.hits(session, key=k, window=LOCK_TIME) >= MAX_FAILURES for k in keys)
    user = session.exec(select(StaffUser).where(col(StaffUser.email) == email)).first()
    password_ok = verify_password(user.password_hash if user else _UNKNOWN_ACCOUNT_HASH, password)
    if not locked and user is not None and user.active and password_ok:
        ratelimit.reset(session, key=keys[0])
        audit.record(session, action="login", staff=user)
        session.commit()
        return user
    for key in keys:
        if not locked and ratelimit.hit(session, key=key, window=LOCK_TIME) >= MAX_FAILURES:
            ratelimit.restart_window(session, key=key)
    audit.record(
        session,
        action="login_failed",
        actor=user.display_name if user else audit.VISITOR,
        target=f"compte {user.id}" if user else "compte inconnu",
        reason="trop d'essais : attente de 15 minutes" if locked else None,
    )
    session.commit()
    return None


def end_other_sessions(session: Session, *, user: StaffUser) -> None:
    """Make every session cookie of ``user`` stop working (password change, deactivation)."""
    user.session_version += 1
    session.add(user)
