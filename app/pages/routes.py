"""``/``, ``/confidentialite``, ``/accessibilite`` and ``/healthz``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.db import ping
from app.templating import render

router = APIRouter()


@router.get("/", name="home")
async def home(request: Request) -> Response:
    return render(request, "pages/home.html")


@router.get("/confidentialite", name="privacy")
async def privacy(request: Request) -> Response:
    return render(request, "pages/privacy.html")


@router.get("/accessibilite", name="accessibility")
async def accessibility(request: Request) -> Response:
    return render(request, "pages/accessibility.html")


@router.get("/healthz", name="healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    """200 when the database answers, 503 otherwise (for the load balancer and Docker)."""
    if ping(request.app.state.engine):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "indisponible", "database": "injoignable"}, status_code=503)
