"""Everything that happens to a question thread, as plain functions with keyword arguments.

Routes read the request and pick a template; these functions check, change and read the
threads. A change commits its own transaction together with its audit line and its e-mails.

Reply moderation: the asker's reply is published at once when the thread is already answered
(a moderator accepted their question and a professional is talking with them); otherwise it
waits for a moderator like the question did. Moderators can still hide or edit it afterwards.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import html
import re
import secrets
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, Signer, URLSafeSerializer
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import delete as sql_delete
from sqlalchemy import update
from sqlmodel import Session, col, func, select

from app import ratelimit
from app.config import Settings
from app.db import one_writer, utcnow
from app.mail import OutgoingMail, queue_mail
from app.questions import mails
from app.questions.mails import MailLinks
from app.questions.models import (
    ANONYMOUS,
    ANSWER_MAX,
    EMAIL_MAX,
    PSEUDONYM_MAX,
    QUESTION_MAX,
    QUESTION_MIN,
    REASON_MAX,
    REPLY_MAX,
    Author,
    Message,
    MessageRevision,
    MessageState,
    PublicChange,
    Thread,
    ThreadState,
)
from app.search import index as search_index
from app.search.models import EntryKind
from app.staff import audit
from app.staff.models import StaffUser
from app.templating import plain_text

MAX_DEPTH = 2  # the question is 0: three levels in all
MAX_LINKS = 2
PER_PAGE = 10
DUPLICATE_WINDOW = dt.timedelta(days=1)
POSTING_WINDOW = dt.timedelta(hours=1)
SEND_FIELD = "envoi"  # the key of errors about the whole form (the submit button's id)

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
INVALID_EMAIL = "Indique une adresse e-mail valable, comme prenom@exemple.be."
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class RefusedError(Exception):
    """A post that cannot be accepted; ``errors`` maps each field to its message in French."""

    def __init__(self, errors: dict[str, str], status_code: int = 400) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.status_code = status_code


class NotAllowedError(Exception):
    """An action that the current state does not allow (message in French)."""


class ConflictError(Exception):
    """Someone else changed the message since the form was shown."""


# --- Reading and checking what a visitor typed --------------------------------------------------


def clean(text: str) -> str:
    """The text as typed, with Windows line breaks unified and outer blanks removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def text_hash(text: str) -> str:
    """Equal for texts that differ only by case and spacing (an exact duplicate)."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def _id(row: Message | Thread) -> int:
    """The id of a row that is already stored."""
    assert row.id is not None
    return row.id


def _length(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f")


def body_problem(body: str, *, minimum: int, maximum: int, what: str) -> str | None:
    """Why a question or reply text is refused, or None."""
    if not body:
        return f"Écris {what}."
    if len(body) < minimum:
        return (
            f"{what[0].upper()}{what[1:]} est trop courte : "
            f"explique un peu ta situation ({minimum} caractères au moins)."
        )
    if len(body) > maximum:
        return (
            f"Ton texte ne peut pas dépasser {_length(maximum)} caractères "
            f"(il en compte {_length(len(body))}). Raccourcis-le."
        )
    if len(LINK.findall(body)) > MAX_LINKS:
        return f"Ton texte contient trop de liens : {MAX_LINKS} au maximum."
    if EMAIL_IN_TEXT.search(body):
        return "N'écris pas d'adresse e-mail dans ton texte : il sera publié."
    return None


def normalised_email(email: str) -> str | None:
    """The address in a canonical form, or None when it is not a valid address."""
    if not email or len(email) > EMAIL_MAX:
        return None
    try:
        valid = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return None
    return valid.normalized.lower()


def question_problems(*, pseudonym: str, email: str, body: str, consent: bool) -> dict[str, str]:
    """Each field's problem, in the form's order; empty when the question can be sent."""
    errors: dict[str, str] = {}
    if not pseudonym:
        errors["pseudo"] = "Indique un pseudo (pas ton vrai nom)."
    elif len(pseudonym) > PSEUDONYM_MAX:
        errors["pseudo"] = f"Ton pseudo ne peut pas dépasser {PSEUDONYM_MAX} caractères."
    elif "@" in pseudonym or LINK.search(pseudonym):
        errors["pseudo"] = "Ton pseudo ne peut contenir ni adresse e-mail ni lien : il est publié."
    if not email:
        errors["email"] = "Indique ton adresse e-mail : nous y envoyons ton lien de suivi."
    elif normalised_email(email) is None:
        errors["email"] = INVALID_EMAIL
    problem = body_problem(body, minimum=QUESTION_MIN, maximum=QUESTION_MAX, what="ta question")
    if problem:
        errors["question"] = problem
    if not consent:
        errors["consentement"] = (
            "Pour envoyer ta question, accepte la façon dont nous gardons tes données."
        )
    return errors


def reply_problems(*, body: str) -> dict[str, str]:
    problem = body_problem(body, minimum=2, maximum=REPLY_MAX, what="ta réponse")
    return {"message": problem} if problem else {}


# --- Robots: a field people never see, and a minimum time to fill the form ----------------------


def _form_signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key.get_secret_value(), salt="questions-form-started")


def form_started_token(settings: Settings, *, at: float | None = None) -> str:
    """The signed time at which a form was shown, for its hidden ``debut`` field."""
    return _form_signer(settings).sign(f"{at if at is not None else time.time():.3f}").decode()


def robot_problems(
    settings: Settings, *, honeypot: str, started: str, now: float | None = None
) -> dict[str, str]:
    """A filled honeypot, or a form sent faster than a person can."""
    if honeypot:
        return {
            SEND_FIELD: "Ton message n'est pas parti : le champ « Ne pas remplir » ne doit pas "
            "être rempli. Vérifie ton texte, puis envoie à nouveau."
        }
    try:
        shown_at = float(_form_signer(settings).unsign(started).decode())
    except (BadSignature, ValueError):
        shown_at = None
    now = now if now is not None else time.time()
    if shown_at is None or now - shown_at < settings.min_fill_seconds:
        return {
            SEND_FIELD: "Ton message est parti très vite, comme s'il venait d'un robot. "
            "Rien n'est perdu : relis-le, puis envoie-le à nouveau."
        }
    return {}


# --- Fiches: a thread can belong to a fiche of content/fiches/ ----------------------------------


def fiche_file(settings: Settings, slug: str) -> Path | None:
    """The fiche's Markdown file, or None when ``slug`` names no fiche."""
    if not SLUG.match(slug) or len(slug) > 120:
        return None
    path = settings.content_dir / "fiches" / f"{slug}.md"
    return path if path.is_file() else None


