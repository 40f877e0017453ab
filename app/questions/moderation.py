"""What the staff do to a message: approve, reject, mark as spam, hide, delete, restore, edit.

Each action checks the version the moderator was shown (two moderators never overwrite each
other), moves the message along ``TRANSITIONS``, writes its audit line and commits.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import Session, col

from app.config import Settings
from app.db import utcnow
from app.questions import mails, reports
from app.questions.errors import ConflictError, NotAllowedError, RefusedError
from app.questions.forms import clean, length_text, text_hash
from app.questions.indexing import index_thread
from app.questions.mails import MailLinks
from app.questions.models import (
    ANSWER_MAX,
    PSEUDONYM_MAX,
    QUESTION_MAX,
    REASON_MAX,
    Author,
    Message,
    MessageRevision,
    MessageState,
    ReportOutcome,
    Thread,
)
from app.questions.private_link import links_for_asker, send_to_asker
from app.questions.threads import public_changed, refresh_thread, row_id
from app.staff import audit
from app.staff.models import StaffUser

# --- Moderation ---------------------------------------------------------------------------------

# action -> (states it applies to, state it leads to; None: back to the state before deletion)
TRANSITIONS: dict[str, tuple[frozenset[MessageState], MessageState | None]] = {
    "approve": (frozenset({MessageState.pending}), MessageState.published),
    "reject": (frozenset({MessageState.pending}), MessageState.rejected),
    "spam": (frozenset({MessageState.pending}), MessageState.spam),
    "hide": (frozenset({MessageState.published}), MessageState.hidden),
    "republish": (frozenset({MessageState.hidden}), MessageState.published),
    "delete": (frozenset(MessageState) - {MessageState.deleted}, MessageState.deleted),
    "restore": (frozenset({MessageState.deleted}), None),
}


def allowed_actions(message: Message) -> list[str]:
    """The moderation actions that apply to ``message`` in its current state."""
    return [name for name, (sources, _) in TRANSITIONS.items() if message.state in sources]


def _conflict() -> ConflictError:
    return ConflictError(
        "Quelqu'un d'autre a modifié ce message pendant que vous le lisiez. "
        "Voici son état actuel : refaites votre action si elle est toujours utile."
    )


def _move(
    session: Session,
    *,
    message: Message,
    action: str,
    version: int,
    staff: StaffUser,
    reason: str | None = None,
    now: dt.datetime,
) -> Thread:
    """Apply ``action`` to ``message`` if nobody changed it since ``version``; audit it."""
    if message.version != version:
        raise _conflict()
    sources, target = TRANSITIONS[action]
    source = MessageState(message.state)
    if source not in sources:
        raise NotAllowedError("Cette action n'est pas possible sur un message dans cet état.")
    thread = session.get(Thread, message.thread_id)
    assert thread is not None
    if action == "restore" and message.is_question and thread.deleted_by_asker_at is not None:
        raise NotAllowedError(
            "La personne a supprimé elle-même sa question : elle ne peut pas être restaurée."
        )
    destination = target or MessageState(message.previous_state or MessageState.pending)
    values: dict[str, object] = {
        "state": destination,
        "previous_state": source if destination == MessageState.deleted else None,
        "version": version + 1,
        "state_changed_at": now,
    }
    if destination == MessageState.published and message.published_at is None:
        values["published_at"] = now
    if action == "reject":
        values["reject_reason"] = reason
    result = session.exec(
        update(Message)
        .where(col(Message.id) == message.id)
        .where(col(Message.version) == version)
        .values(**values)
    )
    if result.rowcount != 1:
        session.rollback()
        raise _conflict()
    session.expire(message)
    if destination == MessageState.published:
        thread.last_activity_at = now
    elif source == MessageState.published:
        # Out of the public's sight: its reports have nothing left to decide.
        reports.settle(
            session, message_id=row_id(message), outcome=ReportOutcome.removed, staff=staff, now=now
        )
    audit.record(
        session,
        action=action,
        staff=staff,
        target=f"message {message.id}",
        from_state=source,
        to_state=destination,
        reason=reason,
    )
    refresh_thread(session, thread)
    return thread


def approve(
    session: Session,
    *,
    settings: Settings,
    links: MailLinks,
    message: Message,
    version: int,
    staff: StaffUser,
    now: dt.datetime | None = None,
    commit: bool = True,
) -> Message:
    """Publish a pending message; the asker is told when it is their question. With
    ``commit=False`` it joins the caller's transaction (approve and answer in one step)."""
    thread = _move(
        session,
        message=message,
        action="approve",
        version=version,
        staff=staff,
        now=now or utcnow(),
    )
    if message.is_question and thread.subscribed:
        private_url, unsubscribe_url = links_for_asker(settings, links, thread)
        mail = mails.published(settings, private_url=private_url, unsubscribe_url=unsubscribe_url)
        send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
    if commit:
        session.commit()
        session.refresh(message)
    return message


