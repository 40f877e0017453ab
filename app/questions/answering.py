"""A professional answers in a thread: the answer checked, published under the organisation's
name with its audit line, and the asker told; the answer form's preview and insertion."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup
from sqlalchemy import delete as sql_delete
from sqlmodel import Session, col

from app.config import Settings
from app.db import utcnow
from app.questions import mails, moderation
from app.questions.errors import RefusedError
from app.questions.forms import clean, length_text, text_hash
from app.questions.mails import MailLinks
from app.questions.models import (
    ANSWER_MAX,
    Author,
    Claim,
    Message,
    MessageState,
    Thread,
)
from app.questions.private_link import links_for_asker, send_to_asker
from app.questions.threads import placement, question_row, refresh_thread, reply_parent
from app.questions.tree import answer_html
from app.staff import audit
from app.staff.models import StaffUser


def answer_problems(body: str) -> dict[str, str]:
    """Why a professional's answer cannot be published, or nothing."""
    body = clean(body)
    if not body:
        return {"reponse": "Écrivez votre réponse."}
    if len(body) > ANSWER_MAX:
        return {"reponse": f"La réponse ne peut pas dépasser {length_text(ANSWER_MAX)} caractères."}
    return {}


def answer(
    session: Session,
    *,
    settings: Settings,
    links: MailLinks,
    thread: Thread,
    parent_id: int | None,
    body: str,
    staff: StaffUser,
    approve_version: int | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """A professional's answer, published at once under the organisation's name; tells the asker.

    With ``approve_version``, the thread's pending question is published first (a moderator's
    "publish and answer"): both, their audit lines and e-mails are one transaction, and nothing
    is stored when the answer is refused.
    """
    now = now or utcnow()
    body = clean(body)
    problems = answer_problems(body)
    if problems:
        raise RefusedError(problems)
    if approve_version is not None:
        moderation.approve(
            session,
            settings=settings,
            links=links,
            message=question_row(session, thread),
            version=approve_version,
            staff=staff,
            now=now,
            commit=False,
        )
    parent = reply_parent(session, thread=thread, parent_id=parent_id, default_author=Author.asker)
    parent_place, depth = placement(parent)
    message = Message(
        thread_id=parent.thread_id,
        parent_id=parent_place,
        depth=depth,
        author=Author.professional,
        staff_id=staff.id,
        body=body,
        body_hash=text_hash(body),
        state=MessageState.published,
        created_at=now,
        state_changed_at=now,
        published_at=now,
    )
    session.add(message)
    thread.last_activity_at = now
    session.add(thread)
    session.flush()
    session.exec(sql_delete(Claim).where(col(Claim.thread_id) == thread.id))
    audit.record(
        session,
        action="answer",
        staff=staff,
        target=f"message {message.id}",
        to_state=MessageState.published,
    )
    refresh_thread(session, thread)
    if thread.subscribed:
        private_url, unsubscribe_url = links_for_asker(settings, links, thread)
        mail = mails.answered(settings, private_url=private_url, unsubscribe_url=unsubscribe_url)
        send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
    session.commit()
    session.refresh(message)
    return message


def markdown_preview(body: str) -> Markup:
    """The HTML an answer will have once published."""
    return answer_html(clean(body))


def with_inserted(text: str, snippet: str) -> str:
    """``text`` with ``snippet`` added at its end (the answer form's insertion, without JS)."""
    text = text.rstrip()
    if not text:
        return snippet
    return f"{text}\n\n{snippet}" if "\n" in snippet else f"{text} {snippet}"
