"""Reading threads: the public lists and pages, and the staff's queue and lists."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from app.config import Settings
from app.questions.fiches import fiche_title
from app.questions.models import (
    Author,
    Message,
    MessageRevision,
    MessageState,
    Thread,
    ThreadState,
)
from app.questions.threads import latest_published
from app.questions.tree import Node, build_tree, count_shown, is_public, messages_of
from app.staff.models import StaffUser

PER_PAGE = 10


@dataclass
class ThreadView:
    thread: Thread
    root: Node
    shown_count: int
    fiche_title: str | None = None

    @property
    def excerpt(self) -> str:
        """The start of the question, cut at a word: the thread's title in lists."""
        return excerpt(self.root.message.body)


def excerpt(text: str, length: int = 110) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",;:.!?")
    return f"{cut}…"


@dataclass
class ThreadPage:
    """One page of the public threads of a fiche (or of the general questions)."""

    fiche_slug: str | None
    total: int
    page: int
    pages: int
    threads: list[ThreadView]


def thread_list(
    session: Session,
    *,
    fiche_slug: str | None,
    page: int = 1,
    per_page: int = PER_PAGE,
    settings: Settings | None = None,
) -> ThreadPage:
    """The public threads of a fiche (None: every public thread, each naming its fiche when
    ``settings`` are given), newest first, paginated."""
    where: list[ColumnElement[bool]] = [col(Thread.is_public).is_(True)]
    if fiche_slug:
        where.append(col(Thread.fiche_slug) == fiche_slug)
    total = session.exec(select(func.count()).select_from(Thread).where(*where)).one()
    pages = max(1, -(-total // per_page))
    page = max(1, page)
    threads = session.exec(
        select(Thread)
        .where(*where)
        .order_by(col(Thread.created_at).desc(), col(Thread.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    grouped = messages_of(session, (t.id for t in threads if t.id is not None))
    views = []
    for thread in threads:
        assert thread.id is not None
        root = build_tree(grouped[thread.id], is_public)
        if root is not None:
            title = (
                fiche_title(settings, thread.fiche_slug) if settings and not fiche_slug else None
            )
            views.append(
                ThreadView(
                    thread=thread, root=root, shown_count=count_shown(root), fiche_title=title
                )
            )
    return ThreadPage(fiche_slug=fiche_slug, total=total, page=page, pages=pages, threads=views)


def thread_view(
    session: Session,
    *,
    settings: Settings,
    thread: Thread,
    shown: Callable[[Message], bool] = is_public,
) -> ThreadView | None:
    """One thread as a tree of the messages ``shown`` picks (public ones by default)."""
    assert thread.id is not None
    root = build_tree(messages_of(session, [thread.id])[thread.id], shown)
    if root is None:
        return None
    return ThreadView(
        thread=thread,
        root=root,
        shown_count=count_shown(root),
        fiche_title=fiche_title(settings, thread.fiche_slug),
    )


def seen_by_asker(message: Message) -> bool:
    """The asker sees their pending, refused and hidden messages too, marked as such."""
    return message.state not in (MessageState.spam, MessageState.deleted)


def seen_by_staff(_message: Message) -> bool:
    return True


def can_reply(thread: Thread) -> bool:
    return thread.is_public and thread.state != ThreadState.closed


# --- Staff lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    message: Message
    thread: Thread


def moderation_queue(session: Session, *, limit: int = 200) -> list[QueueItem]:
    """Pending messages, oldest first."""
    rows = session.exec(
        select(Message, Thread)
        .join(Thread, col(Thread.id) == col(Message.thread_id))
        .where(col(Message.state) == MessageState.pending)
        .order_by(col(Message.created_at), col(Message.id))
        .limit(limit)
    ).all()
    return [QueueItem(message=message, thread=thread) for message, thread in rows]


@dataclass(frozen=True)
class StaffThreadRow:
    thread: Thread
    question: Message


def staff_threads(
    session: Session, *, state: ThreadState | None, limit: int = 200
) -> list[StaffThreadRow]:
    """Threads for the staff: awaiting an answer (oldest activity first), or any state."""
    query = (
        select(Thread, Message)
        .join(Message, col(Message.thread_id) == col(Thread.id))
        .where(col(Message.parent_id).is_(None))
    )
    if state is not None:
        query = query.where(col(Thread.state) == state).where(col(Thread.is_public).is_(True))
        query = query.order_by(col(Thread.last_activity_at), col(Thread.id))
    else:
        query = query.order_by(col(Thread.last_activity_at).desc(), col(Thread.id).desc())
    rows = session.exec(query.limit(limit)).all()
    return [StaffThreadRow(thread=thread, question=question) for thread, question in rows]


def revisions(session: Session, *, message: Message) -> list[MessageRevision]:
    """Earlier texts of a message, newest first (staff only)."""
    return list(
        session.exec(
            select(MessageRevision)
            .where(col(MessageRevision.message_id) == message.id)
            .order_by(col(MessageRevision.id).desc())
        ).all()
    )


def staff_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(StaffUser).where(col(StaffUser.id).in_(wanted))).all()
    return {user.id: user.display_name for user in rows if user.id is not None}


def default_parent(session: Session, *, thread: Thread, author: Author | None) -> Message | None:
    """The message a reply form answers when none is picked: the latest published one."""
    return latest_published(session, thread, author) or latest_published(session, thread)