@lru_cache(maxsize=256)
def _front_matter_title(path: Path, _mtime: float) -> str | None:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return None
    header = text.split("---", 2)[1]
    try:
        data = yaml.safe_load(header)
    except yaml.YAMLError:
        return None
    title = data.get("title") if isinstance(data, dict) else None
    return str(title) if title else None


def fiche_title(settings: Settings, slug: str | None) -> str | None:
    """The title of the fiche ``slug`` (read from its front matter), or None."""
    path = fiche_file(settings, slug) if slug else None
    return _front_matter_title(path, path.stat().st_mtime) if path else None


# --- Private links ------------------------------------------------------------------------------


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


def _links(settings: Settings, links: MailLinks, thread: Thread) -> tuple[str, str]:
    return (
        links.url("questions_private", token=private_token(settings, thread)),
        links.url("questions_unsubscribe", token=unsubscribe_token(settings, thread)),
    )


def _send_to_asker(
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


# --- Asking and replying ------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    thread: Thread
    question: Message
    token: str


def _check_duplicate(session: Session, *, body_hash: str, now: dt.datetime) -> None:
    duplicate = session.exec(
        select(Message.id)
        .where(col(Message.body_hash) == body_hash)
        .where(col(Message.author) == Author.asker)
        .where(col(Message.created_at) >= now - DUPLICATE_WINDOW)
        .limit(1)
    ).first()
    if duplicate is not None:
        raise RefusedError(
            {
                SEND_FIELD: "Ce texte a déjà été envoyé aujourd'hui : il est bien arrivé, "
                "pas besoin de l'envoyer à nouveau. Tu recevras un e-mail quand il y aura du neuf."
            },
            status_code=409,
        )


def _check_rate(
    session: Session, *, settings: Settings, address: str, email: str, now: dt.datetime
) -> None:
    keys = [
        ratelimit.counter_key(settings, "post-address", address),
        ratelimit.counter_key(settings, "post-email", email),
    ]
    limit = settings.posting_limit_per_hour
    # The hits open the transaction that stores the post: one write to the database, not two.
    if not ratelimit.allowed(
        session, keys=keys, limit=limit, window=POSTING_WINDOW, now=now, commit=False
    ):
        session.rollback()
        raise RefusedError(
            {
                SEND_FIELD: f"Tu as déjà envoyé {limit} messages en une heure, le maximum. "
                "Réessaie dans une heure ; ton texte est gardé ci-dessous."
            },
            status_code=429,
        )


def ask(
    session: Session,
    *,
    settings: Settings,
    links: MailLinks,
    pseudonym: str,
    email: str,
    body: str,
    fiche_slug: str | None,
    address: str,
    now: dt.datetime | None = None,
) -> Asked:
    """Store a checked question as pending and e-mail the asker their private link."""
    now = now or utcnow()
    address_email = normalised_email(email)
    if address_email is None:
        raise RefusedError(
            {"email": "Indique une adresse e-mail valable, comme prenom@exemple.be."}
        )
    body_hash = text_hash(body)
    _check_duplicate(session, body_hash=body_hash, now=now)
    thread = Thread(
        fiche_slug=fiche_slug,
        asker_email=address_email,
        token_seed=secrets.token_hex(16),
        token_hash="",
        created_at=now,
        last_activity_at=now,
    )
    token = private_token(settings, thread)
    thread.token_hash = token_hash(token)
    question = Message(
        thread_id=0,
        author=Author.asker,
        author_name=pseudonym,
        body=body,
        body_hash=body_hash,
        created_at=now,
        state_changed_at=now,
    )
    private_url, unsubscribe_url = _links(settings, links, thread)
    mail = mails.received(settings, private_url=private_url, unsubscribe_url=unsubscribe_url)
    # Everything is ready: one short write transaction for the counters, the thread, its
    # question and its e-mail (SQLite lets one writer at a time in).
    with one_writer(session):
        _check_rate(session, settings=settings, address=address, email=address_email, now=now)
        session.add(thread)
        session.flush()
        question.thread_id = _id(thread)
        session.add(question)
        _send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
        session.commit()
    return Asked(thread=thread, question=question, token=token)


def question_of(session: Session, *, thread: Thread) -> Message:
    """The thread's first message: the question."""
    return _question(session, thread)


def _question(session: Session, thread: Thread) -> Message:
    return session.exec(
        select(Message)
        .where(col(Message.thread_id) == thread.id)
        .where(col(Message.parent_id).is_(None))
    ).one()


def _latest_published(
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


def _reply_parent(
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
        else _latest_published(session, thread, default_author)
        or _latest_published(session, thread)
    )
    if parent is None or parent.thread_id != thread.id:
        raise NotAllowedError("Ce message n'existe pas dans cette conversation.")
    if parent.state != MessageState.published:
        raise NotAllowedError("Ce message n'est pas publié : on ne peut pas y répondre.")
    return parent


def _placement(parent: Message) -> tuple[int | None, int]:
    """Where a reply to ``parent`` goes: under it, or beside it once three levels are reached."""
    if parent.depth >= MAX_DEPTH:
        return parent.parent_id, parent.depth
    return parent.id, parent.depth + 1


def reply(
    session: Session,
    *,
    settings: Settings,
    thread: Thread,
    parent_id: int | None,
    body: str,
    address: str,
    now: dt.datetime | None = None,
) -> Message:
    """The asker's reply: published at once on an answered thread, otherwise moderated."""
    now = now or utcnow()
    parent = _reply_parent(session, thread=thread, parent_id=parent_id, default_author=None)
    body_hash = text_hash(body)
    _check_duplicate(session, body_hash=body_hash, now=now)
    question = _question(session, thread)
    publish = thread.state == ThreadState.answered
    parent_place, depth = _placement(parent)
    message = Message(
        thread_id=parent.thread_id,
        parent_id=parent_place,
        depth=depth,
        author=Author.asker,
        author_name=question.author_name,
        body=body,
        body_hash=body_hash,
        state=MessageState.published if publish else MessageState.pending,
        created_at=now,
        state_changed_at=now,
        published_at=now if publish else None,
    )
    with one_writer(session):
        _check_rate(
            session,
            settings=settings,
            address=address,
            email=thread.asker_email or f"fil-{thread.id}",
            now=now,
        )
        session.add(message)
        thread.last_activity_at = now
        session.add(thread)
        session.flush()
        if publish:
            audit.record(
                session,
                action="asker_reply",
                actor=audit.ASKER,
                target=f"message {message.id}",
                to_state=MessageState.published,
                reason="publiée sans relecture : le fil avait déjà une réponse",
            )
        _refresh_thread(session, thread)
        session.commit()
    session.refresh(message)
    return message


def answer(
    session: Session,
    *,
    settings: Settings,
    links: MailLinks,
    thread: Thread,
    parent_id: int | None,
    body: str,
    staff: StaffUser,
    now: dt.datetime | None = None,
) -> Message:
    """A professional's answer, published at once under the organisation's name; tells the asker."""
    now = now or utcnow()
    body = clean(body)
    if not body:
        raise RefusedError({"reponse": "Écrivez votre réponse."})
    if len(body) > ANSWER_MAX:
        raise RefusedError(
            {"reponse": f"La réponse ne peut pas dépasser {_length(ANSWER_MAX)} caractères."}
        )
    parent = _reply_parent(session, thread=thread, parent_id=parent_id, default_author=Author.asker)
    parent_place, depth = _placement(parent)
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
    audit.record(
        session,
        action="answer",
        staff=staff,
        target=f"message {message.id}",
        to_state=MessageState.published,
    )
    _refresh_thread(session, thread)
    if thread.subscribed:
        private_url, unsubscribe_url = _links(settings, links, thread)
        mail = mails.answered(settings, private_url=private_url, unsubscribe_url=unsubscribe_url)
        _send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
    session.commit()
    session.refresh(message)
    return message


def public_version(session: Session) -> int:
    """Goes up at each change of what the public pages show (see ``PublicChange``)."""
    return session.exec(select(PublicChange.version).where(col(PublicChange.id) == 1)).first() or 0


class _LocalChanges:
    """Counts this process's public changes, so that its own pages never wait for a re-read."""

    count = 0


def local_changes() -> int:
    return _LocalChanges.count


def _public_changed(session: Session) -> None:
    _LocalChanges.count += 1
    session.exec(
        update(PublicChange)
        .where(col(PublicChange.id) == 1)
        .values(version=col(PublicChange.version) + 1)
    )


def _refresh_thread(session: Session, thread: Thread) -> None:
    """Derive the thread's visibility and state from its messages (one rule, one place)."""
    _public_changed(session)
    session.flush()
    question = _question(session, thread)
    thread.is_public = question.state == MessageState.published
    if thread.state != ThreadState.closed:
        latest = _latest_published(session, thread)
        answered = latest is not None and latest.author == Author.professional
        thread.state = ThreadState.answered if answered else ThreadState.awaiting_answer
    session.add(thread)
    _index_thread(session, thread)


SEARCH_TITLE_MAX = 90


def _search_title(question: Message) -> str:
    """The start of the question, on one line: what a search hit shows as its link."""
    text = " ".join(question.body.split())
    if len(text) <= SEARCH_TITLE_MAX:
        return text
    return text[:SEARCH_TITLE_MAX].rsplit(" ", 1)[0] + "…"


def _searchable_text(message: Message) -> str:
    """The words of a message as a reader sees them: a staff answer without its Markdown."""
    if message.author != Author.professional:
        return message.body
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", _answer_html(message.body))).split())


def _index_thread(session: Session, thread: Thread) -> None:
    """Make search hold exactly the messages of ``thread`` that its public page shows."""
    thread_id = _id(thread)
    messages = _messages_of(session, [thread_id])[thread_id]
    keys = [f"message:{message.id}" for message in messages]
    if keys:
        search_index.remove_messages(session, keys)
    root = build_tree(messages, is_public) if thread.is_public else None
    if root is None:
        return
    title = _search_title(root.message)
    documents: list[search_index.Document] = []

    def walk(node: Node) -> None:
        if node.shown:
            message = node.message
            if message.author == Author.professional:
                heading = "Réponse d'un professionnel"
            elif message.is_question:
                heading = f"Question de {message.author_name}"
            else:
                heading = f"Réponse de {message.author_name}"
            documents.append(
                search_index.Document(
                    kind=EntryKind.question,
                    key=f"message:{message.id}",
                    url=f"/questions/{thread_id}#message-{message.id}",
                    title=title,
                    heading=heading,
                    body=_searchable_text(message),
                )
            )
        for child in node.children:
            walk(child)

    walk(root)
    search_index.add_messages(session, documents)


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
    audit.record(
        session,
        action=action,
        staff=staff,
        target=f"message {message.id}",
        from_state=source,
        to_state=destination,
        reason=reason,
    )
    _refresh_thread(session, thread)
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
) -> Message:
    """Publish a pending message; the asker is told when it is their question."""
    thread = _move(
        session,
        message=message,
        action="approve",
        version=version,
        staff=staff,
        now=now or utcnow(),
    )
    if message.is_question and thread.subscribed:
        private_url, unsubscribe_url = _links(settings, links, thread)
        mail = mails.published(settings, private_url=private_url, unsubscribe_url=unsubscribe_url)
        _send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
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
        _, unsubscribe_url = _links(settings, links, thread)
        mail = mails.rejected(
            settings,
            reason=reason,
            text=text,
            ask_url=links.url("questions_ask"),
            unsubscribe_url=unsubscribe_url,
        )
        _send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
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
    reason = clean(reason)[:REASON_MAX] if reason else None
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


def mark_spam(session: Session, *, message: Message, version: int, staff: StaffUser) -> Message:
    """pending -> spam."""
    return change_state(session, message=message, action="spam", version=version, staff=staff)


def hide(
    session: Session, *, message: Message, version: int, staff: StaffUser, reason: str | None = None
) -> Message:
    """published -> hidden."""
    return change_state(
        session, message=message, action="hide", version=version, staff=staff, reason=reason
    )


def delete(
    session: Session, *, message: Message, version: int, staff: StaffUser, reason: str | None = None
) -> Message:
    """any -> deleted (restorable until it is purged)."""
    return change_state(
        session, message=message, action="delete", version=version, staff=staff, reason=reason
    )


def restore(session: Session, *, message: Message, version: int, staff: StaffUser) -> Message:
    """deleted -> the state it had before."""
    return change_state(session, message=message, action="restore", version=version, staff=staff)


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
        errors["texte"] = f"Le texte ne peut pas dépasser {_length(maximum)} caractères."
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
            message_id=_id(message),
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
    _public_changed(session)
    session.expire(message)
    thread = session.get(Thread, message.thread_id)
    assert thread is not None
    _index_thread(session, thread)
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


# --- What the asker can do with their private link ----------------------------------------------


def delete_by_asker(session: Session, *, thread: Thread, now: dt.datetime | None = None) -> None:
    """Remove the question from public pages, erase the e-mail, and sign the thread "Anonyme"."""
    now = now or utcnow()
    question = _question(session, thread)
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
    _forget_pending_mail(session, thread=thread)
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
    _refresh_thread(session, thread)
    session.commit()


def _forget_pending_mail(session: Session, *, thread: Thread) -> None:
    session.exec(sql_delete(OutgoingMail).where(col(OutgoingMail.thread_id) == thread.id))


def unsubscribe(session: Session, *, thread: Thread) -> None:
    """No more e-mails about this thread (mails already queued are dropped too)."""
    thread.subscribed = False
    session.add(thread)
    _forget_pending_mail(session, thread=thread)
    session.commit()


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
        session.add(thread)
    if threads:
        _public_changed(session)
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
        _forget_pending_mail(session, thread=thread)
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
            session.delete(message)
            audit.record(session, action="purge", target=f"message {message.id}")
            count += 1
        session.flush()
    session.commit()
    return count


def _purge_thread(session: Session, *, thread_id: int) -> int:
    messages = select(Message.id).where(col(Message.thread_id) == thread_id)
    session.exec(sql_delete(MessageRevision).where(col(MessageRevision.message_id).in_(messages)))
    session.exec(sql_delete(OutgoingMail).where(col(OutgoingMail.thread_id) == thread_id))
    session.exec(update(Message).where(col(Message.thread_id) == thread_id).values(parent_id=None))
    result = session.exec(sql_delete(Message).where(col(Message.thread_id) == thread_id))
    session.exec(sql_delete(Thread).where(col(Thread.id) == thread_id))
    session.expunge_all()
    return int(result.rowcount)


# --- Reading threads ----------------------------------------------------------------------------

_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False}).disable("image")
_markdown.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://"))  # type: ignore[method-assign]


