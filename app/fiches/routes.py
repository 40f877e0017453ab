"""``/fiches``, ``/fiches/{slug}``, ``/fiches/{slug}.pdf`` and ``/glossaire``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from app.fiches.changes import box
from app.fiches.library import Fiche, Library
from app.fiches.live import LiveLibrary
from app.fiches.pdf import render_pdf
from app.pagecache import cache_page
from app.questions.views import is_current, thread_listing
from app.templating import render

router = APIRouter()


def library_of(request: Request) -> Library:
    """Today's library of fiches (reloaded when the day brings new amounts)."""
    live: LiveLibrary = request.app.state.library
    return live.current(request.app.state.engine)


async def current_library(request: Request) -> Library:
    # async: a sync dependency would cost each request a hop to a worker thread.
    return library_of(request)


LibraryDep = Annotated[Library, Depends(current_library)]


async def fiche_or_404(slug: str, library: LibraryDep) -> Fiche:
    fiche = library.get(slug)
    if fiche is None:
        raise HTTPException(status_code=404)
    return fiche


FicheDep = Annotated[Fiche, Depends(fiche_or_404)]


def not_modified(request: Request, etag: str) -> bool:
    return etag in request.headers.get("if-none-match", "")


def same_library(request: Request, library: Library) -> Callable[[], bool]:
    """For the page cache: the page holds while the library is the one it was made from."""
    live: LiveLibrary = request.app.state.library
    engine = request.app.state.engine
    return lambda: live.current(engine) is library


@router.get("/fiches", name="fiches_index")
async def fiches_index(request: Request, library: LibraryDep) -> Response:
    cache_page(request, same_library(request, library))
    return render(request, "fiches/index.html", {"themes": library.themes})


@router.get("/glossaire", name="glossary")
async def glossary(request: Request, library: LibraryDep) -> Response:
    cache_page(request, same_library(request, library))
    context = {"entries": library.glossary, "fiches": library.fiches}
    return render(request, "fiches/glossary.html", context)


def fiche_context(
    request: Request, fiche: Fiche, library: Library, *, pdf: bool
) -> dict[str, object]:
    settings = request.app.state.settings
    return {
        "fiche": fiche,
        "related": library.related(fiche),
        # « Ce qui a changé »: the library is rendered again on the day a change enters or leaves.
        "changes_box": box(library.changes, fiche.meta, day=library.rendered_on),
        "page_url": f"{settings.base_url.rstrip('/')}/fiches/{fiche.slug}",
        "pdf": pdf,
    }


@router.get("/fiches/{slug}.pdf", name="fiche_pdf")
async def fiche_pdf(request: Request, fiche: FicheDep, library: LibraryDep) -> Response:
    """The fiche as a PDF to print or hand out; drawn once per version of the fiche."""
    etag = f'"pdf-{fiche.etag}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    page = render(request, "fiches/fiche.html", fiche_context(request, fiche, library, pdf=True))
    html = bytes(page.body).decode()
    settings = request.app.state.settings
    path = await run_in_threadpool(
        render_pdf, html, base_url=settings.base_url, cache_dir=settings.var_dir / "pdf"
    )
    headers["Content-Disposition"] = f'inline; filename="{fiche.slug}.pdf"'
    return FileResponse(path, media_type="application/pdf", headers=headers)


@router.get("/fiches/{slug}", name="fiche")
async def fiche_page(
    request: Request, fiche: FicheDep, library: LibraryDep, page: int = 1
) -> Response:
    """The fiche and, below it, the questions already asked about it."""
    number = max(1, min(page, 10_000))
    listing = await thread_listing(request, fiche_slug=fiche.slug, page=number)
    # The page changes with the fiche and with its thread: both are in the ETag.
    digest = hashlib.sha256(fiche.etag.encode() + listing.html.encode())
    for note in box(library.changes, fiche.meta, day=library.rendered_on):
        digest.update(f"\n{note.change.id}:{note.upcoming}:{note.texte}".encode())
    etag = '"' + digest.hexdigest()[:20] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    context = fiche_context(request, fiche, library, pdf=False)
    context["thread_html"] = listing.html
    response = render(request, "fiches/fiche.html", context)
    state, unchanged = request.app.state, same_library(request, library)
    cache_page(
        request,
        lambda: (
            unchanged() and is_current(state, fiche_slug=fiche.slug, page=number, listing=listing)
        ),
    )
    response.headers.update(headers)
    return response
