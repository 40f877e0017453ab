"""Error pages in the site's layout, in French; JSON errors in French under ``/api/``."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException

from app.db import unavailable
from app.templating import render

log = logging.getLogger(__name__)

MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Demande incorrecte", "La demande envoyée n'a pas pu être comprise."),
    403: ("Accès refusé", "Tu n'as pas accès à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas, ou elle a été déplacée."),
    410: ("Page supprimée", "Cette page a été supprimée : elle n'est plus en ligne."),
    405: (
        "Action impossible sur cette page",
        "Cette page ne permet pas cette action. Reviens à la page précédente.",
    ),
    413: (
        "Envoi trop volumineux",
        "Ce que tu as envoyé dépasse la taille permise. Raccourcis le texte et réessaie.",
    ),
    422: (
        "Demande incomplète",
        "Certaines informations de la demande manquent ou ne sont pas valables.",
    ),
    429: (
        "Trop de demandes",
        "Tu as fait beaucoup de demandes en peu de temps. Réessaie plus tard.",
    ),
    500: (
        "Erreur de notre côté",
        "Quelque chose s'est mal passé sur le site. L'équipe est prévenue ; "
        "réessaie dans un moment.",
    ),
    503: (
        "Service momentanément indisponible",
        "Le site ne peut pas répondre pour l'instant. Réessaie dans quelques minutes.",
    ),
}


# Fields whose text is shown back on the 503 page when the database could not take it: long
# texts a person wrote (a question, a reply, an answer, a reason). Never a password.
UNSAVED_FIELDS = ("question", "message", "reponse", "texte", "raison", "corps")
STATE_FORM = "typed_form"  # scope["state"] key: the form the middleware already read


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(
    request: Request, status: int, detail: str | None = None, *, kept: list[str] | None = None
) -> Response:
    """The error page for ``status`` (or its JSON form under ``/api/``)."""
    title, message = MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400])
    if wants_json(request):
        return JSONResponse({"detail": detail or message}, status_code=status)
    context = {"status": status, "title": title, "message": detail or message, "kept": kept}
    return render(request, "errors/error.html", context, status_code=status)


def visitor_detail(detail: object) -> str | None:
    """The detail of an ``HTTPException`` when it was written for the visitor, in French.

    The framework's own details (« Not Found », « Method Not Allowed », « Missing boundary in
    multipart. ») are English and plain ASCII; every message of the site has an accent or an
    apostrophe of French typography, so ASCII-only text is left for the page's own message.
    """
    if not isinstance(detail, str) or not detail[:1].isupper() or detail.isascii():
        return None
    return detail


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    response = error_response(request, exc.status_code, visitor_detail(exc.detail))
    if exc.headers:
        response.headers.update(exc.headers)
    allow = response.headers.get("allow", "")
    if "GET" in allow.split(", ") and "HEAD" not in allow:
        response.headers["allow"] = f"{allow}, HEAD"  # the middleware answers HEAD for GET
    return response


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if wants_json(request):
        errors = [
            {"champ": ".".join(str(p) for p in e["loc"][1:]) or "requête", "message": e["msg"]}
            for e in exc.errors()
        ]
        return JSONResponse(
            {"detail": "La demande n'est pas valable.", "erreurs": errors}, status_code=422
        )
    return error_response(request, 422)


# The public fields whose text a person may want back when their form expired, and their label.
KEPT_FIELDS = {
    "pseudo": "Ton pseudo",
    "email": "Ton adresse e-mail",
    "question": "Ta question",
    "message": "Ton message",
}


def same_origin(request: Request) -> bool:
    """True when the browser says the form was sent from one of this site's own pages.

    Browsers send ``Sec-Fetch-Site`` (or at least ``Origin``) with every form they post; a
    request that sends neither is not taken for one of ours.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("origin")
    own = {f"{request.url.scheme}://{request.url.netloc}"}
    own.add(str(request.app.state.settings.base_url).rstrip("/"))
    return origin is not None and origin.rstrip("/") in own


def csrf_error_response(request: Request, form: FormData | None) -> Response:
    """A plain 403 that sends nothing again and offers no form to resend.

    When the form came from one of the site's own public pages (its token merely expired), the
    text the person typed is shown back, read-only, so that nothing is lost; never on staff
    pages, never a password, never for a form sent from elsewhere.
    """
    fields: list[tuple[str, str]] = []
    back = None
    if form is not None and not request.url.path.startswith("/staff") and same_origin(request):
        fields = [
            (KEPT_FIELDS[name], value)
            for name, value in form.multi_items()
            if name in KEPT_FIELDS and isinstance(value, str) and value.strip()
        ]
        back = form_page(request)
    context = {"fields": fields, "back": back}
    return render(request, "errors/csrf.html", context, status_code=403)


def form_page(request: Request) -> str | None:
    """The path of the page the form was on, from a same-origin ``Referer``; else None."""
    referer = urlsplit(request.headers.get("referer", ""))
    if f"{referer.scheme}://{referer.netloc}" != f"{request.url.scheme}://{request.url.netloc}":
        return None
    if not referer.path.startswith("/") or referer.path.startswith("//"):
        return None
    return referer.path + (f"?{referer.query}" if referer.query else "")


def kept_texts(request: Request) -> list[str]:
    """What a person wrote in the form this request posted (long texts only, never a password),
    so that a 503 does not lose it."""
    form = (request.scope.get("state") or {}).get(STATE_FORM)
    if not isinstance(form, FormData):
        return []
    return [
        value
        for name, value in form.multi_items()
        if name in UNSAVED_FIELDS and isinstance(value, str) and value.strip()
    ]


def unavailable_response(request: Request) -> Response:
    """The French 503: the database is away; what the person wrote is shown back."""
    response = error_response(request, 503, kept=kept_texts(request))
    response.headers["Retry-After"] = "60"
    response.headers["Cache-Control"] = "no-store"
    return response


async def database_error(request: Request, exc: Exception) -> Response:
    """503 when the database is away; any other database error is a bug (re-raised: 500)."""
    if not unavailable(exc):
        raise exc
    log.error("base de données injoignable : %s", exc.__class__.__name__)
    return unavailable_response(request)


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DBAPIError, database_error)
    app.add_exception_handler(PoolTimeoutError, database_error)
