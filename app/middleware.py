"""The site's one ASGI middleware: what every request gets, in a single layer.

Security headers, the CSRF check of every form, the CSRF cookie, the request size limit, the
pages served from the page cache (``app.pagecache``), HEAD for every GET page, the 400 of an
unreadable form, the 503 of a database outage, the 500 page and the access log. One plain ASGI
layer rather than five keeps the cost of each request low; each concern is a small function
below.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import FormData, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import csrf
from app.db import unavailable
from app.errors import STATE_FORM, csrf_error_response, error_response, unavailable_response
from app.logsafe import safe_traceback
from app.pagecache import PageCache, not_modified

access_log = logging.getLogger("app.access")
log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
UNROUTED = "NON-ROUTEE"
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UNREADABLE_FORM = (
    "Le formulaire envoyé n'a pas pu être lu. Reviens à la page du formulaire, puis envoie-le "
    "à nouveau depuis ton navigateur."
)


class BodyTooLargeError(Exception):
    """The body streamed past the limit."""


class SiteMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        secure_cookies: bool,
        page_cache: PageCache | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.secure_cookies = secure_cookies
        self.page_cache = page_cache or PageCache(enabled=False, skip_cookie=b"")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        status = 0
        method = scope["method"]
        extra_headers = SECURITY_HEADERS
        if self.secure_cookies or scope.get("scheme") == "https":
            extra_headers = [*SECURITY_HEADERS, HSTS]

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + extra_headers
                cookie = csrf.cookie_header(scope, secure=self.secure_cookies)
                if cookie:
                    MutableHeaders(scope=message).append("set-cookie", cookie)
            elif method == "HEAD" and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        if method == "HEAD":
            # Every page answers HEAD as it answers GET (headers, no body): the routes are
            # declared for GET only.
            scope["method"] = "GET"
        try:
            await self.handle(scope, receive, send_with_headers)
        except Exception as error:
            # The route's template, never the raw path (private tokens); the traceback without
            # any exception's text (SQL values, what was typed).
            away = unavailable(error)
            if away:
                log.error("base de données injoignable : %s", type(error).__name__)
            else:
                log.error(
                    "erreur non prévue sur %s %s\n%s",
                    method,
                    route_path(scope),
                    safe_traceback(error),
                )
            if status:
                raise
            request = Request(scope)
            response = unavailable_response(request) if away else error_response(request, 500)
            await response(scope, receive, send_with_headers)
        finally:
            scope["method"] = method
            elapsed = (time.perf_counter() - started_at) * 1000
            access_log.info("%s %s %d %.1fms", method, route_path(scope), status or 500, elapsed)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the size and the CSRF token of unsafe requests, then call the app."""
        headers = dict(scope["headers"])
        announced = headers.get(b"content-length", b"0")
        if not announced.isdigit() or int(announced) > self.max_body_bytes:
            await error_response(Request(scope), 413)(scope, receive, send)
            return
        if scope["method"] in csrf.SAFE_METHODS:
            if self.page_cache.applies(scope):
                await self.cached(scope, receive, send)
            else:
                await self.app(scope, self.limited(receive), send)
            return
        try:
            body = await self.read_body(receive)
        except BodyTooLargeError:
            await error_response(Request(scope), 413)(scope, receive, send)
            return
        replay = replaying(body)
        if not accepts(scope):
            # No route takes this method here: the router answers 405 (or 404), not the CSRF
            # check. Under a method no route can have, so that no handler ever runs unchecked
            # even if this test were wrong (the access log keeps the real method).
            scope["method"] = UNROUTED
            await self.app(scope, replay, send)
            return
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        # The JSON API uses no cookie: a request from another site can do nothing with it that
        # its author could not do directly, so it needs no token (and answers JSON, not the
        # CSRF page, whatever its content type).
        api = scope["path"].startswith("/api/")
        form: FormData | None = None
        if not api and content_type.lower().startswith(FORM_TYPES):
            try:
                form = await Request(scope, replaying(body)).form()
            except (HTTPException, MultiPartException, ValueError):
                await error_response(Request(scope), 400, UNREADABLE_FORM)(scope, replay, send)
                return
            scope.setdefault("state", {})[STATE_FORM] = form
        if not api and not csrf.exempt(scope["path"], content_type):
            request = Request(scope)
            if not csrf.valid(request, form):
                await csrf_error_response(request, form)(scope, replay, send)
                return
        await self.app(scope, replay, send)

    async def cached(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer from the page cache when it holds this URL; otherwise call the app and
        keep its answer if the route allowed it."""
        entry = self.page_cache.lookup(scope)
        if entry is not None:
            scope["route"] = entry.route  # for the access log
            if not_modified(scope, entry.etag):
                kept = [(k, v) for k, v in entry.headers if k in (b"etag", b"cache-control")]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
            # The body first: giving it this visitor's token decides whether a cookie is set.
            body = entry.body_for(scope) if scope["method"] == "GET" else b""
            await send(
                {"type": "http.response.start", "status": entry.status, "headers": entry.headers}
            )
            await send({"type": "http.response.body", "body": body})
            return
        if scope["method"] != "GET":
            await self.app(scope, self.limited(receive), send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                # Copied before the outer layer adds the security headers and cookies to it.
                start = {**message, "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    self.page_cache.store(scope, start, b"".join(chunks))
            await send(message)

        await self.app(scope, self.limited(receive), keeping_send)

    def limited(self, receive: Receive) -> Receive:
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise BodyTooLargeError
            return message

        return limited_receive

    async def read_body(self, receive: Receive) -> bytes:
        chunks = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLargeError
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def route_path(scope: Scope) -> str:
    """The route's template (``/questions/suivi/{token}``), for the logs."""
    return getattr(scope.get("route"), "path", None) or "(sans route)"


def accepts(scope: Scope) -> bool:
    """Whether a route of the app takes this path with this method."""
    app = scope.get("app")
    router = getattr(app, "router", None)
    if router is None:
        return True
    for route in router.routes:
        if isinstance(route, Mount):  # the static files: not a form's target
            continue
        if route.matches(scope)[0] == Match.FULL:
            return True
    return False


def replaying(body: bytes) -> Receive:
    """A ``receive`` that hands the already-read body to the application."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
