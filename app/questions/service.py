"""Asking and following a question: what a visitor typed checked, the question and the replies
stored, the private link, and what the asker can do with it.

Routes read the request and pick a template; these functions check and change the threads. A
change commits its own transaction together with its audit line and its e-mails. Beside this
module: ``moderation`` (what the staff do to a message), ``reading`` (threads as pages and
lists), ``tree`` (a thread as a tree, text as HTML), ``indexing`` (search) and ``upkeep``
(``python -m app maintenance``).

Reply moderation: the asker's reply is published at once when the thread is already answered
(a moderator accepted their question and a professional is talking with them); otherwise it
waits for a moderator like the question did. Moderators can still hide or edit it afterwards.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, Signer, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy import delete as sql_delete
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app import ratelimit
from app.config import Settings
from app.db import one_writer, utcnow
from app.mail import OutgoingMail, queue_mail
from app.questions import mails
from app.questions.indexing import index_thread
from app.questions.mails import MailLinks
from app.questions.models import (
    ANONYMOUS,
    ANSWER_MAX,
    EMAIL_MAX,
    PSEUDONYM_MAX,
    QUESTION_MAX,
    QUESTION_MIN,
    REPLY_MAX,
    Author,
    Claim,
    FormUse,
    Message,
    MessageRevision,
    MessageState,
    PublicChange,
    Thread,
    ThreadState,
)
from app.questions.tree import answer_html
from app.staff import audit
from app.staff.models import StaffUser

MAX_DEPTH = 2  # the question is 0: three levels in all
MAX_LINKS = 2
PER_PAGE = 10
DUPLICATE_WINDOW = dt.timedelta(days=1)
POSTING_WINDOW = dt.timedelta(hours=1)
# A public form can be sent once, within this time after it was shown.
FORM_MAX_AGE = dt.timedelta(hours=24)
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


class AlreadySentError(Exception):
    """The same form was already sent and stored (a double-click, a page sent again)."""


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


def row_id(row: Message | Thread) -> int:
    """The id of a row that is already stored."""
    assert row.id is not None
    return row.id


def length_text(count: int) -> str:
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
            f"Ton texte ne peut pas dépasser {length_text(maximum)} caractères "
            f"(il en compte {length_text(len(body))}). Raccourcis-le."
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
    """The hidden ``debut`` field of a public form: the signed time it was shown and a one-time
    key, so that the post it carries is stored once at most."""
    shown_at = at if at is not None else time.time()
    return _form_signer(settings).sign(f"{shown_at:.3f}:{secrets.token_urlsafe(12)}").decode()


def _read_form_token(settings: Settings, started: str) -> tuple[float, str] | None:
    try:
        shown_at, nonce = _form_signer(settings).unsign(started).decode().split(":", 1)
        return float(shown_at), nonce
    except (BadSignature, ValueError, UnicodeDecodeError):
        return None


def form_nonce(settings: Settings, started: str) -> str | None:
    """The one-time key of a form's ``debut`` field (None if the field is not valid)."""
    token = _read_form_token(settings, started)
    return token[1] if token else None


def robot_problems(
    settings: Settings, *, honeypot: str, started: str, now: float | None = None
) -> dict[str, str]:
    """A filled honeypot, a form sent faster than a person can, or a form shown too long ago."""
    if honeypot:
        return {
            SEND_FIELD: "Ton message n'est pas parti : le champ « Ne pas remplir » ne doit pas "
            "être rempli. Vérifie ton texte, puis envoie à nouveau."
        }
    token = _read_form_token(settings, started)
    now = now if now is not None else time.time()
    if token is None or now - token[0] < settings.min_fill_seconds:
        return {
            SEND_FIELD: "Ton message est parti très vite, comme s'il venait d'un robot. "
            "Rien n'est perdu : relis-le, puis envoie-le à nouveau."
        }
    if now - token[0] > FORM_MAX_AGE.total_seconds():
        return {
            SEND_FIELD: "Cette page était ouverte depuis plus de 24 heures : pour ta sécurité, "
            "ton message n'est pas parti. Rien n'est perdu : relis-le, puis envoie-le à nouveau."
        }
    return {}


def _use_form(session: Session, *, nonce: str | None, now: dt.datetime) -> None:
    """Record that this form was sent, in the transaction that stores its post.

    A second sending of the same form (a double-click, even at the same instant on another
    worker) meets the primary key: it waits for the first transaction, then is refused.
    """
    if nonce is None:
        return
    session.add(FormUse(nonce=nonce, used_at=now))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise AlreadySentError from None


