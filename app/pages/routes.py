"""``/``, ``/confidentialite``, ``/accessibilite`` and ``/healthz``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.db import ping
from app.pagecache import cache_page
from app.templating import render

router = APIRouter()


def always() -> bool:
    """These pages change only with their templates, read once at start outside development."""
    return True


@router.get("/", name="home")
async def home(request: Request) -> Response:
    cache_page(request, always)
    return render(request, "pages/home.html")


@router.get("/confidentialite", name="privacy")
async def privacy(request: Request) -> Response:
    cache_page(request, always)
    return render(request, "pages/privacy.html")


@router.get("/accessibilite", name="accessibility")
async def accessibility(request: Request) -> Response:
    cache_page(request, always)
    return render(request, "pages/accessibility.html")


@router.get("/healthz", name="healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers, 503 otherwise (for the load balancer and Docker)."""
    if ping(request.app.state.engine):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "indisponible", "database": "injoignable"}, status_code=503)
