"""Reports of published messages ("Signaler ce message"): a reader sends one, the staff remove
the message or keep it.

A report keeps the message, a reason, an optional short text and the time; nothing about who
sent it (the rate limit counts a keyed hash of the address, in ``rate_counter``). Several reports
of the same message are one item of the work queue until the staff decide: "Retirer le message"
hides it (``moderation.remove_reported``; hiding or deleting a message by any path settles its
open reports), "Garder le message" settles them and leaves it as it is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, func, select

from app import ratelimit
from app.config import Settings
from app.db import one_writer, utcnow
from app.questions.forms import length_text
from app.questions.models import (
    REPORT_REASON_LABELS,
    REPORT_TEXT_MAX,
    Message,
    MessageState,
    Report,
    ReportOutcome,
    ReportReason,
    Thread,
)
from app.questions.robots import check_form_unused, check_posting_rate, use_form
from app.staff import audit
from app.staff.models import StaffUser

REASON_FIELD = "raison"
TEXT_FIELD = "precision"


def report_problems(*, reason: str, text: str) -> dict[str, str]:
    """Each field's problem, in the form's order; empty when the report can be sent."""
    errors: dict[str, str] = {}
    if reason not in REPORT_REASON_LABELS:
        errors[REASON_FIELD] = "Choisis pourquoi tu signales ce message."
    if len(text) > REPORT_TEXT_MAX:
        errors[TEXT_FIELD] = (
            f"Ta précision ne peut pas dépasser {length_text(REPORT_TEXT_MAX)} caractères "
            f"(elle en compte {length_text(len(text))}). Raccourcis-la."
        )
    return errors


def is_reportable(message: Message, thread: Thread) -> bool:
    """Only what the public reads can be reported: a published message of a public thread."""
    return message.state == MessageState.published and thread.is_public


def report(
    session: Session,
    *,
    settings: Settings,
    message: Message,
    reason: ReportReason,
    text: str,
    address: str,
    form: str | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Store a checked report; counted like a public post, one per form."""
    now = now or utcnow()
    check_form_unused(session, nonce=form)
    assert message.id is not None
    row = Report(message_id=message.id, reason=reason, text=text, created_at=now)
    with one_writer(session):
        check_posting_rate(
            session,
            settings=settings,
            keys=[ratelimit.counter_key(settings, "report-address", address)],
            noun="signalements",
            now=now,
        )
        use_form(session, nonce=form, now=now)
        session.add(row)
        session.commit()
    return row


# --- The staff's side ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reported:
    """A reported message waiting on the staff, with its open reports."""

    message: Message
    thread: Thread
    since: dt.datetime
    count: int
    reasons: list[tuple[str, int]]  # (label, how many), most frequent first
    texts: list[str]


def _open_for_shown_messages() -> list[ColumnElement[bool]]:
    """Open reports of messages the public still reads (others have nothing left to decide)."""
    return [
        col(Report.resolved_at).is_(None),
        col(Message.state) == MessageState.published,
        col(Thread.is_public).is_(True),
    ]


def waiting_count(session: Session) -> int:
    """How many reported messages wait on the staff."""
    return session.exec(
        select(func.count(func.distinct(Report.message_id)))
        .join(Message, col(Message.id) == col(Report.message_id))
        .join(Thread, col(Thread.id) == col(Message.thread_id))
        .where(*_open_for_shown_messages())
    ).one()


def waiting(session: Session, *, limit: int) -> list[Reported]:
    """The oldest ``limit`` reported messages (by their first open report), oldest first."""
    first = func.min(Report.created_at)
    grouped = session.exec(
        select(Report.message_id, first, func.count())
        .join(Message, col(Message.id) == col(Report.message_id))
        .join(Thread, col(Thread.id) == col(Message.thread_id))
        .where(*_open_for_shown_messages())
        .group_by(col(Report.message_id))
        .order_by(first, col(Report.message_id))
        .limit(limit)
    ).all()
    ids = [message_id for message_id, _, _ in grouped]
    if not ids:
        return []
    rows = session.exec(
        select(Message, Thread)
        .join(Thread, col(Thread.id) == col(Message.thread_id))
        .where(col(Message.id).in_(ids))
    ).all()
    found = {message.id: (message, thread) for message, thread in rows}
    reasons: dict[int, Counter[str]] = {message_id: Counter() for message_id in ids}
    texts: dict[int, list[str]] = {message_id: [] for message_id in ids}
    for report_row in session.exec(
        select(Report)
        .where(col(Report.message_id).in_(ids))
        .where(col(Report.resolved_at).is_(None))
        .order_by(col(Report.created_at), col(Report.id))
    ).all():
        reasons[report_row.message_id][REPORT_REASON_LABELS[report_row.reason]] += 1
        if report_row.text:
            texts[report_row.message_id].append(report_row.text)
    return [
        Reported(
            message=found[message_id][0],
            thread=found[message_id][1],
            since=since,
            count=count,
            reasons=reasons[message_id].most_common(),
            texts=texts[message_id],
        )
        for message_id, since, count in grouped
    ]


def summary(session: Session, *, message: Message) -> str:
    """The open reports of ``message`` in a few words, for the audit log."""
    rows = session.exec(
        select(Report.reason, func.count())
        .where(col(Report.message_id) == message.id)
        .where(col(Report.resolved_at).is_(None))
        .group_by(col(Report.reason))
        .order_by(col(Report.reason))
    ).all()
    parts = [f"{REPORT_REASON_LABELS[ReportReason(reason)]} ({count})" for reason, count in rows]
    return "Signalé\u202f: " + (", ".join(parts) if parts else "aucun signalement ouvert")


def settle(
    session: Session,
    *,
    message_id: int,
    outcome: ReportOutcome,
    staff: StaffUser,
    now: dt.datetime,
) -> int:
    """Close the open reports of a message, in the caller's transaction; returns how many."""
    result = session.exec(
        update(Report)
        .where(col(Report.message_id) == message_id)
        .where(col(Report.resolved_at).is_(None))
        .values(resolved_at=now, outcome=outcome, resolved_by=staff.id)
    )
    return int(result.rowcount)


def keep(
    session: Session, *, message: Message, staff: StaffUser, now: dt.datetime | None = None
) -> int:
    """ "Garder le message": its open reports are closed, the message stays; audited."""
    now = now or utcnow()
    reason = summary(session, message=message)
    assert message.id is not None
    closed = settle(
        session, message_id=message.id, outcome=ReportOutcome.kept, staff=staff, now=now
    )
    if closed:
        audit.record(
            session,
            action="report_kept",
            staff=staff,
            target=f"message {message.id}",
            from_state=message.state,
            to_state=message.state,
            reason=reason,
        )
    session.commit()
    return closed
