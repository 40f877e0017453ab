"""Question threads: a young person's question, the answers and the replies, and their history.

States of a message::

    pending ─► published ─► hidden ─► published
       │
       ├─► rejected
       └─► spam
    any ─► deleted ─► (restored to the state it had) or purged after N days

States of a thread::

    awaiting_answer ─► answered ─► (the asker replies) awaiting_answer … ─► closed after N idle days
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow

PSEUDONYM_MAX = 40
QUESTION_MIN = 15
QUESTION_MAX = 3000
REPLY_MAX = 3000
ANSWER_MAX = 10000
REASON_MAX = 500
REPORT_TEXT_MAX = 300
EMAIL_MAX = 254
ANONYMOUS = "Anonyme"


class MessageState(StrEnum):
    pending = "pending"
    published = "published"
    rejected = "rejected"
    spam = "spam"
    hidden = "hidden"
    deleted = "deleted"


class ThreadState(StrEnum):
    awaiting_answer = "awaiting_answer"
    answered = "answered"
    closed = "closed"


class Author(StrEnum):
    asker = "asker"
    professional = "professional"


class ReportReason(StrEnum):
    inappropriate = "inappropriate"
    personal_data = "personal_data"
    wrong_information = "wrong_information"
    spam = "spam"
    other = "other"


class ReportOutcome(StrEnum):
    removed = "removed"
    kept = "kept"


MESSAGE_STATE_LABELS = {
    MessageState.pending: "En attente de relecture",
    MessageState.published: "Publié",
    MessageState.rejected: "Refusé",
    MessageState.spam: "Indésirable",
    MessageState.hidden: "Masqué",
    MessageState.deleted: "Supprimé",
}
# In the order the report form offers them.
REPORT_REASON_LABELS = {
    ReportReason.inappropriate: "Contenu inapproprié ou insultant",
    ReportReason.personal_data: "Des données personnelles sont visibles",
    ReportReason.wrong_information: "Information fausse ou dépassée",
    ReportReason.spam: "Publicité ou spam",
    ReportReason.other: "Autre chose",
}
THREAD_STATE_LABELS = {
    ThreadState.awaiting_answer: "En attente de réponse",
    ThreadState.answered: "Répondu",
    ThreadState.closed: "Fermé",
}


class Thread(SQLModel, table=True):
    """A question and everything said under it; the asker reaches it through a private link."""

    __tablename__ = "question_thread"

    id: int | None = Field(default=None, primary_key=True)
    # None for a general question asked on /questions.
    fiche_slug: str | None = Field(default=None, max_length=120, index=True)
    state: ThreadState = Field(default=ThreadState.awaiting_answer, sa_type=String(20))
    # True while the question itself is published: only such threads appear on public pages.
    is_public: bool = Field(default=False, index=True)
    # Never shown anywhere; erased when the asker deletes the question or after the retention time.
    asker_email: str | None = Field(default=None, max_length=EMAIL_MAX)
    subscribed: bool = Field(default=True)
    # The private link is an HMAC of this seed (see private_link.private_token); only its hash is
    # looked up, so the table alone does not give anyone the links.
    token_seed: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    last_activity_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    closed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    email_erased_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    deleted_by_asker_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # While the thread awaits an answer: when the oldest message still unanswered was written
    # (the question, or the asker's first reply after the latest answer). The work queue's order.
    waiting_since: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # A professional's first published answer (even if hidden since) and who wrote it: the
    # dashboard's time to first answer, read without looking through every thread's messages.
    first_answer_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # A copy of that message's staff_id (the message keeps the reference to the account).
    first_answer_by: int | None = Field(default=None)


class Message(SQLModel, table=True):
    """The question (no parent), a professional's answer, or the asker's reply."""

    __tablename__ = "question_message"
    # For the dashboard's aggregates (app/questions/dashboard.py): each covers its query.
    __table_args__ = (
        Index("ix_question_message_questions", "parent_id", "created_at", "state", "thread_id"),
        Index(
            "ix_question_message_thread_answers", "thread_id", "author", "published_at", "staff_id"
        ),
        Index("ix_question_message_published", "author", "published_at", "staff_id", "thread_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="question_thread.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="question_message.id")
    depth: int = Field(default=0)
    author: Author = Field(sa_type=String(20))
    # The asker's pseudonym ("Anonyme" once they delete); empty for a professional's answer,
    # which is signed with the organisation's name.
    author_name: str = Field(default="", max_length=PSEUDONYM_MAX)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    body: str = Field(max_length=ANSWER_MAX)
    # Hash of the normalised text, to refuse an exact duplicate within a day.
    body_hash: str = Field(max_length=64, index=True)
    state: MessageState = Field(default=MessageState.pending, sa_type=String(20), index=True)
    previous_state: MessageState | None = Field(default=None, sa_type=String(20))
    # Raised on every change: a moderator's form carries the version it was shown, so two
    # moderators cannot overwrite each other's decision.
    version: int = Field(default=1)
    reject_reason: str | None = Field(default=None, max_length=REASON_MAX)
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True
    )
    state_changed_at: dt.datetime = Field(
        default_factory=utcnow, sa_type=UTCDateTime, nullable=False
    )
    published_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_question(self) -> bool:
        return self.parent_id is None


class MessageRevision(SQLModel, table=True):
    """The text of a message before a moderator edited it: kept privately, for the staff."""

    __tablename__ = "question_message_revision"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="question_message.id", index=True)
    body: str = Field(max_length=ANSWER_MAX)
    author_name: str = Field(default="", max_length=PSEUDONYM_MAX)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Claim(SQLModel, table=True):
    """ "Je m'en occupe": a professional took a thread; it lapses after ``claim_minutes``
    without an answer, when they answer, or when they give it back."""

    __tablename__ = "question_claim"

    thread_id: int = Field(foreign_key="question_thread.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    claimed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class CannedReply(SQLModel, table=True):
    """A "réponse type": a title and a Markdown text a professional inserts into an answer;
    its placeholders are filled when the answer is published (``app.questions.canned``)."""

    __tablename__ = "canned_reply"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    body: str = Field(max_length=ANSWER_MAX)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Set when retired: no longer offered, kept for the audit log and can be offered again.
    retired_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class PublicChange(SQLModel, table=True):
    """One row whose version goes up whenever something public in the threads changes.

    Pages cache their rendered threads per version: a worker sees a change made by another
    at its next request, for the price of reading one integer.
    """

    __tablename__ = "question_public_change"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(default=1)


class FormUse(SQLModel, table=True):
    """A public form that was sent and stored: its one-time key, so that a double-click or a
    resent page stores the post once. Kept until the form's key expires anyway."""

    __tablename__ = "question_form_use"

    nonce: str = Field(primary_key=True, max_length=32)
    used_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Report(SQLModel, table=True):
    """A reader's report of a published message ("Signaler ce message"). Nothing about who sent
    it is stored: the rate limit counts a keyed hash of the address in ``rate_counter``."""

    __tablename__ = "question_report"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="question_message.id", index=True)
    reason: ReportReason = Field(sa_type=String(20))
    text: str = Field(default="", max_length=REPORT_TEXT_MAX)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Set when the staff removed the message or kept it: the report leaves the work queue.
    resolved_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    outcome: ReportOutcome | None = Field(default=None, sa_type=String(20))
    resolved_by: int | None = Field(default=None, foreign_key="staff_user.id")
