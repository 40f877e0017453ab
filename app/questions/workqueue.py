"""The staff's work queue: everything waiting on them, oldest first, and who took what.

Five kinds of work: a question to moderate, an asker's reply to moderate, a message reported by a
reader (``reports``; several reports of one message are one item), a question to answer, and an
asker's follow-up (a reply after an answer). A moderator sees the first three, a professional
the last two, someone with both roles all of them. The age is counted in Belgian
working days (``workdays``); past ``usual_answer_days`` an item is late.

"Je m'en occupe" writes a ``Claim``; it lapses ``claim_minutes`` after it was taken, and is
dropped when the thread is answered or when its holder gives it back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete as sql_delete
from sqlmodel import Session, col, func, select

from app.config import Settings
from app.db import utcnow
from app.questions import reports
from app.questions.errors import NotAllowedError
from app.questions.fiches import fiche_title
from app.questions.models import (
    Author,
    Claim,
    Message,
    MessageState,
    Thread,
    ThreadState,
)
from app.questions.reports import Reported
from app.questions.threads import row_id
from app.questions.workdays import working_days_between
from app.staff import audit
from app.staff.models import Role, StaffUser
from app.templating import BELGIUM


class Kind(StrEnum):
    moderate_question = "moderate_question"
    moderate_reply = "moderate_reply"
    reported = "reported"
    answer = "answer"
    follow_up = "follow_up"


KIND_LABELS = {
    Kind.moderate_question: "Question à modérer",
    Kind.moderate_reply: "Réponse du demandeur à modérer",
    Kind.reported: "Message signalé",
    Kind.answer: "Question à répondre",
    Kind.follow_up: "Relance du demandeur",
}
MODERATION = frozenset({Kind.moderate_question, Kind.moderate_reply, Kind.reported})


@dataclass(frozen=True)
class WorkItem:
    kind: Kind
    thread: Thread
    # The pending message, or the thread's question for an answer or a follow-up.
    message: Message
    since: dt.datetime
    age_days: int
    late: bool
    fiche_title: str | None
    claimed_by: str | None = None
    claimed_by_id: int | None = None
    report: Reported | None = None

    @property
    def is_follow_up(self) -> bool:
        return self.kind in (Kind.follow_up, Kind.moderate_reply)

    @property
    def author(self) -> str:
        """Who wrote the message: the asker's pseudonym, or a professional (signed by the
        organisation)."""
        return self.message.author_name or "Réponse d'un professionnel"


@dataclass(frozen=True)
class WorkQueue:
    items: list[WorkItem]
    total: int


def age_in_working_days(since: dt.datetime, now: dt.datetime) -> int:
    """Working days between two moments, each taken as its day in Belgium."""
    return working_days_between(since.astimezone(BELGIUM).date(), now.astimezone(BELGIUM).date())


def kinds_for(staff: StaffUser) -> frozenset[Kind]:
    kinds: set[Kind] = set()
    if staff.has_role(Role.moderator):
        kinds |= MODERATION
    if staff.has_role(Role.professional):
        kinds |= {Kind.answer, Kind.follow_up}
    return frozenset(kinds)


def _claim_cutoff(settings: Settings, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=settings.claim_minutes)


def active_claims(
    session: Session, *, settings: Settings, thread_ids: list[int], now: dt.datetime
) -> dict[int, tuple[int, str, dt.datetime]]:
    """thread id -> (staff id, name, since) for the claims still running."""
    if not thread_ids:
        return {}
    rows = session.exec(
        select(Claim, StaffUser)
        .join(StaffUser, col(StaffUser.id) == col(Claim.staff_id))
        .where(col(Claim.thread_id).in_(thread_ids))
        .where(col(Claim.claimed_at) > _claim_cutoff(settings, now))
    ).all()
    return {
        claim.thread_id: (claim.staff_id, user.display_name, claim.claimed_at)
        for claim, user in rows
    }


def work_queue(
    session: Session,
    *,
    settings: Settings,
    staff: StaffUser,
    now: dt.datetime | None = None,
    limit: int = 50,
) -> WorkQueue:
    """The first ``limit`` items waiting on ``staff``'s roles, oldest first, and how many wait."""
    now = now or utcnow()
    kinds = kinds_for(staff)
    found: list[tuple[Kind, Thread, Message, dt.datetime]] = []
    reported: dict[int, Reported] = {}
    total = 0
    if Kind.reported in kinds:
        total += reports.waiting_count(session)
        for item in reports.waiting(session, limit=limit):
            reported[row_id(item.message)] = item
            found.append((Kind.reported, item.thread, item.message, item.since))
    if kinds & {Kind.moderate_question, Kind.moderate_reply}:
        pending = col(Message.state) == MessageState.pending
        total += session.exec(select(func.count()).select_from(Message).where(pending)).one()
        rows = session.exec(
            select(Message, Thread)
            .join(Thread, col(Thread.id) == col(Message.thread_id))
            .where(pending)
            .order_by(col(Message.created_at), col(Message.id))
            .limit(limit)
        ).all()
        for message, thread in rows:
            kind = Kind.moderate_question if message.is_question else Kind.moderate_reply
            found.append((kind, thread, message, message.created_at))
    if kinds & {Kind.answer, Kind.follow_up}:
        waiting = [
            col(Thread.state) == ThreadState.awaiting_answer,
            col(Thread.is_public).is_(True),
            col(Thread.waiting_since).is_not(None),
        ]
        total += session.exec(select(func.count()).select_from(Thread).where(*waiting)).one()
        threads = session.exec(
            select(Thread)
            .where(*waiting)
            .order_by(col(Thread.waiting_since), col(Thread.id))
            .limit(limit)
        ).all()
        ids = [t.id for t in threads if t.id is not None]
        questions = {
            m.thread_id: m
            for m in session.exec(
                select(Message)
                .where(col(Message.thread_id).in_(ids))
                .where(col(Message.parent_id).is_(None))
            ).all()
        }
        answered = set(
            session.exec(
                select(Message.thread_id)
                .where(col(Message.thread_id).in_(ids))
                .where(col(Message.author) == Author.professional)
                .where(col(Message.state) == MessageState.published)
                .distinct()
            ).all()
        )
        for thread in threads:
            assert thread.id is not None and thread.waiting_since is not None
            kind = Kind.follow_up if thread.id in answered else Kind.answer
            found.append((kind, thread, questions[thread.id], thread.waiting_since))
    found.sort(key=lambda f: (f[3], f[2].id or 0))
    found = found[:limit]
    claims = active_claims(
        session, settings=settings, thread_ids=[f[1].id for f in found if f[1].id], now=now
    )
    items = []
    for kind, thread, message, since in found:
        age = age_in_working_days(since, now)
        # A claim is for answering a thread, not for a report in it.
        holder = claims.get(thread.id or 0) if kind != Kind.reported else None
        items.append(
            WorkItem(
                kind=kind,
                thread=thread,
                message=message,
                since=since,
                age_days=age,
                late=age > settings.usual_answer_days,
                fiche_title=fiche_title(settings, thread.fiche_slug),
                claimed_by=holder[1] if holder else None,
                claimed_by_id=holder[0] if holder else None,
                report=reported.get(row_id(message)) if kind == Kind.reported else None,
            )
        )
    return WorkQueue(items=items, total=total)


