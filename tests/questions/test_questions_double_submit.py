"""One form, one post: a double-click, a page sent again or two workers at once store it once."""

from __future__ import annotations

import threading
import time
from html import unescape

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.questions import asking, errors, robots, upkeep
from app.questions.models import Author, Message, Thread
from tests.questions.thread_helpers import (
    QUESTION,
    ask,
    form_data,
    links_for,
    outbox,
    published_question,
)


def _count(app: FastAPI, model: type[Thread] | type[Message], *where: object) -> int:
    with Session(app.state.engine) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def test_a_double_click_stores_one_question_and_both_clicks_land_on_the_sent_page(
    app: FastAPI, client: TestClient
) -> None:
    page = client.get("/questions/poser")
    data = form_data(
        page, pseudo="Lina", email="lina@example.be", question=QUESTION, consentement="oui"
    )
    first = client.post("/questions/poser", data=data, follow_redirects=False)
    second = client.post("/questions/poser", data=data, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert _count(app, Thread) == 1
    assert len(outbox(app.state.settings)) == 1  # one e-mail with the private link, not two


def test_two_workers_sending_the_same_form_at_once_store_it_once(app: FastAPI) -> None:
    settings = app.state.settings
    started = robots.form_started_token(settings, at=time.time() - 10)
    nonce = robots.form_nonce(settings, started)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send() -> None:
        with Session(app.state.engine) as session:
            barrier.wait()
            try:
                asking.ask(
                    session,
                    settings=settings,
                    links=links_for(app),
                    pseudonym="Lina",
                    email="lina@example.be",
                    body=QUESTION,
                    fiche_slug=None,
                    address="192.0.2.1",
                    form=nonce,
                )
                outcomes.append("stored")
            except errors.AlreadySentError:
                outcomes.append("already")
            except errors.RefusedError as refused:
                outcomes.append(f"refused {refused.status_code}")

    workers = [threading.Thread(target=send) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert sorted(outcomes)[1:] == ["stored"] and len(outcomes) == 2
    assert _count(app, Thread) == 1


def test_a_reply_sent_twice_is_stored_once(app: FastAPI, client: TestClient) -> None:
    _thread_id, private = published_question(app, client)
    page = client.get(private)
    data = form_data(page, message="Merci, et pour le loyer ?")
    client.post(private + "/repondre", data=data, follow_redirects=False)
    again = client.post(private + "/repondre", data=data)
    assert "Ton message était déjà parti : il n'est enregistré qu'une fois." in unescape(again.text)
    replies = _count(
        app, Message, col(Message.author) == Author.asker, col(Message.parent_id).is_not(None)
    )
    assert replies == 1


def test_a_form_shown_more_than_a_day_ago_is_refused_and_keeps_the_text(
    app: FastAPI, client: TestClient
) -> None:
    page = client.get("/questions/poser")
    data = form_data(
        page, pseudo="Lina", email="lina@example.be", question=QUESTION, consentement="oui"
    )
    data["debut"] = robots.form_started_token(app.state.settings, at=time.time() - 25 * 3600)
    refused = client.post("/questions/poser", data=data)
    assert refused.status_code == 400
    assert "ouverte depuis plus de 24 heures" in unescape(refused.text)
    assert "signer un PIIS" in unescape(refused.text)
    assert _count(app, Thread) == 0


def test_maintenance_removes_from_the_outbox_the_mails_of_a_deleted_question(
    app: FastAPI, client: TestClient
) -> None:
    settings = app.state.settings
    _thread_id, private = published_question(app, client, email="efface@example.be")
    ask(client, email="garde@example.be", question=QUESTION + " Une autre question.")
    assert {str(mail["To"]) for mail in outbox(settings)} == {
        "efface@example.be",
        "garde@example.be",
    }
    page = client.get(private + "/supprimer")
    client.post(private + "/supprimer", data=form_data(page))
    with Session(app.state.engine) as session:
        removed = upkeep.prune_outbox(session, settings=settings)
    assert removed >= 1
    left = [path.read_bytes() for path in settings.outbox_dir.glob("*.eml")]
    assert left and not any(b"efface@example.be" in raw for raw in left)
    assert all(b"garde@example.be" in raw for raw in left)
