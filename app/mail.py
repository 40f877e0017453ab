"""Outgoing e-mail: queued in the database with the action that causes it, then delivered.

A message is stored in the same transaction as the answer or decision it tells about, so a crash
or a refused SMTP connection never loses it. The request that queued it sends it right after its
response; a failure is retried later with a growing delay, by the next requests and by
``python -m app maintenance``. A row is claimed before it is sent, so two workers never send it
twice, and deleted once it is sent.
Without ``APP_SMTP_HOST`` each message is written as an ``.eml`` file under ``var/outbox/``.
No log line carries an address.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from app.config import Settings
from app.db import UTCDateTime, one_writer, utcnow

log = logging.getLogger(__name__)

CLAIM_SECONDS = 300
MAX_BACKOFF = dt.timedelta(hours=1)
QUEUED_KEY = "queued_mail_ids"


class OutgoingMail(SQLModel, table=True):
    """One e-mail to one recipient, waiting to be sent (deleted once sent)."""

    __tablename__ = "outgoing_mail"

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int | None = Field(default=None, index=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(max_length=20000)
    unsubscribe_url: str | None = Field(default=None, max_length=500)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    next_attempt_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    attempts: int = Field(default=0)
    # Set while a worker sends it, so that no other worker sends it too.
    claimed_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=300)


def queue_mail(
    session: Session,
    *,
    recipient: str,
    subject: str,
    body: str,
    thread_id: int | None = None,
    unsubscribe_url: str | None = None,
) -> OutgoingMail:
    """Add a message to the queue; it is saved with the caller's transaction.

    It is stored already claimed by the request that queued it, which sends it right after its
    response (``deliver_queued``); the others only take it if that first try failed.
    """
    now = utcnow()
    mail = OutgoingMail(
        recipient=recipient,
        subject=subject,
        body=body,
        thread_id=thread_id,
        unsubscribe_url=unsubscribe_url,
        next_attempt_at=now,
        claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS),
    )
    session.add(mail)
    session.flush()
    session.info.setdefault(QUEUED_KEY, []).append(mail.id)
    return mail


def take_queued_ids(session: Session) -> list[int]:
    """The ids of the messages this session queued, forgotten once taken."""
    ids: list[int] = session.info.pop(QUEUED_KEY, [])
    return ids


def build_message(settings: Settings, mail: OutgoingMail) -> EmailMessage:
    """The e-mail as sent: one recipient, plain text, List-Unsubscribe headers when relevant."""
    message = EmailMessage()
    message["From"] = f"{settings.site_name} <{settings.mail_from}>"
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=str(settings.mail_from).rsplit("@", 1)[-1])
    message["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe_url:
        message["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.body)
    return message


def send(settings: Settings, message: EmailMessage, *, name: str) -> None:
    """Send through SMTP, or write ``var/outbox/<name>.eml`` when no SMTP server is set."""
    if not settings.smtp_host:
        settings.outbox_dir.mkdir(parents=True, exist_ok=True)
        path = settings.outbox_dir / f"{name}.eml"
        path.write_bytes(bytes(message))
        log.info("e-mail écrit dans la boîte d'envoi : %s", path.name)
        return
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username and settings.smtp_password:
            smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        smtp.send_message(message)
    log.info("e-mail envoyé par SMTP : %s", message["Message-ID"])


def _unclaimed(now: dt.datetime) -> Any:
    claimed_until = col(OutgoingMail.claimed_until)
    return or_(claimed_until.is_(None), claimed_until < now)


def _claim(session: Session, *, mail_id: int, now: dt.datetime) -> bool:
    """Take a due message for this worker, unless another one has it."""
    with one_writer(session):
        claimed = session.exec(
            update(OutgoingMail)
            .where(col(OutgoingMail.id) == mail_id)
            .where(_unclaimed(now))
            .values(claimed_until=now + dt.timedelta(seconds=CLAIM_SECONDS))
        )
        session.commit()
    return claimed.rowcount == 1


def _send_claimed(session: Session, settings: Settings, *, mail_id: int) -> bool:
    """Send a message this worker holds, then delete it; on failure, schedule a retry."""
    mail = session.get(OutgoingMail, mail_id)
    if mail is None:
        return False
    try:
        # Ids are reused once rows are deleted: the name gets the time and a random part too.
        name = f"{utcnow():%Y%m%dT%H%M%S%f}-{mail_id}-{secrets.token_hex(3)}"
        send(settings, build_message(settings, mail), name=name)
    except (OSError, smtplib.SMTPException) as error:
        mail.attempts += 1
        delay = min(dt.timedelta(minutes=2**mail.attempts), MAX_BACKOFF)
        mail.next_attempt_at = utcnow() + delay
        mail.claimed_until = None
        mail.last_error = f"{error.__class__.__name__}: {error}"[:300]
        with one_writer(session):
            session.add(mail)
            session.commit()
        log.warning(
            "e-mail %s non envoyé (essai %d), nouvel essai dans %s : %s",
            mail_id,
            mail.attempts,
            delay,
            error.__class__.__name__,
        )
        return False
    with one_writer(session):
        session.exec(delete(OutgoingMail).where(col(OutgoingMail.id) == mail_id))
        session.commit()
    return True


def deliver_queued(session: Session, settings: Settings, *, ids: list[int]) -> int:
    """Send the messages ``ids`` that this request queued (and so holds); returns how many."""
    return sum(_send_claimed(session, settings, mail_id=mail_id) for mail_id in ids)


def deliver_pending(
    session: Session,
    settings: Settings,
    *,
    limit: int = 50,
    now: dt.datetime | None = None,
    claims_from: dt.datetime | None = None,
) -> int:
    """Send the messages that are due and nobody holds (retries); returns how many were sent.

    ``now`` and ``claims_from`` let the tests move the clock forward.
    """
    now = now or utcnow()
    ids = session.exec(
        select(OutgoingMail.id)
        .where(col(OutgoingMail.next_attempt_at) <= now)
        .where(_unclaimed(claims_from or utcnow()))
        .order_by(col(OutgoingMail.id))
        .limit(limit)
    ).all()
    session.commit()
    sent = 0
    for mail_id in ids:
        if mail_id is not None and _claim(session, mail_id=mail_id, now=claims_from or utcnow()):
            sent += _send_claimed(session, settings, mail_id=mail_id)
    return sent


def deliver_in_background(engine: Engine, settings: Settings, ids: list[int]) -> None:
    """After a response: send its own e-mails, then retry a few overdue ones.

    Never raises: whatever fails stays in the queue and is retried later.
    """
    try:
        with Session(engine) as session:
            deliver_queued(session, settings, ids=ids)
            deliver_pending(session, settings, limit=5)
    except Exception as error:  # noqa: BLE001 - the queue keeps the messages for a retry
        log.warning("envoi des e-mails reporté : %s", error.__class__.__name__)
