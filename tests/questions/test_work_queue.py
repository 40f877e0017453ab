"""The staff's work queue: one list of what waits, oldest first, its age in working days, who
took what; approve and answer from the thread in one step; "Publier et passer à la suivante";
two professionals never answer the same question without knowing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from app.db import utcnow
from app.questions import answering, asking, moderation, threads, workqueue
from app.questions.models import Author, Message, MessageState, Thread
from app.staff.accounts import create_staff
from app.staff.models import AuditEntry, Role, StaffUser
from tests.questions.thread_helpers import PASSWORD, QUESTION, form_data, links_for, login

UTC = dt.UTC
# Wednesday 2 December 2026, 10:00 in Brussels.
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    with Session(app.state.engine) as session:
        yield session


def account(session: Session, name: str, *roles: Role) -> StaffUser:
    return create_staff(
        session,
        email=f"{name.lower()}@equipe.example.be",
        display_name=name,
        password=PASSWORD,
        roles=roles,
    )


def asked(app: FastAPI, session: Session, *, at: dt.datetime, pseudo: str = "Lina") -> Thread:
    result = asking.ask(
        session,
        settings=app.state.settings,
        links=links_for(app),
        pseudonym=pseudo,
        email=f"{pseudo.lower()}@example.be",
        body=f"{QUESTION} ({pseudo})",
        fiche_slug="piis-contrat-integration" if pseudo == "Sam" else None,
        address=f"192.0.2.{len(pseudo)}",
        now=at,
    )
    session.refresh(result.thread)
    return result.thread


def words(page: Response) -> str:
    """The page's text as a person reads it."""
    return BeautifulSoup(page.text, "html.parser").get_text(" ")


def form_for(page: Response, action_end: str, **fields: str) -> dict[str, str]:
    """The fields of the page's form whose action ends with ``action_end``, plus ``fields``."""
    forms = BeautifulSoup(page.text, "html.parser").find_all("form", method="post")
    index = next(i for i, f in enumerate(forms) if str(f["action"]).endswith(action_end))
    return form_data(page, index, **fields)


def approved(app: FastAPI, session: Session, thread: Thread, by: StaffUser) -> Thread:
    question = threads.question_row(session, thread)
    moderation.approve(
        session,
        settings=app.state.settings,
        links=links_for(app),
        message=question,
        version=question.version,
        staff=by,
        now=question.created_at + dt.timedelta(minutes=30),
    )
    session.refresh(thread)
    return thread


def answer(
    app: FastAPI, session: Session, thread: Thread, by: StaffUser, at: dt.datetime
) -> Message:
    return answering.answer(
        session,
        settings=app.state.settings,
        links=links_for(app),
        thread=thread,
        parent_id=None,
        body="Voici ce que nous savons.",
        staff=by,
        now=at,
    )


def test_one_queue_of_everything_oldest_first_by_role(app: FastAPI, session: Session) -> None:
    both = account(session, "Claire", Role.moderator, Role.professional)
    # Friday 27 November: a question answered, then the asker's follow-up on Monday.
    followed = approved(app, session, asked(app, session, at=NOW - dt.timedelta(days=5)), both)
    answer(app, session, followed, both, NOW - dt.timedelta(days=4, hours=20))
    asking.reply(
        session,
        settings=app.state.settings,
        thread=followed,
        parent_id=None,
        body="Merci, et si je refuse de signer ?",
        address="192.0.2.50",
        now=NOW - dt.timedelta(days=2),
    )
    # Thursday 26 November: a question published and still unanswered (the oldest).
    waiting = approved(
        app, session, asked(app, session, at=NOW - dt.timedelta(days=6), pseudo="Sam"), both
    )
    # This morning: a question to moderate.
    pending = asked(app, session, at=NOW - dt.timedelta(hours=1), pseudo="Noa")

    queue = workqueue.work_queue(session, settings=app.state.settings, staff=both, now=NOW)
    assert [(i.kind, i.thread.id) for i in queue.items] == [
        (workqueue.Kind.answer, waiting.id),
        (workqueue.Kind.follow_up, followed.id),
        (workqueue.Kind.moderate_question, pending.id),
    ]
    assert queue.total == 3
    ages = [(i.age_days, i.late) for i in queue.items]
    # Thu 26 -> Wed 2: Fri, Mon, Tue, Wed = 4 working days, past the usual 3.
    assert ages == [(4, True), (2, False), (0, False)]
    assert (queue.items[0].fiche_title or "").startswith("Le PIIS, le contrat d'intégration")
    assert queue.items[1].is_follow_up and not queue.items[0].is_follow_up

    moderator = account(session, "Malik", Role.moderator)
    professional = account(session, "Pia", Role.professional)
    only_moderation = workqueue.work_queue(
        session, settings=app.state.settings, staff=moderator, now=NOW
    )
    assert [i.kind for i in only_moderation.items] == [workqueue.Kind.moderate_question]
    only_answers = workqueue.work_queue(
        session, settings=app.state.settings, staff=professional, now=NOW
    )
    assert [i.kind for i in only_answers.items] == [workqueue.Kind.answer, workqueue.Kind.follow_up]