def next_item(
    session: Session,
    *,
    settings: Settings,
    staff: StaffUser,
    skip_thread: int | None = None,
    now: dt.datetime | None = None,
) -> WorkItem | None:
    """The oldest item ``staff`` can take next: not in ``skip_thread``, not taken by another."""
    for item in work_queue(session, settings=settings, staff=staff, now=now).items:
        if item.thread.id == skip_thread:
            continue
        if item.claimed_by_id not in (None, staff.id):
            continue
        return item
    return None


# --- "Je m'en occupe" ---------------------------------------------------------------------------


def claim_of(
    session: Session, *, settings: Settings, thread: Thread, now: dt.datetime | None = None
) -> tuple[int, str, dt.datetime] | None:
    """(staff id, name, since) of whoever took ``thread``, while the claim runs."""
    assert thread.id is not None
    now = now or utcnow()
    return active_claims(session, settings=settings, thread_ids=[thread.id], now=now).get(thread.id)


def take(
    session: Session,
    *,
    settings: Settings,
    thread: Thread,
    staff: StaffUser,
    now: dt.datetime | None = None,
) -> None:
    """``staff`` takes ``thread``; refused while someone else's claim runs. Audited."""
    now = now or utcnow()
    holder = claim_of(session, settings=settings, thread=thread, now=now)
    if holder is not None and holder[0] != staff.id:
        raise NotAllowedError(
            f"{holder[1]} s'en occupe déjà. Attendez sa réponse, ou demandez-lui de "
            "libérer la question."
        )
    session.exec(sql_delete(Claim).where(col(Claim.thread_id) == thread.id))
    assert thread.id is not None and staff.id is not None
    session.add(Claim(thread_id=thread.id, staff_id=staff.id, claimed_at=now))
    audit.record(session, action="claim", staff=staff, target=f"fil {thread.id}")
    session.commit()


def give_back(session: Session, *, thread: Thread, staff: StaffUser) -> None:
    """Drop the claim on ``thread`` (its holder, or anyone once it lapsed). Audited."""
    removed = session.exec(sql_delete(Claim).where(col(Claim.thread_id) == thread.id))
    if removed.rowcount:
        audit.record(session, action="release", staff=staff, target=f"fil {thread.id}")
    session.commit()


def last_message_id(session: Session, thread: Thread) -> int:
    """The newest message of ``thread``: an answer form remembers what its writer saw."""
    found = session.exec(
        select(func.max(Message.id)).where(col(Message.thread_id) == thread.id)
    ).one()
    return found or 0


def answer_warnings(
    session: Session,
    *,
    settings: Settings,
    thread: Thread,
    staff: StaffUser,
    seen_last_id: int,
    seen_holder: int | None,
    now: dt.datetime | None = None,
) -> list[str]:
    """What changed since ``staff`` opened the answer form and that they must know before
    publishing: a colleague answered meanwhile, or a colleague took the question."""
    warnings = []
    names = dict(
        session.exec(
            select(StaffUser.id, StaffUser.display_name)
            .join(Message, col(Message.staff_id) == col(StaffUser.id))
            .where(col(Message.thread_id) == thread.id)
            .where(col(Message.id) > seen_last_id)
            .where(col(Message.author) == Author.professional)
            .where(col(Message.state) == MessageState.published)
            .where(col(Message.staff_id) != staff.id)
        ).all()
    )
    for name in sorted(set(names.values())):
        warnings.append(
            f"{name} a publié une réponse dans ce fil pendant que vous écriviez. "
            "Relisez-la ci-dessus : si la vôtre reste utile, publiez-la à nouveau."
        )
    holder = claim_of(session, settings=settings, thread=thread, now=now)
    if holder is not None and holder[0] != staff.id and holder[0] != seen_holder:
        warnings.append(
            f"{holder[1]} s'occupe de cette question depuis {_clock(holder[2])}. "
            "Voyez avec elle ou lui ; si votre réponse reste utile, publiez-la à nouveau."
        )
    return warnings


def _clock(moment: dt.datetime) -> str:
    local = moment.astimezone(BELGIUM)
    return f"{local.hour}\u00a0h\u00a0{local.minute:02d}"
