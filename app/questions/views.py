"""The threads under a fiche (or on ``/questions``) as HTML, rendered once per change.

A page with 200 messages takes far longer to render than to serve, so the rendered list is
kept per app, per fiche and page, and used again until ``threads.public_version`` moves (any
worker's change moves it, so every worker shows a deletion at its next request).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from markupsafe import Markup
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import State

from app.questions import reading, threads

MAX_CACHED = 512
VERSION_TTL = 0.1


@dataclass(frozen=True)
class ThreadListing:
    thread_page: reading.ThreadPage
    html: Markup


Cache = dict[tuple[str | None, int], tuple[int, ThreadListing]]


def _cache(request: Request) -> Cache:
    return _cache_of(request.app.state)


def _cache_of(state: State) -> Cache:
    cache: Cache | None = getattr(state, "thread_listings", None)
    if cache is None:
        cache = state.thread_listings = {}
    return cache


def _build(request: Request, engine: Engine, fiche_slug: str | None, page: int) -> ThreadListing:
    with Session(engine) as session:
        version = threads.public_version(session)
        thread_page = reading.thread_list(
            session, fiche_slug=fiche_slug, page=page, settings=request.app.state.settings
        )
        template = request.app.state.templates.get_template("questions/_fiche_thread.html")
        html = Markup(template.render(request=request, thread_page=thread_page))  # noqa: S704
    listing = ThreadListing(thread_page=thread_page, html=html)
    cache = _cache(request)
    if len(cache) >= MAX_CACHED:
        cache.clear()
    cache[(fiche_slug, page)] = (version, listing)
    return listing


def _current_version(state: State, engine: Engine) -> int:
    """The public version, read at most every ``VERSION_TTL`` seconds under load (a change
    made in this process is seen at once; one made by another worker within that time)."""
    seen: tuple[int, int, float] | None = getattr(state, "public_version_seen", None)
    now, local = time.monotonic(), threads.local_changes()
    if seen is not None and seen[1] == local and now - seen[2] < VERSION_TTL:
        return seen[0]
    with Session(engine) as session:
        version = threads.public_version(session)
    state.public_version_seen = (version, local, now)
    return version


async def thread_listing(
    request: Request, *, fiche_slug: str | None, page: int = 1
) -> ThreadListing:
    """``questions/_fiche_thread.html`` rendered for this fiche (None: the general questions)
    and page; from the cache when nothing public changed since.

    The version is one row, read right here (cheaper than a hop to a worker thread) and at
    most every ``VERSION_TTL`` seconds. Rendering, when needed, runs in a worker thread.
    """
    engine: Engine = request.app.state.engine
    version = _current_version(request.app.state, engine)
    cached = _cache(request).get((fiche_slug, page))
    if cached is not None and cached[0] == version:
        return cached[1]
    return await run_in_threadpool(_build, request, engine, fiche_slug, page)


def is_current(state: State, *, fiche_slug: str | None, page: int, listing: ThreadListing) -> bool:
    """Whether ``listing`` is still what the page would show (for the page cache)."""
    version = _current_version(state, state.engine)
    cached = _cache_of(state).get((fiche_slug, page))
    return cached is not None and cached[0] == version and cached[1] is listing