def _check_form_unused(session: Session, *, nonce: str | None) -> None:
    """Refuse at once a form whose post is already stored (the common double-click)."""
    if nonce is not None and session.get(FormUse, nonce) is not None:
        raise AlreadySentError


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


def fiche_choices(settings: Settings) -> list[tuple[str, str]]:
    """(slug, title) of every fiche, by title: the fiche picker of the answer form."""
    found = []
    for path in sorted((settings.content_dir / "fiches").glob("*.md")):
        title = fiche_title(settings, path.stem)
        if title:
            found.append((path.stem, title))
    return sorted(found, key=lambda choice: choice[1].lower())


def with_inserted(text: str, snippet: str) -> str:
    """``text`` with ``snippet`` added at its end (the answer form's insertion, without JS)."""
    text = text.rstrip()
    if not text:
        return snippet
    return f"{text}\n\n{snippet}" if "\n" in snippet else f"{text} {snippet}"


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


def links_for_asker(settings: Settings, links: MailLinks, thread: Thread) -> tuple[str, str]:
    return (
        links.url("questions_private", token=private_token(settings, thread)),
        links.url("questions_unsubscribe", token=unsubscribe_token(settings, thread)),
    )


def send_to_asker(
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
    form: str | None = None,
    now: dt.datetime | None = None,
) -> Asked:
    """Store a checked question as pending and e-mail the asker their private link.

    ``form`` is the one-time key of the form it came from: the same form stores one question.
    """
    now = now or utcnow()
    address_email = normalised_email(email)
    if address_email is None:
        raise RefusedError(
            {"email": "Indique une adresse e-mail valable, comme prenom@exemple.be."}
        )
    body_hash = text_hash(body)
    _check_form_unused(session, nonce=form)
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
    private_url, unsubscribe_url = links_for_asker(settings, links, thread)
    mail = mails.received(settings, private_url=private_url, unsubscribe_url=unsubscribe_url)
    # Everything is ready: one short write transaction for the counters, the thread, its
    # question and its e-mail (SQLite lets one writer at a time in).
    with one_writer(session):
        _check_rate(session, settings=settings, address=address, email=address_email, now=now)
        _use_form(session, nonce=form, now=now)
        session.add(thread)
        session.flush()
        question.thread_id = row_id(thread)
        session.add(question)
        send_to_asker(session, thread=thread, mail=mail, unsubscribe_url=unsubscribe_url)
        session.commit()
    return Asked(thread=thread, question=question, token=token)


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
        else latest_published(session, thread, default_author) or latest_published(session, thread)
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
    form: str | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """The asker's reply: published at once on an answered thread, otherwise moderated.

    ``form`` is the one-time key of the form it came from: the same form stores one reply.
    """
    now = now or utcnow()
    parent = _reply_parent(session, thread=thread, parent_id=parent_id, default_author=None)
    body_hash = text_hash(body)
    _check_form_unused(session, nonce=form)
    _check_duplicate(session, body_hash=body_hash, now=now)
    question = question_row(session, thread)
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
        _use_form(session, nonce=form, now=now)
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
        refresh_thread(session, thread)
        session.commit()
    session.refresh(message)
    return message


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
    now: dt.datetime | None = None,
) -> Message:
    """A professional's answer, published at once under the organisation's name; tells the asker."""
    now = now or utcnow()
    body = clean(body)
    problems = answer_problems(body)
    if problems:
        raise RefusedError(problems)
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
    session.add(thread)
    index_thread(session, thread)


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


# --- What the asker can do with their private link ----------------------------------------------


def delete_by_asker(session: Session, *, thread: Thread, now: dt.datetime | None = None) -> None:
    """Remove the question from public pages, erase the e-mail, and sign the thread "Anonyme"."""
    now = now or utcnow()
    question = question_row(session, thread)
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
    forget_pending_mail(session, thread=thread)
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
    refresh_thread(session, thread)
    session.commit()


def forget_pending_mail(session: Session, *, thread: Thread) -> None:
    session.exec(sql_delete(OutgoingMail).where(col(OutgoingMail.thread_id) == thread.id))


def unsubscribe(session: Session, *, thread: Thread) -> None:
    """No more e-mails about this thread (mails already queued are dropped too)."""
    thread.subscribed = False
    session.add(thread)
    forget_pending_mail(session, thread=thread)
    session.commit()


def markdown_preview(body: str) -> Markup:
    """The HTML an answer will have once published."""
    return answer_html(clean(body))
