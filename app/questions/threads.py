"""A thread's rows and derived state: its question, its latest published message, where a reply
goes, and the one rule that derives a thread's visibility and state from its messages (with the
counter of public changes that the page cache watches)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app.questions.errors import NotAllowedError
from app.questions.indexing import index_thread
from app.questions.models import (
    Author,
    Message,
    MessageState,
    PublicChange,
    Thread,
    ThreadState,
)

MAX_DEPTH = 2  # the question is 0: three levels in all


def row_id(row: Message | Thread) -> int:
    """The id of a row that is already stored."""
    assert row.id is not None
    return row.id


def question_row(session: Session, thread: Thread) -> Message:
    """The thread's first message: the question."""
    return session.exec(
        select(Message)
        .where(col(Message.thread_id) == thread.id)
        .where(col(Message.parent_id).is_(None))
    ).one()


def latest_published(
    session: Session, thread: Thread, author: Author | None = None
) -> Message | None:
    query = (
        select(Message)
        .where(col(Message.thread_id) == thread.id)
        .where(col(Message.state) == MessageState.published)
    )
    if author is not None:
        query = query.where(col(Message.author) == author)
    return session.exec(
        query.order_by(col(Message.created_at).desc(), col(Message.id).desc())
    ).first()


def reply_parent(
    session: Session, *, thread: Thread, parent_id: int | None, default_author: Author | None
) -> Message:
    """The published message a new reply answers; refuses closed threads and unpublished ones."""
    if thread.state == ThreadState.closed:
        raise NotAllowedError(
            "Cette conversation est fermée : on ne peut plus y répondre. "
            "Tu peux poser une nouvelle question."
        )
    if not thread.is_public:
        raise NotAllowedError(
            "Cette question n'est pas publiée : on ne peut pas encore y répondre."
        )
    parent = (
        session.get(Message, parent_id)
        if parent_id is not None
        else latest_published(session, thread, default_author) or latest_published(session, thread)
    )
    if parent is None or parent.thread_id != thread.id:
        raise NotAllowedError("Ce message n'existe pas dans cette conversation.")
    if parent.state != MessageState.published:
        raise NotAllowedError("Ce message n'est pas publié : on ne peut pas y répondre.")
    return parent


def placement(parent: Message) -> tuple[int | None, int]:
    """Where a reply to ``parent`` goes: under it, or beside it once three levels are reached."""
    if parent.depth >= MAX_DEPTH:
        return parent.parent_id, parent.depth
    return parent.id, parent.depth + 1


def public_version(session: Session) -> int:
    """Goes up at each change of what the public pages show (see ``PublicChange``)."""
    return session.exec(select(PublicChange.version).where(col(PublicChange.id) == 1)).first() or 0


class _LocalChanges:
    """Counts this process's public changes, so that its own pages never wait for a re-read."""

    count = 0


def local_changes() -> int:
    return _LocalChanges.count


def public_changed(session: Session) -> None:
    _LocalChanges.count += 1
    session.exec(
        update(PublicChange)
        .where(col(PublicChange.id) == 1)
        .values(version=col(PublicChange.version) + 1)
    )


def refresh_thread(session: Session, thread: Thread) -> None:
    """Derive the thread's visibility and state from its messages (one rule, one place)."""
    public_changed(session)
    session.flush()
    question = question_row(session, thread)
    thread.is_public = question.state == MessageState.published
    if thread.state != ThreadState.closed:
        latest = latest_published(session, thread)
        answered = latest is not None and latest.author == Author.professional
        thread.state = ThreadState.answered if answered else ThreadState.awaiting_answer
    thread.waiting_since = _waiting_since(session, thread)
    thread.first_answer_at, thread.first_answer_by = _first_answer(session, thread)
    session.add(thread)
    index_thread(session, thread)


def _first_answer(session: Session, thread: Thread) -> tuple[dt.datetime | None, int | None]:
    """When a professional's message of the thread was first published (hidden since or not),
    and by whom: the dashboard's time to first answer."""
    first = session.exec(
        select(Message.published_at, Message.staff_id)
        .where(col(Message.thread_id) == thread.id)
        .where(col(Message.author) == Author.professional)
        .where(col(Message.published_at).is_not(None))
        .order_by(col(Message.published_at), col(Message.id))
        .limit(1)
    ).first()
    return (first[0], first[1]) if first is not None else (None, None)


def _waiting_since(session: Session, thread: Thread) -> dt.datetime | None:
    """When the oldest of the asker's published messages that no answer follows was written."""
    if thread.state != ThreadState.awaiting_answer or not thread.is_public:
        return None
    last_answer = latest_published(session, thread, Author.professional)
    query = (
        select(func.min(Message.created_at))
        .where(col(Message.thread_id) == thread.id)
        .where(col(Message.author) == Author.asker)
        .where(col(Message.state) == MessageState.published)
    )
    if last_answer is not None:
        query = query.where(col(Message.created_at) > last_answer.created_at)
    found = session.exec(query).one()
    return found
