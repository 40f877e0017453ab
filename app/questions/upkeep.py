"""The daily upkeep of ``python -m app maintenance``: close idle threads, erase old e-mail
addresses, purge what was deleted long ago."""

from __future__ import annotations

import datetime as dt
from email import policy
from email.parser import BytesParser
from email.utils import parseaddr

from sqlalchemy import delete as sql_delete
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import utcnow
from app.mail import OutgoingMail
from app.questions.models import (
    Claim,
    FormUse,
    Message,
    MessageRevision,
    MessageState,
    Report,
    Thread,
    ThreadState,
)
from app.questions.private_link import forget_pending_mail
from app.questions.robots import FORM_MAX_AGE
from app.questions.threads import public_changed
from app.staff import audit
from app.staff.models import StaffUser

# --- Upkeep: python -m app maintenance ----------------------------------------------------------


def close_idle(session: Session, *, settings: Settings, now: dt.datetime | None = None) -> int:
    """Close the threads idle for ``thread_close_days``; returns how many."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=settings.thread_close_days)
    threads = session.exec(
        select(Thread)
        .where(col(Thread.state) != ThreadState.closed)
        .where(col(Thread.last_activity_at) < cutoff)
    ).all()
    for thread in threads:
        audit.record(
            session,
            action="close",
            target=f"fil {thread.id}",
            from_state=thread.state,
            to_state=ThreadState.closed,
            reason=f"aucune activité depuis {settings.thread_close_days} jours",
        )
        thread.state = ThreadState.closed
        thread.closed_at = now
        thread.waiting_since = None
        session.add(thread)
    if threads:
        public_changed(session)
    session.commit()
    return len(threads)


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` calendar months earlier (the last day of a shorter month)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def erase_old_emails(
    session: Session, *, settings: Settings, now: dt.datetime | None = None
) -> int:
    """Erase askers' addresses ``email_retention_months`` after their thread's last activity."""
    now = now or utcnow()
    cutoff = months_before(now, settings.email_retention_months)
    threads = session.exec(
        select(Thread)
        .where(col(Thread.asker_email).is_not(None))
        .where(col(Thread.last_activity_at) < cutoff)
    ).all()
    for thread in threads:
        forget_pending_mail(session, thread=thread)
        thread.asker_email = None
        thread.email_erased_at = now
        session.add(thread)
        audit.record(
            session,
            action="erase_email",
            target=f"fil {thread.id}",
            reason=f"{settings.email_retention_months} mois sans activité",
        )
    session.commit()
    return len(threads)


def purge(session: Session, *, settings: Settings, now: dt.datetime | None = None) -> int:
    """Erase for good the messages deleted ``purge_after_days`` ago; returns how many."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=settings.purge_after_days)
    doomed = session.exec(
        select(Message)
        .where(col(Message.state) == MessageState.deleted)
        .where(col(Message.state_changed_at) < cutoff)
    ).all()
    count = 0
    for message in doomed:
        if session.get(Message, message.id) is None:
            continue  # already gone with its thread
        if message.is_question:
            count += _purge_thread(session, thread_id=message.thread_id)
            audit.record(session, action="purge", target=f"fil {message.thread_id}")
        else:
            session.exec(
                update(Message)
                .where(col(Message.parent_id) == message.id)
                .values(parent_id=message.parent_id)
            )
            session.exec(
                sql_delete(MessageRevision).where(col(MessageRevision.message_id) == message.id)
            )
            session.exec(sql_delete(Report).where(col(Report.message_id) == message.id))
            session.delete(message)
            audit.record(session, action="purge", target=f"message {message.id}")
            count += 1
        session.flush()
    session.commit()
    return count


def _purge_thread(session: Session, *, thread_id: int) -> int:
    messages = select(Message.id).where(col(Message.thread_id) == thread_id)
    session.exec(sql_delete(MessageRevision).where(col(MessageRevision.message_id).in_(messages)))
    session.exec(sql_delete(Report).where(col(Report.message_id).in_(messages)))
    session.exec(sql_delete(OutgoingMail).where(col(OutgoingMail.thread_id) == thread_id))
    session.exec(update(Message).where(col(Message.thread_id) == thread_id).values(parent_id=None))
    result = session.exec(sql_delete(Message).where(col(Message.thread_id) == thread_id))
    session.exec(sql_delete(Claim).where(col(Claim.thread_id) == thread_id))
    session.exec(sql_delete(Thread).where(col(Thread.id) == thread_id))
    session.expunge_all()
    return int(result.rowcount)


def prune_outbox(session: Session, *, settings: Settings) -> int:
    """Delete the e-mails of ``var/outbox/`` whose recipient the site no longer knows: an asker
    who deleted their question or whose address was erased, an account that was removed.

    Without SMTP, the outbox stands in for the mail server; it must not keep an address that
    the database has forgotten. Returns how many files were deleted.
    """
    folder = settings.outbox_dir
    if not folder.is_dir():
        return 0
    parser = BytesParser(policy=policy.default)
    recipients: dict[str, list[str]] = {}
    for path in folder.glob("*.eml"):
        try:
            headers = parser.parsebytes(path.read_bytes(), headersonly=True)
        except OSError:
            continue
        address = parseaddr(str(headers.get("To", "")))[1].strip().lower()
        recipients.setdefault(address, []).append(path.name)
    addresses = [address for address in recipients if address]
    known = set(
        session.exec(select(Thread.asker_email).where(col(Thread.asker_email).in_(addresses))).all()
    )
    known |= set(
        session.exec(select(StaffUser.email).where(col(StaffUser.email).in_(addresses))).all()
    )
    session.commit()
    removed = 0
    for address, names in recipients.items():
        if address and address in {str(k).lower() for k in known if k}:
            continue
        for name in names:
            (folder / name).unlink(missing_ok=True)
            removed += 1
    return removed


def forget_used_forms(session: Session, *, now: dt.datetime | None = None) -> int:
    """Forget the one-time keys of forms that could not be sent any more anyway."""
    cutoff = (now or utcnow()) - FORM_MAX_AGE - dt.timedelta(hours=1)
    result = session.exec(sql_delete(FormUse).where(col(FormUse.used_at) < cutoff))
    session.commit()
    return int(result.rowcount)
