"""The asker's private link and e-mails, and what the asker can do with that link (delete the
question, stop the e-mails)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete as sql_delete
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import utcnow
from app.mail import OutgoingMail, queue_mail
from app.questions import mails
from app.questions.mails import MailLinks
from app.questions.models import (
    ANONYMOUS,
    Author,
    Message,
    MessageRevision,
    MessageState,
    Thread,
)
from app.questions.threads import question_row, refresh_thread
from app.staff import audit


def private_token(settings: Settings, thread: Thread) -> str:
    """The asker's private link token: 43 random-looking characters derived from the seed."""
    key = settings.secret_key.get_secret_value().encode()
    digest = hmac.new(key, b"suivi:" + thread.token_seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def thread_by_token(session: Session, *, token: str) -> Thread | None:
    """The thread whose private link holds ``token``."""
    if not 20 <= len(token) <= 100:
        return None
    return session.exec(select(Thread).where(col(Thread.token_hash) == token_hash(token))).first()


def _unsubscribe_serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt="questions-unsubscribe")


def unsubscribe_token(settings: Settings, thread: Thread) -> str:
    """A signed token for the unsubscribe link, distinct from the private link."""
    return _unsubscribe_serializer(settings).dumps(thread.token_hash[:32])


def thread_by_unsubscribe_token(
    session: Session, *, settings: Settings, token: str
) -> Thread | None:
    try:
        prefix = _unsubscribe_serializer(settings).loads(token)
    except BadSignature:
        return None
    if not isinstance(prefix, str) or len(prefix) != 32:
        return None
    return session.exec(
        select(Thread).where(col(Thread.token_hash).startswith(prefix, autoescape=True))
    ).first()


def links_for_asker(settings: Settings, links: MailLinks, thread: Thread) -> tuple[str, str]:
    return (
        links.url("questions_private", token=private_token(settings, thread)),
        links.url("questions_unsubscribe", token=unsubscribe_token(settings, thread)),
    )


def send_to_asker(
    session: Session, *, thread: Thread, mail: mails.Mail, unsubscribe_url: str
) -> None:
    if thread.asker_email:
        queue_mail(
            session,
            recipient=thread.asker_email,
            subject=mail.subject,
            body=mail.body,
            thread_id=thread.id,
            unsubscribe_url=unsubscribe_url,
        )


# --- What the asker can do with their private link ----------------------------------------------


def delete_by_asker(session: Session, *, thread: Thread, now: dt.datetime | None = None) -> None:
    """Remove the question from public pages, erase the e-mail, and sign the thread "Anonyme"."""
    now = now or utcnow()
    question = question_row(session, thread)
    if question.state != MessageState.deleted:
        session.exec(
            update(Message)
            .where(col(Message.id) == question.id)
            .values(
                state=MessageState.deleted,
                previous_state=question.state,
                version=question.version + 1,
                state_changed_at=now,
            )
        )
    asker_messages = (
        select(Message.id)
        .where(col(Message.thread_id) == thread.id)
        .where(col(Message.author) == Author.asker)
    )
    session.exec(
        update(Message).where(col(Message.id).in_(asker_messages)).values(author_name=ANONYMOUS)
    )
    session.exec(
        update(MessageRevision)
        .where(col(MessageRevision.message_id).in_(asker_messages))
        .values(author_name=ANONYMOUS)
    )
    forget_pending_mail(session, thread=thread)
    thread.asker_email = None
    thread.subscribed = False
    thread.email_erased_at = now
    thread.deleted_by_asker_at = now
    session.add(thread)
    audit.record(
        session,
        action="asker_delete",
        actor=audit.ASKER,
        target=f"fil {thread.id}",
        from_state=question.state,
        to_state=MessageState.deleted,
    )
    session.expire(question)
    refresh_thread(session, thread)
    session.commit()


def forget_pending_mail(session: Session, *, thread: Thread) -> None:
    session.exec(sql_delete(OutgoingMail).where(col(OutgoingMail.thread_id) == thread.id))


def unsubscribe(session: Session, *, thread: Thread) -> None:
    """No more e-mails about this thread (mails already queued are dropped too)."""
    thread.subscribed = False
    session.add(thread)
    forget_pending_mail(session, thread=thread)
    session.commit()
