"""Staff sessions and login: sessions kept on the server, roles, and login throttling.

The session cookie holds a random key, signed and dated; the ``staff_session`` table holds its
hash. A session ends for good on logout, on a password change, when the account is deactivated
or when its owner ends their other sessions: every worker and machine reads the same table.

Failed logins slow down instead of locking: after a few failures in a row, an address and an
account must wait longer and longer before the next try, and a refused try is answered before
any password is hashed. A browser that has already signed in to an account (its ``staff_device``
cookie) is not slowed by the failures others cause on that account, so no stranger can keep
staff out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature
from sqlmodel import Session, col, select

from app import ratelimit
from app.config import Settings
from app.db import SessionDep, utcnow
from app.staff import audit
from app.staff.accounts import hash_password, verify_password
from app.staff.models import Role, StaffUser
from app.staff.sessions import current_session, serializer

COOKIE_NAME = "staff_session"
DEVICE_COOKIE = "staff_device"
COOKIE_PATH = "/staff"  # the staff area: its cookies, and where a login may lead
DEVICE_MAX_AGE = 365 * 24 * 3600
# Failures in a row allowed before any wait, and the longest wait for an address / an account.
FREE_FAILURES = 4
ADDRESS_MAX_WAIT = 15 * 60
ACCOUNT_MAX_WAIT = 60
# A streak of failures is forgotten after this long without a failure.
STREAK_WINDOW = dt.timedelta(hours=1)
LOGIN_REFUSED = (
    "Connexion refusée : l'adresse ou le mot de passe ne correspond pas. Vérifiez-les et réessayez."
)
# Checked when an address has no account, so that a refusal takes as long either way.
_UNKNOWN_ACCOUNT_HASH = hash_password("aucun compte ne porte cette adresse")


def login_wait_message(seconds: int) -> str:
    """The refusal of a try made too soon after several failures."""
    wait = f"{seconds} seconde{'s' if seconds > 1 else ''}"
    if seconds >= 120:
        minutes = -(-seconds // 60)
        wait = f"{minutes} minutes"
    return (
        f"Trop d'essais de connexion à la suite : attendez {wait} avant de réessayer. Si vous "
        "avez oublié votre mot de passe, demandez à un administrateur de le changer."
    )


class LoginRequiredError(Exception):
    """A visitor asked for a staff page: they are sent to the login page, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def set_session_cookie(response: Response, *, settings: Settings, cookie: str) -> None:
    """Give the browser its session cookie (from ``open_session``)."""
    response.set_cookie(
        COOKIE_NAME,
        cookie,
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
    """The active account an open session cookie belongs to, or None."""
    found = current_session(session, settings=settings, cookie=cookie)
    return found[1] if found else None


def require_staff(request: Request, session: SessionDep) -> StaffUser:
    """The signed-in staff member; a visitor is sent to the login page."""
    settings: Settings = request.app.state.settings
    found = current_session(session, settings=settings, cookie=request.cookies.get(COOKIE_NAME))
    if found is None:
        home = str(request.app.url_path_for("staff_home"))
        next_path = request.url.path if request.method == "GET" else home
        raise LoginRequiredError(next_path)
    request.state.staff_session, request.state.staff = found
    return found[1]


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


def safe_next(request: Request, path: str | None) -> str:
    """Where to go after login: only a staff page of this site (else the staff's home)."""
    home = str(request.app.url_path_for("staff_home"))
    if path and path.startswith(COOKIE_PATH) and not path.startswith("//") and "\\" not in path:
        return path
    return home


def login_wait(failures: int, *, most: int) -> int:
    """Seconds to wait after ``failures`` failures in a row: none for the first four, then 1,
    2, 4, 8… up to ``most``."""
    if failures <= FREE_FAILURES:
        return 0
    return min(int(2 ** (failures - FREE_FAILURES - 1)), most)


def _device_mark(settings: Settings, email: str) -> str:
    secret = settings.secret_key.get_secret_value().encode()
    return hmac.new(secret, f"device:{email}".encode(), hashlib.sha256).hexdigest()[:32]


def device_cookie(settings: Settings, *, email: str) -> str:
    """The cookie that marks this browser as one that signed in to ``email`` before."""
    return serializer(settings, "staff-device").dumps(_device_mark(settings, email.lower()))


def known_device(settings: Settings, *, email: str, cookie: str | None) -> bool:
    if not cookie:
        return False
    try:
        mark = serializer(settings, "staff-device").loads(cookie, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(mark, str) and hmac.compare_digest(mark, _device_mark(settings, email))


def set_device_cookie(response: Response, *, settings: Settings, email: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        device_cookie(settings, email=email.strip().lower()),
        max_age=DEVICE_MAX_AGE,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


@dataclass
class LoginOutcome:
    """A signed-in account, or the French sentence that says why not."""

    user: StaffUser | None
    refusal: str | None = None


def authenticate(
    session: Session,
    *,
    settings: Settings,
    email: str,
    password: str,
    address: str,
    device: str | None = None,
    now: dt.datetime | None = None,
) -> LoginOutcome:
    """Check a login. A try that comes too soon after failures is refused before the password
    is hashed; the answer is the same whether the account exists or not. Failures are audited
    and committed; a success leaves its audit line to the caller's commit, with the session it
    opens.
    """
    now = now or utcnow()
    email = email.strip().lower()[:254]
    keys = {ratelimit.counter_key(settings, "login-address", address): ADDRESS_MAX_WAIT}
    if not known_device(settings, email=email, cookie=device):
        keys[ratelimit.counter_key(settings, "login-account", email)] = ACCOUNT_MAX_WAIT
    wait = 0
    for key, most in keys.items():
        failures, last = ratelimit.streak(session, key=key, window=STREAK_WINDOW, now=now)
        if last is not None:
            left = login_wait(failures, most=most) - (now - last).total_seconds()
            wait = max(wait, int(-(-left // 1)))
    session.rollback()
    if wait > 0:
        return LoginOutcome(None, login_wait_message(wait))
    user = session.exec(select(StaffUser).where(col(StaffUser.email) == email)).first()
    password_ok = verify_password(user.password_hash if user else _UNKNOWN_ACCOUNT_HASH, password)
    if user is not None and user.active and password_ok:
        # Not committed here: the caller opens the session in the same transaction.
        for key in keys:
            ratelimit.reset(session, key=key, commit=False)
        audit.record(session, action="login", staff=user)
        return LoginOutcome(user)
    for key in keys:
        ratelimit.extend_streak(session, key=key, window=STREAK_WINDOW, now=now)
    audit.record(
        session,
        action="login_failed",
        actor=user.display_name if user else audit.VISITOR,
        target=f"compte {user.id}" if user else "compte inconnu",
    )
    session.commit()
    return LoginOutcome(None, LOGIN_REFUSED)
