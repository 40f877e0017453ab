"""The questions' operations: states, conflicts, upkeep, rate limits and the mail queue."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from app import ratelimit
from app.config import Settings
from app.db import make_engine, utcnow
from app.mail import OutgoingMail, deliver_pending, deliver_queued, take_queued_ids
from app.questions import asking, errors, moderation, reading, threads, tree, upkeep
from app.questions.models import (
    Message,
    MessageRevision,
    MessageState,
    Thread,
    ThreadState,
)
from app.search.index import Hit, search
from app.search.models import EntryKind
from app.search.text import parse_query
from app.staff.accounts import create_staff
from app.staff.models import AuditEntry, Role, StaffUser
from tests.questions.thread_helpers import (
    PASSWORD,
    QUESTION,
    answered,
    links_for,
    outbox,
    text_of,
)


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    with Session(app.state.engine) as session:
        yield session


@pytest.fixture
def staff(session: Session) -> StaffUser:
    return create_staff(
        session,
        email="equipe@example.be",
        display_name="Équipe",
        password=PASSWORD,
        roles=[Role.moderator, Role.professional],
    )


def new_question(
    app: FastAPI,
    session: Session,
    *,
    body: str = QUESTION,
    email: str = "lina@example.be",
    now: dt.datetime | None = None,
    address: str = "192.0.2.1",
) -> asking.Asked:
    return asking.ask(
        session,
        settings=app.state.settings,
        links=links_for(app),
        pseudonym="Lina",
        email=email,
        body=body,
        fiche_slug=None,
        address=address,
        now=now,
    )


def published(app: FastAPI, session: Session, staff: StaffUser, **kwargs: object) -> Thread:
    asked = new_question(app, session, **kwargs)  # type: ignore[arg-type]
    moderation.approve(
        session,
        settings=app.state.settings,
        links=links_for(app),
        message=asked.question,
        version=asked.question.version,
        staff=staff,
    )
    session.refresh(asked.thread)
    return asked.thread


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (MessageState.pending, "approve", MessageState.published),
        (MessageState.pending, "reject", MessageState.rejected),
        (MessageState.pending, "spam", MessageState.spam),
        (MessageState.published, "hide", MessageState.hidden),
        (MessageState.hidden, "republish", MessageState.published),
        (MessageState.published, "delete", MessageState.deleted),
        (MessageState.spam, "delete", MessageState.deleted),
        (MessageState.published, "approve", None),
        (MessageState.rejected, "approve", None),
        (MessageState.pending, "hide", None),
        (MessageState.published, "spam", None),
        (MessageState.deleted, "hide", None),
        (MessageState.deleted, "delete", None),
    ],
)
def test_the_message_state_machine(
    app: FastAPI,
    session: Session,
    staff: StaffUser,
    start: MessageState,
    action: str,
    end: MessageState | None,
) -> None:
    message = new_question(app, session).question
    message.state = start
    session.add(message)
    session.commit()
    session.refresh(message)

    def run() -> Message:
        if action == "approve":
            return moderation.approve(
                session,
                settings=app.state.settings,
                links=links_for(app),
                message=message,
                version=message.version,
                staff=staff,
            )
        if action == "reject":
            return moderation.reject(
                session,
                settings=app.state.settings,
                links=links_for(app),
                message=message,
                version=message.version,
                reason="Trop de détails personnels.",
                staff=staff,
            )
        return moderation.change_state(
            session, message=message, action=action, version=message.version, staff=staff
        )

    if end is None:
        with pytest.raises(errors.NotAllowedError):
            run()
        return
    assert run().state == end
    entry = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()  # type: ignore[union-attr]
    assert entry is not None
    assert (entry.action, entry.from_state, entry.to_state) == (action, start, end)
    assert entry.staff_id == staff.id


def test_deleted_comes_back_to_its_previous_state(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    thread = published(app, session, staff)
    question = threads.question_row(session, thread)
    moderation.change_state(
        session,
        action="delete",
        message=question,
        version=question.version,
        staff=staff,
        reason="x",
    )
    session.refresh(thread)
    assert question.state == MessageState.deleted and not thread.is_public
    moderation.change_state(
        session, action="restore", message=question, version=question.version, staff=staff
    )
    session.refresh(thread)
    assert question.state == MessageState.published and thread.is_public


def test_two_moderators_cannot_overwrite_each_other(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    message = new_question(app, session).question
    seen_version = message.version
    other = create_staff(
        session, email="autre@example.be", display_name="Autre", password=PASSWORD,
        roles=[Role.moderator],
    )  # fmt: skip
    moderation.approve(
        session,
        settings=app.state.settings,
        links=links_for(app),
        message=message,
        version=seen_version,
        staff=staff,
    )
    with pytest.raises(errors.ConflictError):
        moderation.reject(
            session,
            settings=app.state.settings,
            links=links_for(app),
            message=message,
            version=seen_version,
            reason="Refus tardif",
            staff=other,
        )
    with pytest.raises(errors.ConflictError):
        moderation.edit(
            session,
            message=message,
            version=seen_version,
            body="Autre texte",
            author_name="Lina",
            staff=other,
        )
    session.refresh(message)
    assert message.state == MessageState.published and message.version == seen_version + 1


def test_concurrent_decisions_on_one_message_let_exactly_one_through(
    app: FastAPI, staff: StaffUser
) -> None:
    with Session(app.state.engine) as session:
        message_id = new_question(app, session).question.id
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def moderate(action: str) -> None:
        with Session(app.state.engine) as own:
            message = own.get(Message, message_id)
            assert message is not None
            barrier.wait()
            try:
                moderation.change_state(
                    own, message=message, action=action, version=1, staff=own.merge(staff)
                )
                outcomes.append(action)
            except (errors.ConflictError, errors.NotAllowedError):
                outcomes.append("refusé")

    workers = [threading.Thread(target=moderate, args=(a,)) for a in ["spam", "delete"] * 2]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes).count("refusé") == 3


def test_edit_keeps_the_original_privately(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    message = new_question(
        app, session, body="Je m'appelle Lina Dupont et j'habite rue X."
    ).question
    moderation.edit(
        session,
        message=message,
        version=message.version,
        body="Je m'appelle [prénom retiré] et j'habite [adresse retirée].",
        author_name="Lina",
        staff=staff,
    )
    [revision] = reading.revisions(session, message=message)
    assert revision.body == "Je m'appelle Lina Dupont et j'habite rue X."
    assert revision.staff_id == staff.id
    assert message.version == 2 and "[prénom retiré]" in message.body


def test_rejection_mails_the_reason_and_the_askers_own_text(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    message = new_question(app, session, body="Mon texte à moi, avec mon numéro de dossier 1234.")
    moderation.reject(
        session,
        settings=app.state.settings,
        links=links_for(app),
        message=message.question,
        version=1,
        reason="Ton message contient un numéro de dossier : retire-le et renvoie-le.",
        staff=staff,
    )
    deliver_queued(session, app.state.settings, ids=take_queued_ids(session))
    mail = outbox(app.state.settings)[-1]
    assert mail["Subject"] == "Ton message n'a pas été publié"
    body = text_of(mail)
    assert "retire-le et renvoie-le" in body
    assert "> Mon texte à moi, avec mon numéro de dossier 1234." in body


def test_a_reject_needs_a_reason(app: FastAPI, session: Session, staff: StaffUser) -> None:
    message = new_question(app, session).question
    with pytest.raises(errors.RefusedError) as refused:
        moderation.reject(
            session,
            settings=app.state.settings,
            links=links_for(app),
            message=message,
            version=1,
            reason="  ",
            staff=staff,
        )
    assert refused.value.errors == {
        "raison": "Indiquez la raison du refus : elle est envoyée à la personne."
    }


def test_replies_nest_three_levels_at_most(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    thread = published(app, session, staff)
    settings = app.state.settings
    depths = []
    for turn in range(4):
        answer = answered(app, session, staff, thread, f"Réponse {turn}")
        reply = asking.reply(
            session,
            settings=settings,
            thread=thread,
            parent_id=answer.id,
            body=f"Merci, et encore une question {turn}",
            address="192.0.2.1",
        )
        depths += [answer.depth, reply.depth]
    assert max(depths) == 2
    view = reading.thread_view(session, settings=settings, thread=thread)
    assert view is not None

    def deepest(node: tree.Node, level: int = 1) -> int:
        return max([level] + [deepest(child, level + 1) for child in node.children])

    assert deepest(view.root) == 3


def test_thread_states_follow_the_conversation(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    thread = published(app, session, staff)
    assert thread.state == ThreadState.awaiting_answer
    answer = answered(app, session, staff, thread, "Réponse")
    assert thread.state == ThreadState.answered
    asking.reply(
        session,
        settings=app.state.settings,
        thread=thread,
        parent_id=None,
        body="Merci !",
        address="192.0.2.1",
    )
    assert thread.state == ThreadState.awaiting_answer
    # Hiding the reply puts the answer last again.
    reply = session.exec(select(Message).where(Message.body == "Merci !")).one()
    moderation.change_state(
        session, action="hide", message=reply, version=reply.version, staff=staff
    )
    session.refresh(thread)
    assert thread.state == ThreadState.answered and answer.state == MessageState.published


def test_close_idle_purge_and_erase_old_emails(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    settings: Settings = app.state.settings
    now = utcnow()
    old = published(app, session, staff)
    old.last_activity_at = now - dt.timedelta(days=settings.thread_close_days + 1)
    session.add(old)
    recent = published(app, session, staff, body=QUESTION + " Autre.", email="b@example.be")
    session.commit()
    assert upkeep.close_idle(session, settings=settings, now=now) == 1
    session.refresh(old)
    session.refresh(recent)
    assert old.state == ThreadState.closed and recent.state != ThreadState.closed

    # E-mails: erased 12 months after the last activity, not before.
    assert upkeep.erase_old_emails(session, settings=settings, now=now) == 0
    later = upkeep.months_before(now, -12) + dt.timedelta(days=1)
    assert upkeep.erase_old_emails(session, settings=settings, now=later) == 2
    assert session.exec(select(Thread).where(Thread.asker_email.is_not(None))).all() == []  # type: ignore[union-attr]

    # Purge: a deleted answer goes after N days; its replies stay, moved up.
    answer = answered(app, session, staff, recent, "Réponse")
    reply = asking.reply(
        session, settings=settings, thread=recent, parent_id=answer.id, body="Merci", address="x"
    )
    moderation.change_state(
        session, action="delete", message=answer, version=answer.version, staff=staff
    )
    assert upkeep.purge(session, settings=settings, now=now) == 0
    soon = now + dt.timedelta(days=settings.purge_after_days + 1)
    assert upkeep.purge(session, settings=settings, now=soon) == 1
    session.refresh(reply)
    assert reply.parent_id == threads.question_row(session, recent).id
    # A deleted question takes its whole thread with it.
    question = threads.question_row(session, recent)
    moderation.change_state(
        session, action="delete", message=question, version=question.version, staff=staff
    )
    recent_id = recent.id
    assert upkeep.purge(session, settings=settings, now=soon) == 2
    assert session.get(Thread, recent_id) is None
    assert session.exec(select(Message).where(Message.thread_id == recent_id)).all() == []
    assert session.exec(select(MessageRevision)).all() == []


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (dt.datetime(2026, 11, 23, tzinfo=dt.UTC), 12, dt.datetime(2025, 11, 23, tzinfo=dt.UTC)),
        (dt.datetime(2026, 3, 31, tzinfo=dt.UTC), 1, dt.datetime(2026, 2, 28, tzinfo=dt.UTC)),
        (dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 2, dt.datetime(2025, 11, 15, tzinfo=dt.UTC)),
    ],
)
def test_months_before(moment: dt.datetime, months: int, expected: dt.datetime) -> None:
    assert upkeep.months_before(moment, months) == expected


def test_rate_counters_are_exact_under_concurrency(app: FastAPI, database_url: str) -> None:
    """20 threads, each with its own connection, hit one key: 20 distinct counts."""
    engine = make_engine(database_url)
    settings: Settings = app.state.settings
    key = ratelimit.counter_key(settings, "test", "198.51.100.7")
    counts: list[int] = []
    barrier = threading.Barrier(20)

    def hit() -> None:
        with Session(engine) as own:
            barrier.wait()
            counts.append(ratelimit.hit(own, key=key, window=dt.timedelta(hours=1)))

    workers = [threading.Thread(target=hit) for _ in range(20)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    engine.dispose()
    assert sorted(counts) == list(range(1, 21))
    # The counter holds a keyed hash, not the address.
    with Session(app.state.engine) as session:
        [row] = session.exec(select(ratelimit.RateCounter)).all()
    assert "198.51.100.7" not in row.key and len(row.key) == 64


def test_a_failed_send_is_retried_and_nothing_is_lost(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    settings: Settings = app.state.settings
    broken = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 9})
    new_question(app, session)
    # The request's own try fails: the message stays, with a later retry time.
    assert deliver_queued(session, broken, ids=take_queued_ids(session)) == 0
    [queued] = session.exec(select(OutgoingMail)).all()
    assert queued.attempts == 1 and queued.last_error
    assert queued.next_attempt_at > utcnow()
    assert outbox(settings) == []
    # Not due yet; once due, the next sweep sends it.
    assert deliver_pending(session, settings) == 0
    later = utcnow() + dt.timedelta(minutes=5)
    assert deliver_pending(session, settings, now=later) == 1
    assert len(outbox(settings)) == 1
    assert session.exec(select(OutgoingMail)).all() == []


def test_an_overdue_message_is_sent_once_even_when_several_workers_sweep(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    new_question(app, session)
    take_queued_ids(session)  # the request that queued it died before sending it
    later = utcnow() + dt.timedelta(minutes=10)  # its claim has run out
    sent: list[int] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        with Session(app.state.engine) as own:
            barrier.wait()
            sent.append(deliver_pending(own, app.state.settings, now=later, claims_from=later))

    workers = [threading.Thread(target=worker) for _ in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert sum(sent) == 1
    assert len(outbox(app.state.settings)) == 1


def test_mail_logs_carry_no_address(
    app: FastAPI, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    new_question(app, session, email="secret.lina@example.be")
    broken = app.state.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 9})
    deliver_queued(session, broken, ids=take_queued_ids(session))
    deliver_pending(session, app.state.settings, now=utcnow() + dt.timedelta(minutes=5))
    assert len(caplog.records) >= 2
    assert all("@" not in record.getMessage() for record in caplog.records)


def search_hits(session: Session, words: str) -> list[Hit]:
    return search(session, parse_query(words), kind=EntryKind.question)


def found_in_search(session: Session, words: str) -> list[str]:
    return [hit.url for hit in search_hits(session, words)]


def test_search_holds_exactly_what_the_public_pages_show(
    app: FastAPI, session: Session, staff: StaffUser
) -> None:
    new_question(app, session, body="Qui paie la garantie locative quand on quitte ses parents ?")
    assert found_in_search(session, "garantie locative") == []  # pending: not public yet
    thread = published(
        app,
        session,
        staff,
        body="Mon propriétaire garde la garantie locative, que faire ?",
        email="autre@example.be",
    )
    found = found_in_search(session, "garanties locatives")
    question = threads.question_row(session, thread)
    assert found == [f"/questions/{thread.id}#message-{question.id}"]

    answer = answered(
        app, session, staff, thread, "Le CPAS peut avancer une **caution** : demande-le par écrit."
    )
    hits = search_hits(session, "caution")
    assert [hit.url for hit in hits] == [f"/questions/{thread.id}#message-{answer.id}"]
    assert hits[0].heading == "Réponse d'un professionnel"
    assert "caution" in hits[0].snippet and "**" not in hits[0].snippet  # read as shown
    # One hit per thread: its best message.
    assert found_in_search(session, "garantie locative caution") == [hits[0].url]

    moderation.edit(
        session,
        message=answer,
        version=answer.version,
        body="Le CPAS peut avancer une garantie : demande-le par écrit.",
        author_name=answer.author_name,
        staff=staff,
    )
    assert found_in_search(session, "caution") == []

    moderation.change_state(
        session,
        message=question,
        action="hide",
        version=question.version,
        staff=staff,
    )
    assert found_in_search(session, "garantie locative") == []  # the whole thread left