def test_the_queue_page_says_late_in_words_not_only_in_colour(
    app: FastAPI, client: TestClient
) -> None:
    with Session(app.state.engine) as session:
        both = account(session, "Claire", Role.moderator, Role.professional)
        old = utcnow() - dt.timedelta(days=15)
        approved(app, session, asked(app, session, at=old, pseudo="Sam"), both)
        asked(app, session, at=utcnow(), pseudo="Noa")
    assert login(client, "claire@equipe.example.be").headers["location"] == "/staff"
    page = BeautifulSoup(client.get("/staff").text, "html.parser")
    items = page.select("li.work-item")
    assert len(items) == 2
    late, fresh = items
    assert "work-late" in late["class"] and "work-late" not in fresh["class"]
    assert "En retard" in late.get_text() and "En retard" not in fresh.get_text()
    assert "Question à répondre" in late.get_text()
    assert "Fiche «\u00a0Le PIIS" in late.get_text()
    assert "Question à modérer" in fresh.get_text()
    assert "0 jour ouvrable" in fresh.get_text()
    assert "noa@example.be" not in page.get_text()


def test_approve_and_answer_in_one_step_then_on_to_the_next(
    app: FastAPI, client: TestClient
) -> None:
    with Session(app.state.engine) as session:
        account(session, "Claire", Role.moderator, Role.professional)
        first = asked(app, session, at=utcnow() - dt.timedelta(hours=2), pseudo="Noa").id
        second = asked(app, session, at=utcnow() - dt.timedelta(hours=1), pseudo="Sam").id
    login(client, "claire@equipe.example.be")
    page = client.get(f"/staff/fils/{first}")
    assert "Publier la question et la réponse" in words(page)
    done = client.post(
        f"/staff/fils/{first}/repondre",
        data=form_for(
            page, "/repondre", reponse="Oui, tu peux demander un délai.", action="suivante"
        ),
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/staff/fils/{second}?fait=answer_next#repondre"
    with Session(app.state.engine) as session:
        messages = session.exec(
            select(Message).where(Message.thread_id == first).order_by(Message.id)
        ).all()
        assert [(m.author, m.state) for m in messages] == [
            (Author.asker, MessageState.published),
            (Author.professional, MessageState.published),
        ]
    following = client.get(done.headers["location"])
    assert "Voici la suivante." in words(following)
    last = client.post(
        f"/staff/fils/{second}/repondre",
        data=form_for(following, "/repondre", reponse="Réponse à Sam.", action="suivante"),
        follow_redirects=False,
    )
    assert last.headers["location"] == "/staff?fait=answer_last"
    assert "Rien d'autre n'attend." in words(client.get(last.headers["location"]))


def test_approve_and_answer_is_one_transaction_nothing_stored_when_refused(
    app: FastAPI, client: TestClient
) -> None:
    with Session(app.state.engine) as session:
        claire = account(session, "Claire", Role.moderator, Role.professional)
        pending = asked(app, session, at=utcnow() - dt.timedelta(hours=2), pseudo="Noa").id
        other = approved(app, session, asked(app, session, at=utcnow(), pseudo="Sam"), claire)
        elsewhere = threads.question_row(session, other).id
    login(client, "claire@equipe.example.be")
    page = client.get(f"/staff/fils/{pending}")
    # The answer is refused after the question would have been published (it answers a
    # message of another thread): neither is stored, nor an audit line, nor an e-mail.
    refused = client.post(
        f"/staff/fils/{pending}/repondre",
        data=form_for(page, "/repondre", reponse="Oui.", parent=str(elsewhere)),
    )
    assert refused.status_code == 409
    assert "Ce message n'existe pas dans cette conversation." in words(refused)
    for body, status in (("", 400), ("x" * 10_001, 400)):
        again = client.post(
            f"/staff/fils/{pending}/repondre",
            data=form_for(page, "/repondre", reponse=body),
        )
        assert again.status_code == status
    with Session(app.state.engine) as session:
        states = session.exec(select(Message.state).where(Message.thread_id == pending)).all()
        assert states == [MessageState.pending]
        lines = session.exec(select(AuditEntry.action)).all()
        assert "answer" not in lines and lines.count("approve") == 1  # Sam's, by the fixture


class Team:
    """Two professionals, Claire and Pia, signed in, and a published question."""

    def __init__(self, app: FastAPI) -> None:
        with Session(app.state.engine) as session:
            account(session, "Claire", Role.professional)
            account(session, "Pia", Role.professional)
            self.boss = account(session, "Malik", Role.moderator)
            self.thread = approved(app, session, asked(app, session, at=utcnow()), self.boss)
        self.claire, self.pia = TestClient(app), TestClient(app)
        login(self.claire, "claire@equipe.example.be")
        login(self.pia, "pia@equipe.example.be")


def test_a_claim_is_shown_warns_a_colleague_and_lapses(app: FastAPI) -> None:
    team = Team(app)
    boss, thread, claire, pia = team.boss, team.thread, team.claire, team.pia
    pia_form = pia.get(f"/staff/fils/{thread.id}")  # Pia opens the form before Claire takes it
    page = claire.get(f"/staff/fils/{thread.id}")
    taken = claire.post(f"/staff/fils/{thread.id}/prendre", data=form_for(page, "/prendre"))
    assert "Vous vous occupez de cette question" in words(taken)
    assert "Claire s'occupe de cette question" in words(pia.get(f"/staff/fils/{thread.id}"))
    assert "Claire s'en occupe" in words(pia.get("/staff"))
    refused = pia.post(
        f"/staff/fils/{thread.id}/prendre",
        data=form_data(pia.get(f"/staff/fils/{thread.id}")),
    )
    assert refused.status_code == 409 and "Claire s'en occupe déjà" in words(refused)

    warned = pia.post(
        f"/staff/fils/{thread.id}/repondre",
        data=form_for(pia_form, "/repondre", reponse="Ma réponse de Pia.", action="publier"),
    )
    assert warned.status_code == 409
    assert "Claire s'occupe de cette question depuis" in words(warned)
    assert "Ma réponse de Pia." in words(warned)  # the text is kept
    published = pia.post(
        f"/staff/fils/{thread.id}/repondre",
        data=form_for(warned, "/repondre", reponse="Ma réponse de Pia.", action="publier"),
        follow_redirects=False,
    )
    assert published.status_code == 303  # warned once, she chose to publish

    with Session(app.state.engine) as session:
        settings = app.state.settings
        boss = session.merge(boss)
        claire_user = session.exec(
            select(StaffUser).where(StaffUser.display_name == "Claire")
        ).one()
        other = approved(app, session, asked(app, session, at=utcnow(), pseudo="Sam"), boss)
        workqueue.take(session, settings=settings, thread=other, staff=claire_user)
        later = utcnow() + dt.timedelta(minutes=settings.claim_minutes + 1)
        assert workqueue.claim_of(session, settings=settings, thread=other) is not None
        assert workqueue.claim_of(session, settings=settings, thread=other, now=later) is None


def test_a_colleague_answering_meanwhile_is_reported_before_publishing(app: FastAPI) -> None:
    team = Team(app)
    thread, claire, pia = team.thread, team.claire, team.pia
    claire_form = claire.get(f"/staff/fils/{thread.id}")
    pia_form = pia.get(f"/staff/fils/{thread.id}")
    pia.post(
        f"/staff/fils/{thread.id}/repondre",
        data=form_for(pia_form, "/repondre", reponse="Réponse de Pia.", action="publier"),
    )
    warned = claire.post(
        f"/staff/fils/{thread.id}/repondre",
        data=form_for(claire_form, "/repondre", reponse="Réponse de Claire.", action="publier"),
    )
    assert warned.status_code == 409
    assert "Pia a publié une réponse dans ce fil pendant que vous écriviez" in words(warned)
    with Session(app.state.engine) as session:
        bodies = session.exec(
            select(Message.body).where(Message.author == Author.professional)
        ).all()
    assert bodies == ["Réponse de Pia."]