@lru_cache(maxsize=4096)
def _answer_html(body: str) -> Markup:
    return Markup(_markdown.render(body))  # noqa: S704 - html=False: raw HTML is escaped


def message_html(message: Message) -> Markup:
    """A professional's answer as Markdown without raw HTML; anyone else's text as plain text."""
    if message.author == Author.professional:
        return _answer_html(message.body)
    return plain_text(message.body)


def markdown_preview(body: str) -> Markup:
    """The HTML an answer will have once published."""
    return _answer_html(clean(body))


@dataclass
class Node:
    """A message and its replies; ``shown`` is False for a removed message kept as a placeholder."""

    message: Message
    shown: bool
    children: list[Node] = field(default_factory=list)

    @property
    def html(self) -> Markup:
        return message_html(self.message)


@dataclass
class ThreadView:
    thread: Thread
    root: Node
    shown_count: int
    fiche_title: str | None = None


@dataclass
class ThreadPage:
    """One page of the public threads of a fiche (or of the general questions)."""

    fiche_slug: str | None
    total: int
    page: int
    pages: int
    threads: list[ThreadView]


def build_tree(messages: Sequence[Message], shown: Callable[[Message], bool]) -> Node | None:
    """Nest ``messages`` under the question; keep unshown ones only to hold shown replies."""
    by_parent: dict[int | None, list[Message]] = {}
    for message in sorted(messages, key=lambda m: (m.created_at, m.id or 0)):
        by_parent.setdefault(message.parent_id, []).append(message)

    def grow(message: Message) -> Node | None:
        children = [n for c in by_parent.get(message.id, []) if (n := grow(c)) is not None]
        visible = shown(message)
        if not visible and not children:
            return None
        return Node(message=message, shown=visible, children=children)

    roots = by_parent.get(None, [])
    if not roots:
        return None
    root = grow(roots[0])
    return root


