"""A visitor asks a question, and the asker replies in their thread.

Reply moderation: the asker's reply is published at once when the thread is already answered
(a moderator accepted their question and a professional is talking with them); otherwise it
waits for a moderator like the question did. Moderators can still hide or edit it afterwards.
Each operation commits its rows, its counters, its audit line and its e-mail together.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app import ratelimit
from app.config import Settings
from app.db import one_writer, utcnow
from app.questions import mails
from app.questions.errors import RefusedError
from app.questions.forms import INVALID_EMAIL, SEND_FIELD, normalised_email, text_hash
from app.questions.mails import MailLinks
from app.questions.models import (
    Author,
    Message,
    MessageState,
    Thread,
    ThreadState,
)
from app.questions.private_link import links_for_asker, private_token, send_to_asker, token_hash
from app.questions.robots import check_form_unused, check_posting_rate, use_form
from app.questions.threads import placement, question_row, refresh_thread, reply_parent, row_id
from app.staff import audit

DUPLICATE_WINDOW = dt.timedelta(days=1)


@dataclass(frozen=True)
class Asked:
    thread: Thread
    question: Message
    token: str


def _check_duplicate(session: Session, *, body_hash: str, now: dt.datetime) -> None:
    duplicate = session.exec(
        select(Message.id)
        .where(col(Message.body_hash) == body_hash)
        .where(col(Message.author) == Author.asker)
        .where(col(Message.created_at) >= now - DUPLICATE_WINDOW)
        .limit(1)
    ).first()
    if duplicate is not None:
        raise RefusedError(
            {
                SEND_FIELD: "Ce texte a déjà été envoyé aujourd'hui : il est bien arrivé, "
                "pas besoin de l'envoyer à nouveau. Tu recevras un e-mail quand il y aura du neuf."
            },
            status_code=409,
        )


def _posting_keys(settings: Settings, *, address: str, email: str) -> list[str]:
    return [
        ratelimit.counter_key(settings, "post-address", address),
        ratelimit.counter_key(settings, "post-email", email),
    ]


def ask(
    session: Session,
    *,
    settings: Settings,
    links: MailLinks,
    pseudonym: str,
    email: str,
    body: str,
    fiche_slug: str | None,
    address: str,
    form: str | None = None,
    now: dt.datetime | None = None,
) -> Asked:
    """Store a checked question as pending and e-mail the asker their private link.

    ``form`` is the one-time key of the form it came from: the same form stores one question.
    """
    now = now or utcnow()
    address_email = normalised_email(email)
    if address_email is None:
        raise RefusedError({"email": INVALID_EMAIL})
    body_hash = text_hash(body)
    check_form_unused(session, nonce=form)
    _check_duplicate(session, body_hash=body_hash, now=now)
    thread = Thread(
        fiche_slug=fiche_slug,
        asker_email=address_email,
        token_seed=secrets.token_hex(16),
        token_hash="",
        created_at=now,
        last_activity_at=now,
    )
    token = private_token(settings, thread)
    thread.token_hash = token_hash(token)
    question = Message(
        thread_id=0,
        author=Author.asker,
        author_name=pseudonym,
        body=body,
        body_hash=body_hash,
        created_at=now,
        state_changed_at=now,
    )
    private_url, unsubscribe_url = links_for_asker(settings, links, thread)
    mail = mails.received(settings, private_url=private_url, unsubscribe_url=unsubscribe_url)
    # Everything is ready: one short write transaction for the counters, the thread, its
    # question and its e-mail (SQLite lets one writer at a time in).
    with one_writer(session):
        check_posting_rate(
            session,
            settings=settings,
            keys=_posting_keys(settings, address=address, email=address_email),
            noun="messages",
            now=now,
        )
        use_form(session, nonce=form, now=now)
        session.add(thread)
        session.flush()
        question.thread_id = row_id(thread)
        session.add(question)
        send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
        session.commit()
    return Asked(thread=thread, question=question, token=token)


def reply(
    session: Session,
    *,
    settings: Settings,
    thread: Thread,
    parent_id: int | None,
    body: str,
    address: str,
    form: str | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """The asker's reply: published at once on an answered thread, otherwise moderated.

    ``form`` is the one-time key of the form it came from: the same form stores one reply.
    """
    now = now or utcnow()
    parent = reply_parent(session, thread=thread, parent_id=parent_id, default_author=None)
    body_hash = text_hash(body)
    check_form_unused(session, nonce=form)
    _check_duplicate(session, body_hash=body_hash, now=now)
    question = question_row(session, thread)
    publish = thread.state == ThreadState.answered
    parent_place, depth = placement(parent)
    message = Message(
        thread_id=parent.thread_id,
        parent_id=parent_place,
        depth=depth,
        author=Author.asker,
        author_name=question.author_name,
        body=body,
        body_hash=body_hash,
        state=MessageState.published if publish else MessageState.pending,
        created_at=now,
        state_changed_at=now,
        published_at=now if publish else None,
    )
    with one_writer(session):
        check_posting_rate(
            session,
            settings=settings,
            keys=_posting_keys(
                settings, address=address, email=thread.asker_email or f"fil-{thread.id}"
            ),
            noun="messages",
            now=now,
        )
        use_form(session, nonce=form, now=now)
        session.add(message)
        thread.last_activity_at = now
        session.add(thread)
        session.flush()
        if publish:
            audit.record(
                session,
                action="asker_reply",
                actor=audit.ASKER,
                target=f"message {message.id}",
                to_state=MessageState.published,
                reason="publiée sans relecture : le fil avait déjà une réponse",
            )
        refresh_thread(session, thread)
        session.commit()
    session.refresh(message)
    return message
