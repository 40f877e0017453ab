"""Robots: a field people never see, a minimum time to fill a public form, and each form sent
once (a double-click or a page sent again stores one post)."""

from __future__ import annotations

import datetime as dt
import secrets
import time

from itsdangerous import BadSignature, Signer
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import ratelimit
from app.config import Settings
from app.questions.errors import AlreadySentError, RefusedError
from app.questions.forms import SEND_FIELD
from app.questions.models import (
    FormUse,
)

POSTING_WINDOW = dt.timedelta(hours=1)
# A public form can be sent once, within this time after it was shown.
FORM_MAX_AGE = dt.timedelta(hours=24)


def _form_signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key.get_secret_value(), salt="questions-form-started")


def form_started_token(settings: Settings, *, at: float | None = None) -> str:
    """The hidden ``debut`` field of a public form: the signed time it was shown and a one-time
    key, so that the post it carries is stored once at most."""
    shown_at = at if at is not None else time.time()
    return _form_signer(settings).sign(f"{shown_at:.3f}:{secrets.token_urlsafe(12)}").decode()


def _read_form_token(settings: Settings, started: str) -> tuple[float, str] | None:
    try:
        shown_at, nonce = _form_signer(settings).unsign(started).decode().split(":", 1)
        return float(shown_at), nonce
    except (BadSignature, ValueError, UnicodeDecodeError):
        return None


def form_nonce(settings: Settings, started: str) -> str | None:
    """The one-time key of a form's ``debut`` field (None if the field is not valid)."""
    token = _read_form_token(settings, started)
    return token[1] if token else None


def robot_problems(
    settings: Settings, *, honeypot: str, started: str, now: float | None = None
) -> dict[str, str]:
    """A filled honeypot, a form sent faster than a person can, or a form shown too long ago."""
    if honeypot:
        return {
            SEND_FIELD: "Ton message n'est pas parti : le champ « Ne pas remplir » ne doit pas "
            "être rempli. Vérifie ton texte, puis envoie à nouveau."
        }
    token = _read_form_token(settings, started)
    now = now if now is not None else time.time()
    if token is None or now - token[0] < settings.min_fill_seconds:
        return {
            SEND_FIELD: "Ton message est parti très vite, comme s'il venait d'un robot. "
            "Rien n'est perdu : relis-le, puis envoie-le à nouveau."
        }
    if now - token[0] > FORM_MAX_AGE.total_seconds():
        return {
            SEND_FIELD: "Cette page était ouverte depuis plus de 24 heures : pour ta sécurité, "
            "ton message n'est pas parti. Rien n'est perdu : relis-le, puis envoie-le à nouveau."
        }
    return {}


def use_form(session: Session, *, nonce: str | None, now: dt.datetime) -> None:
    """Record that this form was sent, in the transaction that stores its post.

    A second sending of the same form (a double-click, even at the same instant on another
    worker) meets the primary key: it waits for the first transaction, then is refused.
    """
    if nonce is None:
        return
    session.add(FormUse(nonce=nonce, used_at=now))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise AlreadySentError from None


def check_form_unused(session: Session, *, nonce: str | None) -> None:
    """Refuse at once a form whose post is already stored (the common double-click)."""
    if nonce is not None and session.get(FormUse, nonce) is not None:
        raise AlreadySentError


def check_posting_rate(
    session: Session, *, settings: Settings, keys: list[str], noun: str, now: dt.datetime
) -> None:
    """Count a public post on each of ``keys`` (keyed hashes, see ``ratelimit.counter_key``);
    refused past ``posting_limit_per_hour`` on any of them. ``noun`` names what was sent.

    The hits open the transaction that stores the post: one write to the database, not two.
    """
    limit = settings.posting_limit_per_hour
    # « 1 signalement », « 2 signalements »: the nouns given here take an « s » in the plural.
    counted = noun if limit > 1 else noun.removesuffix("s")
    if not ratelimit.allowed(
        session, keys=keys, limit=limit, window=POSTING_WINDOW, now=now, commit=False
    ):
        session.rollback()
        raise RefusedError(
            {
                SEND_FIELD: f"Tu as déjà envoyé {limit} {counted} en une heure, le maximum. "
                "Réessaie dans une heure\u202f; ton texte est gardé ci-dessous."
            },
            status_code=429,
        )