def _count(node: Node) -> int:
    return int(node.shown) + sum(_count(child) for child in node.children)


def is_public(message: Message) -> bool:
    return message.state == MessageState.published


def _messages_of(session: Session, thread_ids: Iterable[int]) -> dict[int, list[Message]]:
    ids = list(thread_ids)
    grouped: dict[int, list[Message]] = {thread_id: [] for thread_id in ids}
    if not ids:
        return grouped
    for message in session.exec(select(Message).where(col(Message.thread_id).in_(ids))).all():
        grouped[message.thread_id].append(message)
    return grouped


def thread_list(
    session: Session, *, fiche_slug: str | None, page: int = 1, per_page: int = PER_PAGE
) -> ThreadPage:
    """The public threads of a fiche (None: the general questions), newest first, paginated."""
    where = [
        col(Thread.is_public).is_(True),
        col(Thread.fiche_slug) == fiche_slug if fiche_slug else col(Thread.fiche_slug).is_(None),
    ]
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
    grouped = _messages_of(session, (t.id for t in threads if t.id is not None))
    views = []
    for thread in threads:
        assert thread.id is not None
        root = build_tree(grouped[thread.id], is_public)
        if root is not None:
            views.append(ThreadView(thread=thread, root=root, shown_count=_count(root)))
    return ThreadPage(fiche_slug=fiche_slug, total=total, page=page, pages=pages, threads=views)


def fiche_thread(session: Session, *, fiche_slug: str, page: int = 1) -> ThreadPage:
    """What a fiche page shows under the fiche (include ``questions/_fiche_thread.html``)."""
    return thread_list(session, fiche_slug=fiche_slug, page=page)


def thread_view(
    session: Session,
    *,
    settings: Settings,
    thread: Thread,
    shown: Callable[[Message], bool] = is_public,
) -> ThreadView | None:
    """One thread as a tree of the messages ``shown`` picks (public ones by default)."""
    assert thread.id is not None
    root = build_tree(_messages_of(session, [thread.id])[thread.id], shown)
    if root is None:
        return None
    return ThreadView(
        thread=thread,
        root=root,
        shown_count=_count(root),
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


def pending_count(session: Session) -> int:
    return session.exec(
        select(func.count()).select_from(Message).where(col(Message.state) == MessageState.pending)
    ).one()


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


def awaiting_count(session: Session) -> int:
    return session.exec(
        select(func.count())
        .select_from(Thread)
        .where(col(Thread.state) == ThreadState.awaiting_answer)
        .where(col(Thread.is_public).is_(True))
    ).one()


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
    return _latest_published(session, thread, author) or _latest_published(session, thread)
