"""Reporting a message ("Signaler ce message"): a reader sends a reason and a short text from a
public thread, without JavaScript; the staff see one item per message in the work queue and
remove the message or keep it, each audited; the public never sees a report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from html import unescape

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, col, select

from app.db import utcnow
from app.questions import reports, upkeep, workqueue
from app.questions.models import Message, MessageState, Report, ReportOutcome, Thread
from app.ratelimit import RateCounter
from app.staff.models import AuditEntry, Role
from tests.questions.thread_helpers import (
    answered,
    error_messages,
    form_data,
    login,
    published_question,
    staff_account,
)

SECRET_NOTE = "Le nom complet de sa soeur apparaît dans la deuxième phrase"


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    with Session(app.state.engine) as session:
        yield session


def thread_with_answer(app: FastAPI, client: TestClient) -> tuple[int, int, int]:
    """A published question and a professional's answer: (thread id, question id, answer id)."""
    thread_id, _ = published_question(app, client)
    pro = staff_account(app, Role.professional, email="pro-signalement@equipe.example.be")
    with Session(app.state.engine) as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        answer = answered(app, session, pro, thread, "Oui, le PIIS est en principe obligatoire.")
        question = session.exec(
            select(Message).where(Message.thread_id == thread_id, col(Message.parent_id).is_(None))
        ).one()
        assert question.id is not None and answer.id is not None
        return thread_id, question.id, answer.id


def report_link(page: Response, message_id: int) -> str:
    """The "Signaler ce message" link of a message, as a reader finds it on the thread page."""
    article = BeautifulSoup(page.text, "html.parser").find(id=f"message-{message_id}")
    assert article is not None
    links = [a for a in article.find_all("a") if "Signaler ce message" in a.get_text()]
    assert len(links) == 1, "pas de lien « Signaler ce message »"
    return str(links[0]["href"])


def send_report(
    client: TestClient, message_id: int, *, reason: str = "personal_data", text: str = ""
) -> Response:
    url = f"/questions/messages/{message_id}/signaler"
    page = client.get(url)
    assert page.status_code == 200
    return client.post(
        url, data=form_data(page, raison=reason, precision=text), follow_redirects=False
    )


