"""After people have asked, replied and been answered, a crawl of every public page and of the
API finds no asker's address and no private token (the private link, the unsubscribe link)."""

from __future__ import annotations

import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.demo import seed_demo
from app.questionnaire.api import EXAMPLE_ANSWERS
from app.staff.models import Role
from tests.questions.test_questions_privacy import EMAIL, crawl
from tests.questions.thread_helpers import (
    QUESTION,
    ask,
    form_data,
    outbox,
    published_question,
    signed_in,
    text_of,
)

TOKEN_PATH = re.compile(r"/questions/(?:suivi|desabonnement)/([A-Za-z0-9_.\-]{16,})")


def test_no_address_and_no_token_anywhere_public(app: FastAPI, client: TestClient) -> None:
    app.state.settings.posting_limit_per_hour = 50
    with Session(app.state.engine) as session:
        list(seed_demo(session, app.state.settings))
    addresses = ["tres.secrete@example.be", "autre.personne@example.be", "en.attente@example.be"]
    asker = TestClient(app, client=("198.51.100.40", 5000))
    thread_id, private = published_question(
        app, asker, pseudo="Discrète", email=addresses[0], fiche="piis-contrat-integration"
    )
    published_question(app, asker, pseudo="Autre", email=addresses[1], question=QUESTION + " Bis.")
    assert ask(asker, email=addresses[2], question=QUESTION + " En attente.").status_code == 303
    staff = TestClient(app)
    signed_in(staff, app, Role.professional)
    page = staff.get(f"/staff/fils/{thread_id}")
    staff.post(
        f"/staff/fils/{thread_id}/repondre",
        data=form_data(page, 1, reponse="Bonjour, oui. Écris-nous si besoin."),
    )
    reply_page = asker.get(private)
    asker.post(f"{private}/repondre", data=form_data(reply_page, message="Merci beaucoup !"))

    mails = outbox(app.state.settings)
    tokens = {token for mail in mails for token in TOKEN_PATH.findall(text_of(mail))}
    tokens |= {
        token
        for mail in mails
        for token in TOKEN_PATH.findall(str(mail.get("List-Unsubscribe", "")))
    }
    assert len(tokens) >= 3, tokens  # private links and unsubscribe links were sent

    visitor = TestClient(app)
    pages = crawl(visitor)
    for path in ("/api/questionnaire", "/recherche?q=PIIS", "/recherche?q=Discrète"):
        pages[path] = visitor.get(path).text
    evaluation = visitor.post("/api/questionnaire/evaluate", json={"answers": EXAMPLE_ANSWERS})
    assert evaluation.status_code == 200
    pages["POST /api/questionnaire/evaluate"] = json.dumps(evaluation.json())
    assert f"/questions/{thread_id}" in pages and "/api/openapi.json" in pages
    assert "Merci beaucoup" in pages[f"/questions/{thread_id}"]

    leaks = {
        path: [secret for secret in [*addresses, *tokens] if secret in text] + EMAIL.findall(text)
        for path, text in pages.items()
    }
    assert {path: found for path, found in leaks.items() if found} == {}
