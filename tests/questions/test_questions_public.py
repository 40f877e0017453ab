"""The public side of questions: the form and its errors, the thread, the asker's private page."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.mail import deliver_queued, take_queued_ids
from app.main import create_app
from app.questions import reading, robots
from app.questions.models import Author, Message, MessageState, Thread, ThreadState
from app.staff.models import Role
from tests.conftest import make_settings
from tests.questions.thread_helpers import (
    QUESTION,
    answered,
    ask,
    error_messages,
    form_data,
    outbox,
    private_path,
    published_question,
    staff_account,
    text_of,
)


def test_the_form_marks_required_fields_and_promises_the_email_is_not_published(
    client: TestClient,
) -> None:
    page = BeautifulSoup(client.get("/questions/poser").text, "html.parser")
    assert page.h1 is not None and page.h1.get_text() == "Poser une question"
    for name in ("pseudo", "email", "question", "consentement"):
        label = page.find("label", attrs={"for": name})
        assert label is not None and "*" in label.get_text(), name
    text = page.get_text(" ")
    assert "Ton adresse e-mail n'est jamais publiée" in text
    notice = page.find(class_="privacy-notice")
    assert notice is not None
    for promise in ("Quoi :", "Qui lit :", "Combien de temps :", "12 mois"):
        assert promise in notice.get_text(" ")


def test_asking_shows_the_moderation_wait_and_emails_a_private_link(
    client: TestClient, settings: Settings
) -> None:
    response = ask(client, pseudo="Lina", email="Lina@Example.be")
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "en attente de relecture" in unescape(page.text)
    assert "3 jours ouvrables" in unescape(page.text)
    [mail] = outbox(settings)
    assert mail["To"] == "lina@example.be"
    assert mail["Subject"] == "Ta question a bien été reçue"
    assert (
        mail["List-Unsubscribe"].strip().startswith("<http://testserver/questions/desabonnement/")
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = text_of(mail)
    # Nothing the visitor typed goes out before a moderator read it.
    assert "Lina" not in body and "PIIS" not in body
    token = private_path(mail).rsplit("/", 1)[-1]
    assert len(token) >= 40
    private = client.get(private_path(mail))
    assert private.status_code == 200
    assert "En attente de relecture" in unescape(private.text)
    assert private.headers["cache-control"] == "no-store"
    # Not public yet.
    assert "Lina" not in unescape(client.get("/questions").text)


def test_the_questionnaire_can_prefill_the_question(client: TestClient) -> None:
    page = client.get("/questions/poser", params={"question": "J'ai 20 ans, je vis seul."})
    soup = BeautifulSoup(page.text, "html.parser")
    textarea = soup.find("textarea", id="question")
    assert textarea is not None and textarea.get_text() == "J'ai 20 ans, je vis seul."


def test_a_question_from_a_fiche_is_attached_to_it(
    app: FastAPI, client: TestClient, settings: Settings
) -> None:
    page = client.get("/questions/poser?fiche=piis-contrat-integration")
    assert "Ta question portera sur la fiche" in unescape(page.text)
    published_question(app, client, fiche="piis-contrat-integration", pseudo="Milo")
    with Session(app.state.engine) as session:
        fiche_page = reading.thread_list(session, fiche_slug="piis-contrat-integration")
        every = reading.thread_list(session, fiche_slug=None, settings=settings)
        other = reading.thread_list(session, fiche_slug="etudiant-cpas")
    assert fiche_page.total == 1
    assert fiche_page.threads[0].root.message.author_name == "Milo"
    assert other.total == 0
    # /questions lists it too, naming its fiche.
    assert every.total == 1
    assert (every.threads[0].fiche_title or "").startswith("Le PIIS")
    # An unknown fiche is ignored rather than stored.
    assert "portera sur la fiche" not in unescape(
        client.get("/questions/poser?fiche=../secret").text
    )


LONG = "Je me demande si le CPAS peut refuser. " * 260  # about 10 000 characters
SCRIPT = '<script>alert("x")</script><b>gras</b>'


@pytest.mark.parametrize(
    ("case", "fields", "expected"),
    [
        (
            "champs vides",
            {"pseudo": "", "email": "", "question": "", "consent": False},
            [
                "Indique un pseudo (pas ton vrai nom).",
                "Indique ton adresse e-mail : nous y envoyons ton lien de suivi.",
                "Écris ta question.",
                "Pour envoyer ta question, accepte la façon dont nous gardons tes données.",
            ],
        ),
        (
            "question de 10 000 caractères",
            {"question": LONG[:10000]},
            ["Ton texte ne peut pas dépasser 3\u202f000 caractères (il en compte 10\u202f000)."],
        ),
        (
            "HTML et script partout",
            {"pseudo": SCRIPT, "email": SCRIPT, "question": SCRIPT + " " + SCRIPT},
            ["Indique une adresse e-mail valable, comme prenom@exemple.be."],
        ),
        (
            "adresse e-mail invalide",
            {"email": "lina-at-example.be"},
            ["Indique une adresse e-mail valable, comme prenom@exemple.be."],
        ),
        (
            "sans consentement",
            {"consent": False},
            ["Pour envoyer ta question, accepte la façon dont nous gardons tes données."],
        ),
        (
            "question trop courte",
            {"question": "PIIS ?"},
            [
                "Ta question est trop courte : explique un peu ta situation "
                "(15 caractères au moins)."
            ],
        ),
        (
            "trois liens",
            {"question": "Voir https://a.be et https://b.be et www.c.be, c'est juste ?"},
            ["Ton texte contient trop de liens : 2 au maximum."],
        ),
        (
            "une adresse e-mail dans la question",
            {"question": "Répondez-moi plutôt à lina@example.be s'il vous plaît."},
            ["N'écris pas d'adresse e-mail dans ton texte : il sera publié."],
        ),
        (
            "pseudo qui est une adresse",
            {"pseudo": "lina@example.be"},
            ["Ton pseudo ne peut contenir ni adresse e-mail ni lien : il est publié."],
        ),
        (
            "champ piège rempli",
            {"site_web": "https://spam.example"},
            ["Ton message n'est pas parti : le champ « Ne pas remplir » ne doit pas être rempli."],
        ),
        (
            "heure de début falsifiée (trop vite)",
            {"debut": "1.0.faux"},
            ["Ton message est parti très vite, comme s'il venait d'un robot."],
        ),
    ],
)
def test_bad_input_gets_its_french_message_and_keeps_what_was_typed(
    client: TestClient,
    settings: Settings,
    case: str,
    fields: dict[str, object],
    expected: list[str],
) -> None:
    values: dict[str, str] = {"pseudo": "Lina", "email": "lina@example.be", "question": QUESTION}
    fields = dict(fields)  # the table is shared by the runs on each database
    consent = bool(fields.pop("consent", True))
    values.update({k: str(v) for k, v in fields.items()})
    page = client.get("/questions/poser")
    data = form_data(page, **values)
    if consent:
        data["consentement"] = "oui"
    response = client.post("/questions/poser", data=data)
    assert response.status_code == 400, case
    shown = " ".join(error_messages(response.text))
    for message in expected:
        assert message.split("«")[0].strip() in shown, (case, shown)
    assert response.text.count('class="error-summary"') == 1
    soup = BeautifulSoup(response.text, "html.parser")
    # Everything typed is still there (the text fields come back as typed).
    textarea = soup.find("textarea", id="question")
    assert textarea is not None and textarea.get_text() == values["question"].strip()
    pseudo = soup.find("input", id="pseudo")
    assert pseudo is not None and pseudo["value"] == values["pseudo"].strip()
    # Nothing typed runs: HTML comes back escaped.
    assert "<script>alert" not in response.text
    assert outbox(settings) == []


def test_html_in_a_question_is_shown_as_text(app: FastAPI, client: TestClient) -> None:
    thread_id, _ = published_question(
        app, client, pseudo="<i>Zoé</i>", question="Est-ce que <script>alert(1)</script> marche ?"
    )
    page = client.get(f"/questions/{thread_id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;i&gt;Zoé&lt;/i&gt;" in page.text
    assert "<script>alert" not in page.text and "<i>Zoé" not in page.text


def test_a_form_sent_faster_than_a_person_is_refused_then_accepted(
    tmp_path: object, database_url: str, settings: Settings
) -> None:
    slow = make_settings(
        settings.var_dir.parent, database_url, min_fill_seconds=3, var_dir=settings.var_dir
    )
    from app import migrate

    migrate.upgrade(database_url)
    with TestClient(create_app(slow)) as client:
        page = client.get("/questions/poser")
        fields = {"pseudo": "Lina", "email": "lina@example.be", "question": QUESTION}
        data = form_data(page, consentement="oui", **fields)
        refused = client.post("/questions/poser", data=data)
        assert refused.status_code == 400
        assert "Ton message est parti très vite" in unescape(refused.text)
        # The page sent back has a new start time: a person who waits a little gets through.
        data = form_data(refused, consentement="oui", **fields)
        data["debut"] = robots.form_started_token(slow, at=time.time() - 5)
        accepted = client.post("/questions/poser", data=data, follow_redirects=False)
        assert accepted.status_code == 303


def test_over_the_rate_limit_the_question_is_kept_and_explained(client: TestClient) -> None:
    for number in range(5):
        response = ask(client, question=f"{QUESTION} (variante {number})")
        assert response.status_code == 303
    refused = ask(client, question=f"{QUESTION} (variante 6)")
    assert refused.status_code == 429
    assert "Tu as déjà envoyé 5 messages en une heure" in unescape(refused.text)
    assert "(variante 6)" in unescape(refused.text)


def test_the_limit_also_counts_per_email_address(client: TestClient, settings: Settings) -> None:
    # Same address from "different" visitors: the e-mail counter still stops the sixth.
    for number in range(5):
        assert ask(client, question=f"{QUESTION} ({number})").status_code == 303
    other = TestClient(client.app, client=("10.0.0.9", 1234))
    with other:
        refused = ask(other, question=f"{QUESTION} (autre machine)")
    assert refused.status_code == 429


def test_an_exact_duplicate_within_a_day_is_refused_politely(client: TestClient) -> None:
    assert ask(client).status_code == 303
    again = ask(client, question="  " + QUESTION.upper() + " ")
    assert again.status_code == 409
    assert "Ce texte a déjà été envoyé aujourd'hui : il est bien arrivé" in unescape(again.text)


def test_a_missing_csrf_token_is_refused_and_gives_back_the_text(client: TestClient) -> None:
    client.get("/questions/poser")
    response = client.post(
        "/questions/poser",
        data={"pseudo": "Lina", "email": "lina@example.be", "question": QUESTION},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 403
    assert "Le formulaire n'a pas été envoyé" in unescape(response.text)
    assert "signer un PIIS" in unescape(response.text)


def _answer(app: FastAPI, thread_id: int, body: str) -> None:
    pro = staff_account(app, Role.professional, email="pro-reponse@equipe.example.be")
    with Session(app.state.engine) as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        answered(app, session, pro, thread, body)
        deliver_queued(session, app.state.settings, ids=take_queued_ids(session))


def test_the_thread_page_nests_replies_marks_the_organisation_and_renders_safe_markdown(
    app: FastAPI, client: TestClient, settings: Settings
) -> None:
    thread_id, private = published_question(app, client, pseudo="Lina")
    waiting = client.get(f"/questions/{thread_id}")
    assert "En attente de réponse" in unescape(waiting.text)
    _answer(
        app,
        thread_id,
        "Bonjour Lina,\n\n**Oui**, en principe.\n\n- [la fiche](https://example.org/piis)\n"
        "- [piège](javascript:alert(1))\n\n<script>alert(2)</script>\n\n![image](https://x.be/i.png)",
    )
    page = BeautifulSoup(client.get(f"/questions/{thread_id}").text, "html.parser")
    answer = page.find(class_="message-pro")
    assert answer is not None
    assert settings.organisation_name in answer.get_text()
    assert "Réponse d'un professionnel" in answer.get_text()
    body = answer.find(class_="message-body")
    assert body is not None
    assert body.find("strong") is not None
    # javascript: is not a link; an image is only a link to it.
    assert [a["href"] for a in body.find_all("a")] == [
        "https://example.org/piis",
        "https://x.be/i.png",
    ]
    assert body.find("script") is None and "&lt;script&gt;" in str(body)
    assert body.find("img") is None
    # Nested under the question, with a permalink per message and a date in French.
    question = page.find(class_="message-asker")
    assert question is not None
    assert question.parent is not None
    replies = question.parent.find("ol", class_="replies")
    assert replies is not None and replies.find(class_="message-pro") is not None
    for message in page.find_all("article", class_="message"):
        link = message.find("a", class_="message-date")
        assert link["href"] == f"/questions/{thread_id}#{message['id']}"
        assert re.search(r"\d{1,2}(er)? \w+ 20\d\d", link.get_text())
    assert "Répondu" in page.get_text()
    # The asker is told, with one e-mail to one recipient.
    mail = outbox(settings)[-1]
    assert mail["Subject"] == "Un professionnel a répondu à ta question"
    assert mail["To"] == "lina@example.be"
    assert private_path(mail) == private


def test_unpublished_threads_are_not_public(client: TestClient) -> None:
    assert ask(client).status_code == 303
    assert client.get("/questions/1").status_code == 404
    assert "Aucune question pour l'instant" in unescape(client.get("/questions").text)


def test_the_general_questions_are_counted_newest_first_and_paginated(
    app: FastAPI, client: TestClient, settings: Settings
) -> None:
    app.state.settings.posting_limit_per_hour = 50
    for number in range(12):
        published_question(
            app, client, pseudo=f"Jeune{number:02d}", question=f"{QUESTION} Numéro {number}."
        )
    first = BeautifulSoup(client.get("/questions").text, "html.parser")
    assert first.find(id="questions-titre").get_text() == "12 questions déjà posées"
    titles = [h.get_text() for h in first.find_all(class_="thread-by")]
    assert len(titles) == 10 and titles[0] == "Question de Jeune11"
    second = BeautifulSoup(client.get("/questions?page=2").text, "html.parser")
    assert [h.get_text() for h in second.find_all(class_="thread-by")] == [
        "Question de Jeune01",
        "Question de Jeune00",
    ]
    assert "Page 2 sur 2" in second.get_text()
    assert client.get("/questions?page=3").status_code == 404


def test_the_asker_replies_published_at_once_once_answered_moderated_before(
    app: FastAPI, client: TestClient
) -> None:
    thread_id, private = published_question(app, client)
    page = client.get(private)
    assert "Ta réponse sera publiée après relecture" in unescape(page.text)
    early = client.post(
        private + "/repondre",
        data=form_data(page, message="J'ajoute que je suis étudiante."),
        follow_redirects=False,
    )
    assert early.status_code == 303
    followed = client.get(early.headers["location"])
    assert "Elle sera publiée après relecture" in unescape(followed.text)
    assert "J'ajoute que je suis étudiante." not in unescape(
        client.get(f"/questions/{thread_id}").text
    )

    _answer(app, thread_id, "Bonjour, en principe oui. Bien à toi,")
    page = client.get(private)
    assert "Ta réponse sera publiée tout de suite" in unescape(page.text)
    reply = client.post(
        private + "/repondre",
        data=form_data(page, message="Merci pour la réponse !"),
        follow_redirects=False,
    )
    assert "fait=publiee" in reply.headers["location"]
    public = client.get(f"/questions/{thread_id}").text
    assert "Merci pour la réponse !" in public
    assert "En attente de réponse" in public  # answered -> awaiting answer again
    with Session(app.state.engine) as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None and thread.state == ThreadState.awaiting_answer


def test_nobody_replies_to_an_unpublished_message_or_a_closed_thread(
    app: FastAPI, client: TestClient, settings: Settings
) -> None:
    assert ask(client).status_code == 303
    private = private_path(outbox(settings)[-1])
    page = client.get(private)
    assert 'id="repondre"' not in unescape(page.text)
    # Posting anyway: refused with a French message, no 500.
    tokens = form_data(client.get(private + "/supprimer"))
    tokens["debut"] = robots.form_started_token(settings)
    refused = client.post(private + "/repondre", data={**tokens, "message": "Alors ?"})
    assert refused.status_code == 409
    assert "Cette question n'est pas publiée" in unescape(refused.text)

    thread_id, private = published_question(app, client, question=f"{QUESTION} Encore.")
    with Session(app.state.engine) as session:
        pending = session.exec(select(Message).where(Message.state == MessageState.pending)).first()
        assert pending is not None
        pending_id = pending.id
    page = client.get(private)
    refused = client.post(
        private + "/repondre", data=form_data(page, message="Réponse", parent=str(pending_id))
    )
    assert refused.status_code == 409
    assert "Ce message n'existe pas dans cette conversation." in unescape(refused.text) or (
        "Ce message n'est pas publié" in unescape(refused.text)
    )
    with Session(app.state.engine) as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        thread.state = ThreadState.closed
        session.add(thread)
        session.commit()
    page = client.get(private)
    assert "Cette conversation est fermée" in unescape(
        page.text
    ) and 'id="repondre"' not in unescape(page.text)
    refused = client.post(private + "/repondre", data={**tokens, "message": "Et alors ?"})
    assert refused.status_code == 409
    assert "Cette conversation est fermée" in unescape(refused.text)


def test_deleting_a_question_hides_it_erases_the_email_and_anonymises(
    app: FastAPI, client: TestClient, settings: Settings
) -> None:
    thread_id, private = published_question(app, client, pseudo="Lina")
    _answer(app, thread_id, "Bonjour Lina, voici la réponse.")
    confirm = client.get(private + "/supprimer")
    assert "Supprimer ta question ?" in unescape(confirm.text)
    done = client.post(private + "/supprimer", data=form_data(confirm), follow_redirects=False)
    assert done.status_code == 303
    assert "Tu as supprimé ta question" in unescape(client.get(done.headers["location"]).text)
    gone = client.get(f"/questions/{thread_id}")
    assert gone.status_code == 410  # not a 404: the page says what happened
    assert "La personne qui avait posé cette question l'a supprimée" in unescape(gone.text)
    assert "Lina" not in unescape(gone.text)
    assert "Lina" not in unescape(client.get("/questions").text)
    with Session(app.state.engine) as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        assert thread.asker_email is None and not thread.is_public
        names = {
            m.author_name
            for m in session.exec(select(Message).where(Message.thread_id == thread_id)).all()
            if m.author == "asker"
        }
    assert names == {"Anonyme"}


def test_unsubscribing_takes_one_button_or_one_click_from_the_mail_software(
    app: FastAPI, client: TestClient, settings: Settings
) -> None:
    thread_id, _ = published_question(app, client)
    mail = outbox(settings)[-1]
    url = mail["List-Unsubscribe"].strip().strip("<>").removeprefix("http://testserver")
    page = client.get(url)
    assert "Ne plus recevoir d'e-mails ?" in unescape(page.text)
    # RFC 8058: posted by the mail software, without cookie or token.
    one_click = TestClient(app).post(url, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "C'est fait" in unescape(one_click.text)
    count = len(outbox(settings))
    _answer(app, thread_id, "Une réponse que personne ne reçoit par e-mail.")
    assert len(outbox(settings)) == count
    assert client.get(url + "x").status_code == 404


def test_the_questions_list_shows_the_start_of_each_question_and_its_fiche(
    app: FastAPI, client: TestClient
) -> None:
    published_question(app, client, pseudo="Sans", question=f"{QUESTION} Question générale.")
    published_question(
        app,
        client,
        pseudo="Fichee",
        question="Puis-je garder mon job étudiant " * 8,
        fiche="piis-contrat-integration",
    )
    page = BeautifulSoup(client.get("/questions").text, "html.parser")
    threads = page.select("li.thread")
    assert len(threads) == 2
    newest = threads[0]
    title = newest.select_one(".thread-title").get_text()
    assert title.startswith("Puis-je garder mon job étudiant") and title.endswith("…")
    assert len(title) <= 111
    fiche_link = newest.select_one(".thread-by a")
    assert fiche_link["href"] == "/fiches/piis-contrat-integration"
    assert fiche_link.get_text().startswith("Le PIIS")
    assert threads[1].select_one(".thread-by a") is None  # a general question names no fiche
    assert threads[1].select_one(".thread-title").get_text().startswith("Bonjour, j'ai 19 ans")


def test_the_askers_reply_answers_the_professionals_last_message_by_default(
    app: FastAPI, client: TestClient
) -> None:
    thread_id, private = published_question(app, client, pseudo="Lina")
    _answer(app, thread_id, "Voici notre réponse.")
    page = client.get(private)
    sent = client.post(
        private + "/repondre",
        data=form_data(page, 0, message="Merci, une autre question."),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    with Session(app.state.engine) as session:
        answer_id = session.exec(
            select(Message.id).where(Message.author == Author.professional)
        ).one()
    again = BeautifulSoup(client.get(private).text, "html.parser")
    parent = again.select_one('#repondre input[name="parent"]')
    assert parent is not None and parent["value"] == str(answer_id)