def test_a_reader_reports_a_message_and_reads_the_confirmation(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    thread_id, question_id, answer_id = thread_with_answer(app, client)
    thread_page = client.get(f"/questions/{thread_id}")
    url = report_link(thread_page, answer_id)
    assert url == f"/questions/messages/{answer_id}/signaler"
    assert report_link(thread_page, question_id) == f"/questions/messages/{question_id}/signaler"

    form_page = client.get(url)
    form = BeautifulSoup(form_page.text, "html.parser").find("form", class_="report-form")
    assert form is not None and form["method"] == "post"
    assert form.find("input", attrs={"name": "csrf_token"}) is not None
    labels = [label.get_text(" ", strip=True) for label in form.find_all("label")]
    assert "Des données personnelles sont visibles" in labels
    assert "le PIIS est en principe obligatoire" in form_page.text  # the message is quoted

    sent = client.post(
        url,
        data=form_data(form_page, raison="personal_data", precision=SECRET_NOTE),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == f"{url}?fait=1"
    done = client.get(sent.headers["location"])
    assert "Merci, ton signalement est bien arrivé" in unescape(done.text)
    assert BeautifulSoup(done.text, "html.parser").find("form", class_="report-form") is None

    stored = session.exec(select(Report)).all()
    assert [(r.message_id, r.reason, r.text, r.resolved_at) for r in stored] == [
        (answer_id, "personal_data", SECRET_NOTE, None)
    ]
    assert abs(stored[0].created_at - utcnow()) < dt.timedelta(minutes=1)
    # Nothing about the reporter in clear: the table has no such column, the counter is a hash.
    assert set(Report.model_fields) == {
        "id",
        "message_id",
        "reason",
        "text",
        "created_at",
        "resolved_at",
        "outcome",
        "resolved_by",
    }
    keys = session.exec(select(RateCounter.key)).all()
    assert keys and all("testclient" not in key and len(key) == 64 for key in keys)


@pytest.mark.parametrize(
    ("reason", "text", "message"),
    [
        ("", "", "Choisis pourquoi tu signales ce message."),
        ("pas-une-raison", "Un texte", "Choisis pourquoi tu signales ce message."),
        ("spam", "x" * 301, "Ta précision ne peut pas dépasser 300 caractères"),
    ],
    ids=["sans raison", "raison inconnue", "texte trop long"],
)
def test_a_bad_report_gets_its_french_message_and_keeps_what_was_typed(
    app: FastAPI, client: TestClient, session: Session, reason: str, text: str, message: str
) -> None:
    _, _, answer_id = thread_with_answer(app, client)
    refused = send_report(client, answer_id, reason=reason, text=text)
    assert refused.status_code == 400
    assert any(message in shown for shown in error_messages(unescape(refused.text)))
    page = BeautifulSoup(refused.text, "html.parser")
    textarea = page.find("textarea", attrs={"name": "precision"})
    assert textarea is not None and textarea.get_text().strip() == text
    checked = page.find("input", attrs={"name": "raison", "checked": True})
    assert (checked["value"] if checked else "") == (reason if reason == "spam" else "")
    assert session.exec(select(Report)).all() == []


def test_a_report_without_its_csrf_token_is_refused(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _, _, answer_id = thread_with_answer(app, client)
    url = f"/questions/messages/{answer_id}/signaler"
    data = form_data(client.get(url), raison="spam")
    del data["csrf_token"]
    refused = client.post(url, data=data, follow_redirects=False)
    assert refused.status_code == 403
    assert "Le formulaire n'a pas été envoyé" in unescape(refused.text)
    assert session.exec(select(Report)).all() == []


def test_reports_are_limited_like_public_posts(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _, question_id, answer_id = thread_with_answer(app, client)
    app.state.settings.posting_limit_per_hour = 2
    assert send_report(client, answer_id).status_code == 303
    assert send_report(client, question_id, reason="spam").status_code == 303
    refused = send_report(client, answer_id, reason="other", text="Encore lui")
    assert refused.status_code == 429
    assert "Tu as déjà envoyé 2 signalements en une heure" in unescape(refused.text)
    assert "Encore lui" in refused.text  # kept
    assert len(session.exec(select(Report)).all()) == 2


def test_the_same_form_sent_twice_stores_one_report(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _, _, answer_id = thread_with_answer(app, client)
    url = f"/questions/messages/{answer_id}/signaler"
    data = form_data(client.get(url), raison="spam")
    assert client.post(url, data=data, follow_redirects=False).status_code == 303
    assert client.post(url, data=data, follow_redirects=False).status_code == 303
    assert len(session.exec(select(Report)).all()) == 1


def test_only_what_the_public_reads_can_be_reported(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    thread_id, private = published_question(app, client)
    page = client.get(private)
    reply = client.post(f"{private}/repondre", data=form_data(page, message="Et le loyer ?"))
    assert reply.status_code == 200  # waits for moderation: not on the public page
    pending = session.exec(
        select(Message).where(Message.thread_id == thread_id, Message.state == "pending")
    ).one()
    assert client.get(f"/questions/messages/{pending.id}/signaler").status_code == 404
    assert client.get("/questions/messages/999999/signaler").status_code == 404
    question = session.exec(
        select(Message).where(Message.thread_id == thread_id, col(Message.parent_id).is_(None))
    ).one()
    client.post(f"{private}/supprimer", data=form_data(client.get(f"{private}/supprimer")))
    assert client.get(f"/questions/messages/{question.id}/signaler").status_code == 410


def staff_home(client: TestClient) -> BeautifulSoup:
    return BeautifulSoup(client.get("/staff").text, "html.parser")


def reported_items(page: BeautifulSoup) -> list[BeautifulSoup]:
    return [
        item
        for item in page.select("li.work-item")
        if "Message signalé" in item.get_text(" ", strip=True)
    ]


def test_several_reports_of_a_message_are_one_queue_item_oldest_first(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _, question_id, answer_id = thread_with_answer(app, client)
    assert send_report(client, answer_id, text=SECRET_NOTE).status_code == 303
    assert send_report(client, answer_id, reason="inappropriate").status_code == 303
    assert send_report(client, answer_id).status_code == 303
    # Reported a week earlier: working days counted like the other kinds of work.
    monday = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    for report in session.exec(select(Report)).all():
        report.created_at = monday + dt.timedelta(minutes=report.id or 0)
        session.add(report)
    session.commit()
    assert send_report(client, question_id, reason="wrong_information").status_code == 303

    moderator = staff_account(app, Role.moderator, email="moderation@equipe.example.be")
    now = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)  # Wednesday 2 December
    queue = workqueue.work_queue(session, settings=app.state.settings, staff=moderator, now=now)
    kinds = [(item.kind, item.message.id) for item in queue.items]
    assert kinds == [
        (workqueue.Kind.reported, answer_id),
        (workqueue.Kind.reported, question_id),
    ]
    first = queue.items[0]
    assert first.report is not None and first.report.count == 3
    assert first.report.reasons == [
        ("Des données personnelles sont visibles", 2),
        ("Contenu inapproprié ou insultant", 1),
    ]
    assert first.report.texts == [SECRET_NOTE]
    # Mon 23 Nov -> Wed 2 Dec: Tue, Wed, Thu, Fri, Mon, Tue, Wed = 7 working days: late.
    assert (first.age_days, first.late) == (7, True)
    assert queue.total == 2

    professional = staff_account(app, Role.professional, email="pro-seul@equipe.example.be")
    assert all(
        item.kind != workqueue.Kind.reported
        for item in workqueue.work_queue(
            session, settings=app.state.settings, staff=professional
        ).items
    )

    assert login(client, moderator.email).status_code == 303
    items = reported_items(staff_home(client))
    assert len(items) == 2
    words = items[0].get_text(" ", strip=True)
    assert "Signalé 3 fois" in words and "En retard" in words and SECRET_NOTE in words
    buttons = [button.get_text(" ", strip=True) for button in items[0].find_all("button")]
    assert [b.split(" de ")[0] for b in buttons] == ["Retirer le message", "Garder le message"]


def audit_lines(session: Session, action: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def press(client: TestClient, page: BeautifulSoup, item: BeautifulSoup, label: str) -> Response:
    """Press the button ``label`` of a work-queue item, as a browser sends its form."""
    button = next(b for b in item.find_all("button") if label in b.get_text())
    form = button.find_parent("form")
    data = {str(i["name"]): str(i.get("value", "")) for i in form.find_all("input")}
    return client.post(str(form["action"]), data=data, follow_redirects=False)


def test_removing_a_reported_message_from_the_queue_hides_it_in_one_step(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    thread_id, _, answer_id = thread_with_answer(app, client)
    send_report(client, answer_id, text=SECRET_NOTE)
    send_report(client, answer_id, reason="spam")
    moderator = staff_account(app, Role.moderator, email="moderation@equipe.example.be")
    assert login(client, moderator.email).status_code == 303
    page = staff_home(client)
    removed = press(client, page, reported_items(page)[0], "Retirer le message")
    assert removed.status_code == 303
    assert removed.headers["location"] == "/staff?fait=report_removed"
    after = client.get(removed.headers["location"])
    assert "Message retiré des pages publiques" in unescape(after.text)
    assert reported_items(BeautifulSoup(after.text, "html.parser")) == []

    message = session.get(Message, answer_id)
    assert message is not None and message.state == MessageState.hidden
    settled = session.exec(select(Report)).all()
    assert {(r.outcome, r.resolved_by) for r in settled} == {(ReportOutcome.removed, moderator.id)}
    [line] = audit_lines(session, "hide")
    assert line.target == f"message {answer_id}" and line.staff_id == moderator.id
    assert line.reason is not None and line.reason.startswith("Signalé")
    assert "Publicité ou spam (1)" in line.reason
    public = client.get(f"/questions/{thread_id}").text
    assert "le PIIS est en principe obligatoire" not in public


def test_keeping_a_reported_message_sets_its_reports_aside_and_audits_it(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    thread_id, _, answer_id = thread_with_answer(app, client)
    send_report(client, answer_id, reason="wrong_information")
    moderator = staff_account(app, Role.moderator, email="moderation@equipe.example.be")
    assert login(client, moderator.email).status_code == 303
    page = staff_home(client)
    kept = press(client, page, reported_items(page)[0], "Garder le message")
    assert kept.status_code == 303
    assert kept.headers["location"] == "/staff?fait=report_kept"
    assert reported_items(staff_home(client)) == []

    message = session.get(Message, answer_id)
    assert message is not None and message.state == MessageState.published
    [report] = session.exec(select(Report)).all()
    assert (report.outcome, report.resolved_by) == (ReportOutcome.kept, moderator.id)
    [line] = audit_lines(session, "report_kept")
    assert line.target == f"message {answer_id}" and line.staff_id == moderator.id
    assert line.reason == "Signalé\u202f: Information fausse ou dépassée (1)"
    assert "le PIIS est en principe obligatoire" in client.get(f"/questions/{thread_id}").text
    # A new report of the kept message opens a new item.
    send_report(client, answer_id, reason="spam")
    assert len(reported_items(staff_home(client))) == 1


def test_removing_a_message_a_colleague_changed_meanwhile_says_so(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _, _, answer_id = thread_with_answer(app, client)
    send_report(client, answer_id)
    moderator = staff_account(app, Role.moderator, email="moderation@equipe.example.be")
    assert login(client, moderator.email).status_code == 303
    page = staff_home(client)
    item = reported_items(page)[0]
    message = session.get(Message, answer_id)
    assert message is not None
    message.version += 1  # a colleague edited it after the queue was shown
    session.add(message)
    session.commit()
    refused = press(client, page, item, "Retirer le message")
    assert refused.status_code == 409
    assert "Quelqu'un d'autre a modifié ce message" in unescape(refused.text)
    session.refresh(message)
    assert message.state == MessageState.published
    assert session.exec(select(Report.resolved_at)).all() == [None]


def test_hiding_a_reported_message_from_its_page_settles_its_reports(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _, _, answer_id = thread_with_answer(app, client)
    send_report(client, answer_id)
    moderator = staff_account(app, Role.moderator, email="moderation@equipe.example.be")
    assert login(client, moderator.email).status_code == 303
    page = client.get(f"/staff/messages/{answer_id}")
    forms = BeautifulSoup(page.text, "html.parser").find_all("form", method="post")
    index = next(i for i, f in enumerate(forms) if f.find("input", attrs={"value": "hide"}))
    hidden = client.post(
        f"/staff/messages/{answer_id}/decision", data=form_data(page, index, raison="Vu")
    )
    assert hidden.status_code == 200
    assert session.exec(select(Report.outcome)).all() == [ReportOutcome.removed]
    assert reported_items(staff_home(client)) == []


def test_the_public_never_sees_a_report(app: FastAPI, client: TestClient) -> None:
    thread_id, _, answer_id = thread_with_answer(app, client)
    send_report(client, answer_id, text=SECRET_NOTE)
    send_report(client, answer_id, reason="spam")
    for url in (f"/questions/{thread_id}", "/questions", "/recherche?q=PIIS"):
        text = unescape(client.get(url).text)
        assert SECRET_NOTE not in text
        assert "Signalé" not in text and "signalement" not in text.lower()
    # Nor the page of the report itself, reopened.
    again = unescape(client.get(f"/questions/messages/{answer_id}/signaler").text)
    assert SECRET_NOTE not in again


def test_a_reported_message_can_still_be_purged(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _, _, answer_id = thread_with_answer(app, client)
    send_report(client, answer_id)
    message = session.get(Message, answer_id)
    assert message is not None
    message.state = MessageState.deleted
    message.state_changed_at = utcnow() - dt.timedelta(days=365)
    session.add(message)
    session.commit()
    assert upkeep.purge(session, settings=app.state.settings) == 1
    assert session.exec(select(Report)).all() == []
    assert reports.waiting_count(session) == 0


def test_a_limit_of_one_report_is_said_in_the_singular(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    _, question_id, answer_id = thread_with_answer(app, client)
    app.state.settings.posting_limit_per_hour = 1
    assert send_report(client, answer_id).status_code == 303
    refused = send_report(client, question_id, reason="spam")
    assert refused.status_code == 429
    assert "Tu as déjà envoyé 1 signalement en une heure" in unescape(refused.text)
