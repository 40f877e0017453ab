"""Similar questions: after a preview step (no JavaScript needed), the young person sees the
closest published questions and fiches; the professional sees the same list beside the
question. On SQLite and PostgreSQL (the search index)."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.staff.models import Role
from tests.questions.thread_helpers import form_data, published_question, signed_in

PUBLISHED = "Mon allocation de chômage est suspendue, le CPAS peut-il m'aider en attendant ?"
NEW = "Le chômage a suspendu mon allocation : est-ce que le CPAS m'aide pendant ce temps ?"


def test_the_preview_shows_a_close_published_question_and_keeps_the_form(
    app: FastAPI, client: TestClient
) -> None:
    thread_id, _ = published_question(app, TestClient(app), pseudo="Avant", question=PUBLISHED)
    page = client.get("/questions/poser")
    fields = {"pseudo": "Lou", "email": "lou@example.be", "question": NEW, "consentement": "oui"}
    preview = client.post("/questions/poser", data=form_data(page, 0, action="apercu", **fields))
    assert preview.status_code == 200
    soup = BeautifulSoup(preview.text, "html.parser")
    section = soup.select_one("section.similar")
    assert section is not None
    assert "Ta question a peut-être déjà une réponse" in section.get_text()
    links = [a["href"] for a in section.select("a")]
    assert any(href.startswith(f"/questions/{thread_id}#") for href in links)
    assert soup.select_one("#question").get_text() == NEW  # what was typed is kept
    assert soup.select_one("#pseudo")["value"] == "Lou"
    sent = client.post(
        "/questions/poser",
        data=form_data(preview, 0, action="envoyer", **fields),
        follow_redirects=False,
    )
    assert sent.status_code == 303  # the preview kept the form's start time


def test_the_professional_sees_the_same_list_beside_the_question(
    app: FastAPI, client: TestClient
) -> None:
    asker = TestClient(app)
    first, _ = published_question(app, asker, pseudo="Avant", question=PUBLISHED)
    second, _ = published_question(app, asker, pseudo="Apres", question=NEW)
    signed_in(client, app, Role.professional)
    soup = BeautifulSoup(client.get(f"/staff/fils/{second}").text, "html.parser")
    section = soup.select_one("section.similar")
    assert section is not None
    links = [a["href"] for a in section.select("a")]
    assert any(href.startswith(f"/questions/{first}#") for href in links), section
    assert not any(href.startswith(f"/questions/{second}#") for href in links)
