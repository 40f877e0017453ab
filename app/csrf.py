"""CSRF protection for forms that work without JavaScript: a token in a hidden field.

A random value lives in an HttpOnly cookie; each form carries an HMAC of it keyed with the
site's secret, so a token cannot be forged by someone who can only set cookies. The check itself
runs for every unsafe request in ``app.middleware``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import Scope

from app.config import Settings

COOKIE_NAME = "csrftoken"
FIELD_NAME = "csrf_token"
COOKIE_MAX_AGE = 7 * 24 * 3600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def _sign(settings: Settings, value: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + value.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """The token for this page's forms; remembers that the response must set the cookie."""
    state = request.state
    if not hasattr(state, "csrf_value"):
        value = request.cookies.get(COOKIE_NAME, "")
        if len(value) != TOKEN_LENGTH:
            value = secrets.token_urlsafe(32)
            state.csrf_cookie_needed = True
        state.csrf_value = value
    return _sign(request.app.state.settings, state.csrf_value)


def cookie_header(scope: Scope, *, secure: bool) -> str | None:
    """The Set-Cookie value when this response rendered a form for a visitor without a cookie.

    Only such responses carry it, so pages without forms stay cacheable.
    """
    state = scope.get("state") or {}
    if not state.get("csrf_cookie_needed"):
        return None
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE_NAME] = state["csrf_value"]
    morsel = cookie[COOKIE_NAME]
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    morsel["path"] = "/"
    morsel["max-age"] = COOKIE_MAX_AGE
    if secure:
        morsel["secure"] = True
    return morsel.OutputString()


def exempt(path: str, content_type: str) -> bool:
    """JSON calls to ``/api/`` need no token: they use no cookie, and a cross-site form
    cannot send ``application/json`` without the browser asking the site first.

    Nor does the one-click unsubscribe of e-mails (RFC 8058): mail software posts it without
    any cookie, and the signed token in its URL is the proof; it can only stop e-mails."""
    if path.startswith("/questions/desabonnement/"):
        return True
    return path.startswith("/api/") and content_type.startswith("application/json")


def valid(request: Request, form: FormData | None) -> bool:
    """True when the form's token matches this visitor's cookie."""
    cookie = request.cookies.get(COOKIE_NAME, "")
    sent = form.get(FIELD_NAME) if form is not None else None
    if len(cookie) != TOKEN_LENGTH or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent, _sign(request.app.state.settings, cookie))


def rendered_token(scope: Scope) -> str | None:
    """The token this response's forms carry, if it rendered any (for the page cache)."""
    state = scope.get("state") or {}
    value = state.get("csrf_value")
    if value is None:
        return None
    return _sign(scope["app"].state.settings, value)


def token_for(scope: Scope) -> str:
    """This visitor's token, as ``csrf_token`` would give it to a form of this response."""
    return csrf_token(Request(scope))
