"""« M'envoyer ce résultat par e-mail »: the result's link sent once to an address never kept.

The address is used for this one message and forgotten: the message is built in memory and
handed to SMTP (``app.mail.send``) without going through the mail queue, and no log line names
it. Sending is limited per visitor address (kept only as a keyed hash, like the other limits).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import smtplib

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from app import ratelimit
from app.config import Settings
from app.db import SessionDep
from app.mail import OutgoingMail, build_message, send
from app.questionnaire import Result
from app.questionnaire.routes import (
    SiteDep,
    complete_answers,
    draw_result,
    link,
    private,
    redirect,
    result_context,
)
from app.questionnaire.state import FIELD
from app.templating import date_fr

router = APIRouter(prefix="/ai-je-droit", include_in_schema=False)

EMAIL_FIELD = "email"
MAX_EMAIL = 254
EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
LIMIT_PER_HOUR = 5
WINDOW = dt.timedelta(hours=1)
SENT = "envoye"
MISSING = "Indique ton adresse e-mail, par exemple prenom@exemple.be"
MALFORMED = (
    "Cette adresse e-mail n'a pas la bonne forme : vérifie-la, par exemple prenom@exemple.be"
)
TOO_MANY = (
    f"Tu as déjà envoyé {LIMIT_PER_HOUR} e-mails en une heure, le maximum. Réessaie plus tard, "
    "ou copie le lien ci-dessous."
)
FAILED = "L'e-mail n'a pas pu partir. Réessaie dans quelques minutes, ou copie le lien ci-dessous."


def check_email(raw: str) -> tuple[str | None, str | None]:
    """The address, or the message to show on the field."""
    email = raw.strip()
    if not email:
        return None, MISSING
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        return None, MALFORMED
    return email, None


def mail_body(result: Result, url: str) -> str:
    """The text of the e-mail: the link, and each right with its status; no answer in clear."""
    lines = [
        "Bonjour,",
        "",
        f"Voici ton résultat « Ai-je droit ? » du {date_fr(result.day)}. Ce lien l'ouvre, "
        "calculé avec les montants du jour où tu l'ouvres :",
        "",
        url,
        "",
        "Les aides de ton résultat :",
        *(f"- {right.title} : {right.status_label}" for right in result.rights),
        "",
        "Le lien contient tes réponses, sans ton nom ; il reste valable 180 jours. Ne le donne "
        "qu'à des personnes de confiance.",
        "",
        "Nous n'avons pas gardé ton adresse e-mail : elle a seulement servi à envoyer ce message.",
        "",
        result.disclaimer,
    ]
    return "\n".join(lines)


def deliver(settings: Settings, recipient: str, subject: str, body: str) -> bool:
    """Send one message now, outside the queue (nothing stored); False when it failed."""
    message = build_message(settings, OutgoingMail(recipient=recipient, subject=subject, body=body))
    try:
        send(settings, message, name=f"resultat-{secrets.token_hex(6)}")
    except (OSError, smtplib.SMTPException):
        return False
    return True


@router.post("/resultat/envoyer", name="questionnaire_result_mail")
async def mail_result(request: Request, site: SiteDep, session: SessionDep) -> Response:
    form = await request.form()
    etat = form.get(FIELD)
    token = etat if isinstance(etat, str) else ""
    walked = complete_answers(request, site, token)
    if isinstance(walked, Response):
        return walked
    raw = form.get(EMAIL_FIELD)
    typed = raw[: MAX_EMAIL + 10] if isinstance(raw, str) else ""
    email, error = check_email(typed)
    settings: Settings = request.app.state.settings
    status = 400
    if email is not None:
        address = request.client.host if request.client else "inconnue"
        key = ratelimit.counter_key(settings, "result-mail", address)
        if ratelimit.hit(session, key=key, window=WINDOW) > LIMIT_PER_HOUR:
            error, status = TOO_MANY, 429
        else:
            context = result_context(request, site, walked, token, pdf=False)
            result = context["result"]
            assert isinstance(result, Result)
            body = mail_body(result, str(context["result_url"]))
            subject = f"Ton résultat « Ai-je droit ? » du {date_fr(result.day)}"
            if await run_in_threadpool(deliver, settings, email, subject, body):
                return redirect(link(request, "questionnaire_result", token) + f"&{SENT}=1")
            error, status = FAILED, 503
    context = result_context(request, site, walked, token, pdf=False)
    context["mail_errors"] = {EMAIL_FIELD: error}
    context["mail_value"] = typed
    return private(HTMLResponse(draw_result(request, context), status_code=status))
