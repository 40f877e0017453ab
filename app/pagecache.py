"""Whole pages kept as bytes, for the pages that are the same for every visitor.

A route that renders such a page (home, a fiche, the list of fiches…) calls ``cache_page`` with
a ``still_valid`` check: a cheap function that says whether what the page was built from is
unchanged (the same library object, the same version of the public threads). The site's
middleware then answers the next requests for that URL from here, headers and ETag included,
without going through the router. A page with a form is kept with its CSRF token, which is
replaced by each visitor's own when it is served. A page that set a cookie of its own or did not
answer 200 is never kept; nor are pages asked by a signed-in member of staff.

Off in development, where templates and fiches are reloaded when their files change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.types import Message, Scope

from app import csrf

STATE_KEY = "page_cache_still_valid"
MAX_ENTRIES = 512
MAX_BODY_BYTES = 512 * 1024


@dataclass(frozen=True)
class CachedPage:
    still_valid: Callable[[], bool]
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None
    route: object
    csrf_token: str | None = None

    def body_for(self, scope: Scope) -> bytes:
        """The page for this visitor: their own CSRF token in its forms."""
        if self.csrf_token is None:
            return self.body
        return self.body.replace(self.csrf_token.encode(), csrf.token_for(scope).encode())


def cache_page(request: Request, still_valid: Callable[[], bool]) -> None:
    """Let the middleware keep this response for the same URL while ``still_valid()``."""
    request.scope.setdefault("state", {})[STATE_KEY] = still_valid


class PageCache:
    def __init__(self, *, enabled: bool, skip_cookie: bytes) -> None:
        self.enabled = enabled
        self.skip_cookie = skip_cookie  # the staff session's cookie name
        self.entries: dict[tuple[str, bytes], CachedPage] = {}

    @staticmethod
    def key(scope: Scope) -> tuple[str, bytes]:
        return scope["path"], scope.get("query_string", b"")

    def applies(self, scope: Scope) -> bool:
        if not self.enabled or scope["method"] not in ("GET", "HEAD"):
            return False
        for name, value in scope["headers"]:
            if name == b"cookie" and self.skip_cookie in value:
                return False
        return True

    def lookup(self, scope: Scope) -> CachedPage | None:
        entry = self.entries.get(self.key(scope))
        if entry is None:
            return None
        if not entry.still_valid():
            self.entries.pop(self.key(scope), None)
            return None
        return entry

    def store(self, scope: Scope, start: Message, body: bytes) -> None:
        still_valid = scope.get("state", {}).get(STATE_KEY)
        if still_valid is None or start["status"] != 200 or len(body) > MAX_BODY_BYTES:
            return
        headers = [(bytes(k).lower(), bytes(v)) for k, v in start.get("headers", [])]
        if any(name == b"set-cookie" for name, _ in headers):
            return
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        etag = next((value for name, value in headers if name == b"etag"), None)
        self.entries[self.key(scope)] = CachedPage(
            still_valid=still_valid,
            status=start["status"],
            headers=headers,
            body=body,
            etag=etag,
            route=scope.get("route"),
            csrf_token=csrf.rendered_token(scope),
        )


def not_modified(scope: Scope, etag: bytes | None) -> bool:
    if etag is None:
        return False
    return any(name == b"if-none-match" and etag in value for name, value in scope["headers"])
