"""``/changements``: the dated changes of the law, newest first, with the fiches they touch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.fiches.changes import public_changes
from app.fiches.routes import LibraryDep, same_library
from app.pagecache import cache_page
from app.templating import render

router = APIRouter()


@router.get("/changements", name="changes")
async def changes_page(request: Request, library: LibraryDep) -> Response:
    cache_page(request, same_library(request, library))
    context = {"changes": public_changes(library.changes, library.fiches, day=library.rendered_on)}
    return render(request, "fiches/changements.html", context)