def reject(
    session: Session,
    *,
    settings: Settings,
    links: MailLinks,
    message: Message,
    version: int,
    reason: str,
    staff: StaffUser,
    now: dt.datetime | None = None,
) -> Message:
    """Refuse a pending message; the asker receives the reason and their own text."""
    reason = clean(reason)
    if not reason:
        raise RefusedError(
            {"raison": "Indiquez la raison du refus : elle est envoyée à la personne."}
        )
    if len(reason) > REASON_MAX:
        raise RefusedError({"raison": f"La raison ne peut pas dépasser {REASON_MAX} caractères."})
    text = message.body
    thread = _move(
        session,
        message=message,
        action="reject",
        version=version,
        staff=staff,
        reason=reason,
        now=now or utcnow(),
    )
    if thread.subscribed:
        _, unsubscribe_url = links_for_asker(settings, links, thread)
        mail = mails.rejected(
            settings,
            reason=reason,
            text=text,
            ask_url=links.url("questions_ask"),
            unsubscribe_url=unsubscribe_url,
        )
        send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
    session.commit()
    session.refresh(message)
    return message


def change_state(
    session: Session,
    *,
    message: Message,
    action: str,
    version: int,
    staff: StaffUser,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """Mark as spam, hide, republish, delete or restore a message (no e-mail for these)."""
    if action not in {"spam", "hide", "republish", "delete", "restore"}:
        raise NotAllowedError("Action inconnue.")
    reason = clean(reason) if reason else None
    if reason and len(reason) > REASON_MAX:
        raise RefusedError({"raison": f"La raison ne peut pas dépasser {REASON_MAX} caractères."})
    _move(
        session,
        message=message,
        action=action,
        version=version,
        staff=staff,
        reason=reason,
        now=now or utcnow(),
    )
    session.commit()
    session.refresh(message)
    return message


def edit(
    session: Session,
    *,
    message: Message,
    version: int,
    body: str,
    author_name: str,
    staff: StaffUser,
    now: dt.datetime | None = None,
) -> Message:
    """Change a message's text or pseudonym (to remove identifying details); keeps the original."""
    body, author_name = clean(body), clean(author_name)
    errors: dict[str, str] = {}
    maximum = ANSWER_MAX if message.author == Author.professional else QUESTION_MAX
    if not body:
        errors["texte"] = "Le texte ne peut pas être vide."
    elif len(body) > maximum:
        errors["texte"] = f"Le texte ne peut pas dépasser {length_text(maximum)} caractères."
    if message.author == Author.asker and not author_name:
        errors["pseudo"] = "Le pseudo ne peut pas être vide."
    elif len(author_name) > PSEUDONYM_MAX:
        errors["pseudo"] = f"Le pseudo ne peut pas dépasser {PSEUDONYM_MAX} caractères."
    if errors:
        raise RefusedError(errors)
    if message.version != version:
        raise _conflict()
    if body == message.body and author_name == message.author_name:
        return message
    session.add(
        MessageRevision(
            message_id=row_id(message),
            body=message.body,
            author_name=message.author_name,
            staff_id=staff.id,
            created_at=now or utcnow(),
        )
    )
    result = session.exec(
        update(Message)
        .where(col(Message.id) == message.id)
        .where(col(Message.version) == version)
        .values(body=body, author_name=author_name, version=version + 1, body_hash=text_hash(body))
    )
    if result.rowcount != 1:
        session.rollback()
        raise _conflict()
    public_changed(session)
    session.expire(message)
    thread = session.get(Thread, message.thread_id)
    assert thread is not None
    index_thread(session, thread)
    audit.record(
        session,
        action="edit",
        staff=staff,
        target=f"message {message.id}",
        from_state=message.state,
        to_state=message.state,
    )
    session.commit()
    session.refresh(message)
    return message


def remove_reported(
    session: Session,
    *,
    message: Message,
    version: int,
    staff: StaffUser,
    now: dt.datetime | None = None,
) -> Message:
    """ "Retirer le message" from the work queue: hide it, with its reports' reasons in the
    audit line; hiding settles the reports in the same transaction."""
    return change_state(
        session,
        message=message,
        action="hide",
        version=version,
        staff=staff,
        reason=reports.summary(session, message=message),
        now=now,
    )
