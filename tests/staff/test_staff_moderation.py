"""The staff at work: the queue, decisions, edits, answers with a preview, roles, the audit log."""

from __future__ import annotations

from html import unescape

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.questions.models import Message, MessageState, Thread
from app.staff.models import AuditEntry, Role, StaffUser
from tests.questions.thread_helpers import (
    QUESTION,
    ask,
    form_data,
    login,
    outbox,
    private_path,
    published_question,
    signed_in,
    staff_account,
    text_of,
)


def visitor(app: FastAPI) -> TestClient:
    return TestClient(app, client=("198.51.100.20", 5000))


def message_form(page_html: str, action: str) -> dict[str, str]:
    """The hidden fields of the decision form for ``action``."""
    soup = BeautifulSoup(page_html, "html.parser")
    field = soup.find("input", attrs={"name": "action", "value": action})
    assert field is not None, f"pas de bouton pour {action}"
    form = field.find_parent("form")
    assert form is not None
    return {str(i["name"]): str(i.get("value", "")) for i in form.find_all("input", type="hidden")}


def pending_ids(app: FastAPI) -> list[int]:
    with Session(app.state.engine) as session:
        return [
            m.id
            for m in session.exec(
                select(Message).where(Message.state == MessageState.pending).order_by(Message.id)
            ).all()
            if m.id is not None
        ]


def test_the_queue_lists_pending_messages_oldest_first(app: FastAPI, client: TestClient) -> None:
    asker = visitor(app)
    ask(asker, pseudo="Premiere", question=QUESTION + " Un.")
    ask(asker, pseudo="Seconde", question=QUESTION + " Deux.", fiche="piis-contrat-integration")
    signed_in(client, app, Role.moderator)
    page = BeautifulSoup(client.get("/staff/moderation").text, "html.parser")
    items = [li.get_text(" ") for li in page.find_all("li", class_="queue-item")]
    assert len(items) == 2
    assert "Premiere" in items[0] and "Seconde" in items[1]
    assert "Question générale" in items[0]
    assert "Fiche «\u00a0Le PIIS, le contrat d'intégration" in unescape(items[1])
    assert "lina@example.be" not in page.get_text()


def test_approve_publishes_and_tells_the_asker(app: FastAPI, client: TestClient) -> None:
    asker = visitor(app)
    ask(asker, pseudo="Lina")
    signed_in(client, app, Role.moderator)
    [message_id] = pending_ids(app)
    page = client.get(f"/staff/messages/{message_id}")
    done = client.post(
        f"/staff/messages/{message_id}/decision",
        data=message_form(page.text, "approve"),
        follow_redirects=False,
    )
    assert done.headers["location"] == "/staff/moderation?fait=approve"
    assert "Message publié." in client.get(done.headers["location"]).text
    assert "Question de Lina" in asker.get("/questions").text
    mail = outbox(app.state.settings)[-1]
    assert mail["Subject"] == "Ta question est publiée"


def test_reject_needs_a_reason_then_mails_it_with_the_text(
    app: FastAPI, client: TestClient
) -> None:
    ask(visitor(app), question="Je m'appelle Lina Dupont, dossier 4567, que faire ?")
    signed_in(client, app, Role.moderator)
    [message_id] = pending_ids(app)
    page = client.get(f"/staff/messages/{message_id}")
    data = message_form(page.text, "reject")
    empty = client.post(f"/staff/messages/{message_id}/decision", data={**data, "raison": ""})
    assert empty.status_code == 400
    assert "Indiquez la raison du refus" in unescape(empty.text)
    reason = "Ton message contient ton nom et ton numéro de dossier : enlève-les et renvoie-le."
    done = client.post(
        f"/staff/messages/{message_id}/decision",
        data={**data, "raison": reason},
        follow_redirects=False,
    )
    assert done.status_code == 303
    body = text_of(outbox(app.state.settings)[-1])
    assert reason in body and "dossier 4567" in body


def test_spam_then_delete_and_restore(app: FastAPI, client: TestClient) -> None:
    ask(visitor(app), question="Achetez des montres pas chères sur notre site, promo !")
    signed_in(client, app, Role.moderator)
    [message_id] = pending_ids(app)
    url = f"/staff/messages/{message_id}"
    client.post(url + "/decision", data=message_form(client.get(url).text, "spam"))
    client.post(url + "/decision", data=message_form(client.get(url).text, "delete"))
    page = client.get(url).text
    assert "Supprimé" in page and "Restaurer (Indésirable)" in page
    client.post(url + "/decision", data=message_form(page, "restore"))
    with Session(app.state.engine) as session:
        message = session.get(Message, message_id)
        assert message is not None and message.state == MessageState.spam


@pytest.mark.parametrize(
    ("action", "field"), [("hide", "raison-masquer"), ("delete", "raison-supprimer")]
)
def test_a_reason_too_long_is_refused_on_its_own_field_and_kept(
    app: FastAPI, client: TestClient, action: str, field: str
) -> None:
    """The reason of a hide or a delete goes to the audit log: past 500 characters it is
    refused with a message on its field, never cut without a word."""
    thread_id, _ = published_question(app, visitor(app))
    signed_in(client, app, Role.moderator)
    with Session(app.state.engine) as session:
        message = session.exec(select(Message).where(Message.thread_id == thread_id)).one()
    url = f"/staff/messages/{message.id}"
    reason = "Propos blessants envers une autre personne. " * 12  # 540 characters
    refused = client.post(
        url + "/decision", data={**message_form(client.get(url).text, action), "raison": reason}
    )
    assert refused.status_code == 400
    page = BeautifulSoup(refused.text, "html.parser")
    box = page.find(id=field)
    assert box is not None and box["value"] == reason and box["aria-invalid"] == "true"
    assert "ne peut pas dépasser 500 caractères" in page.find(id=f"{field}-erreur").get_text()
    assert page.select_one(".error-summary a")["href"] == f"#{field}"
    with Session(app.state.engine) as session:
        assert session.get(Message, message.id).state == MessageState.published  # type: ignore[union-attr]


def test_a_second_moderator_with_a_stale_page_is_told_and_nothing_is_overwritten(
    app: FastAPI, client: TestClient
) -> None:
    ask(visitor(app))
    signed_in(client, app, Role.moderator)
    other = TestClient(app)
    login(other, staff_account(app, Role.moderator, email="autre@equipe.example.be").email)
    [message_id] = pending_ids(app)
    url = f"/staff/messages/{message_id}"
    mine, theirs = client.get(url).text, other.get(url).text
    client.post(url + "/decision", data=message_form(mine, "approve"))
    late = other.post(
        url + "/decision", data={**message_form(theirs, "reject"), "raison": "Trop tard"}
    )
    assert late.status_code == 409
    assert "Quelqu'un d'autre a modifié ce message pendant que vous le lisiez" in unescape(
        late.text
    )
    with Session(app.state.engine) as session:
        message = session.get(Message, message_id)
        assert message is not None and message.state == MessageState.published


def test_editing_keeps_the_original_in_the_history(app: FastAPI, client: TestClient) -> None:
    ask(
        visitor(app), pseudo="Lina Dupont", question="J'habite rue des Lilas 4 à Namur, que faire ?"
    )
    signed_in(client, app, Role.moderator)
    [message_id] = pending_ids(app)
    url = f"/staff/messages/{message_id}"
    page = client.get(url)
    form = BeautifulSoup(page.text, "html.parser").find("form", action=url + "/modifier")
    assert form is not None
    version = form.find("input", attrs={"name": "version"})["value"]
    done = client.post(
        url + "/modifier",
        data=form_data(
            page,
            version=str(version),
            pseudo="Lina",
            texte="J'habite [adresse retirée], que faire ?",
        ),
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = BeautifulSoup(client.get(done.headers["location"]).text, "html.parser")
    history = page.find(class_="revisions")
    assert history is not None and "rue des Lilas 4" in history.get_text()
    assert "Lina Dupont" in history.get_text()
    with Session(app.state.engine) as session:
        message = session.get(Message, message_id)
        assert message is not None and message.author_name == "Lina"


def test_answer_with_a_preview_then_publish(app: FastAPI, client: TestClient) -> None:
    asker = visitor(app)
    thread_id, private = published_question(app, asker, pseudo="Lina")
    signed_in(client, app, Role.professional)
    url = f"/staff/fils/{thread_id}"
    page = client.get(url)
    text = "Bonjour Lina,\n\n**Oui** : voir [la fiche](https://example.org/piis).\n\n<b>brut</b>"
    preview = client.post(url + "/repondre", data=form_data(page, 1, reponse=text, action="apercu"))
    soup = BeautifulSoup(preview.text, "html.parser")
    shown = soup.find(class_="preview")
    assert shown is not None and shown.find("strong") is not None
    assert shown.find("b") is None
    textarea = soup.find("textarea", id="reponse")
    assert textarea is not None and textarea.get_text() == text
    assert "brut" not in asker.get(f"/questions/{thread_id}").text  # nothing published yet
    done = client.post(
        url + "/repondre",
        data=form_data(preview, 1, reponse=text, action="publier"),
        follow_redirects=False,
    )
    assert done.status_code == 303
    public = asker.get(f"/questions/{thread_id}").text
    assert 'voir <a href="https://example.org/piis">la fiche</a>' in public
    mail = outbox(app.state.settings)[-1]
    assert mail["Subject"] == "Un professionnel a répondu à ta question"
    assert private_path(mail) == private


def test_the_answer_form_is_for_professionals_only(app: FastAPI, client: TestClient) -> None:
    thread_id, _ = published_question(app, visitor(app))
    signed_in(client, app, Role.moderator)
    page = client.get(f"/staff/fils/{thread_id}")
    assert page.status_code == 200 and 'id="reponse"' not in page.text
    refused = client.post(
        f"/staff/fils/{thread_id}/repondre", data=form_data(page, reponse="Réponse")
    )
    assert refused.status_code == 403
    assert "Votre compte n'a pas le rôle nécessaire pour cette page." in unescape(refused.text)


@pytest.mark.parametrize(
    ("roles", "path", "status"),
    [
        ((Role.professional,), "/staff/comptes", 403),
        ((Role.professional,), "/staff/journal", 403),
        ((Role.professional,), "/staff/moderation", 403),
        ((Role.professional,), "/staff/fils", 200),
        ((Role.moderator,), "/staff/comptes", 403),
        ((Role.moderator,), "/staff/moderation", 200),
        ((Role.moderator,), "/staff/fils", 200),
        ((Role.moderator, Role.professional), "/staff/moderation", 200),
        ((Role.admin,), "/staff/comptes", 200),
        ((Role.admin,), "/staff/journal", 200),
        ((Role.admin,), "/staff/moderation", 403),
        ((Role.admin,), "/staff/mot-de-passe", 200),
    ],
)
def test_roles(
    app: FastAPI, client: TestClient, roles: tuple[Role, ...], path: str, status: int
) -> None:
    signed_in(client, app, *roles)
    assert client.get(path).status_code == status


def test_a_moderator_who_is_also_professional_can_answer(app: FastAPI, client: TestClient) -> None:
    thread_id, _ = published_question(app, visitor(app))
    signed_in(client, app, Role.moderator, Role.professional)
    page = client.get(f"/staff/fils/{thread_id}")
    done = client.post(
        f"/staff/fils/{thread_id}/repondre",
        data=form_data(page, 1, reponse="Bonjour, voici la réponse."),
        follow_redirects=False,
    )
    assert done.status_code == 303


def test_an_admin_creates_an_account_and_reads_the_audit_log(
    app: FastAPI, client: TestClient
) -> None:
    signed_in(client, app, Role.admin)
    page = client.get("/staff/comptes")
    bad = client.post(
        "/staff/comptes",
        data=form_data(page, nom="", email="pas-une-adresse", mot_de_passe="court"),
    )
    assert bad.status_code == 400
    for message in (
        "Indiquez un nom de 1 à 120 caractères.",
        "Indiquez une adresse e-mail valable.",
    ):
        assert message in unescape(bad.text)
    done = client.post(
        "/staff/comptes",
        data={
            **form_data(page, nom="Sofia", email="sofia@equipe.example.be"),
            "mot_de_passe": "une phrase de passe solide",
            "roles": ["moderator", "professional"],
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    with Session(app.state.engine) as session:
        user = session.exec(
            select(StaffUser).where(StaffUser.email == "sofia@equipe.example.be")
        ).one()
        assert user.role_set == {Role.moderator, Role.professional}
    log = BeautifulSoup(client.get("/staff/journal").text, "html.parser").get_text(" ")
    assert "Compte créé" in log and "Connexion" in log


def test_an_admin_cannot_lock_themselves_out(app: FastAPI, client: TestClient) -> None:
    admin = signed_in(client, app, Role.admin)
    page = client.get("/staff/comptes")
    refused = client.post(f"/staff/comptes/{admin.id}", data=form_data(page, roles="moderator"))
    assert refused.status_code == 400
    assert "Vous ne pouvez ni retirer votre propre rôle" in unescape(refused.text)


def test_every_action_lands_in_the_audit_log(app: FastAPI, client: TestClient) -> None:
    asker = visitor(app)
    thread_id, _ = published_question(app, asker)
    login(client, "personne@example.be", "mauvais mot de passe")
    signed_in(client, app, Role.moderator, Role.professional)
    page = client.get(f"/staff/fils/{thread_id}")
    client.post(f"/staff/fils/{thread_id}/repondre", data=form_data(page, 1, reponse="Réponse."))
    with Session(app.state.engine) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        thread = session.get(Thread, thread_id)
        assert thread is not None
    actions = [e.action for e in entries]
    assert actions == [
        "account_created",  # the moderator who approved the question (created by the system)
        "approve",
        "login_failed",
        "account_created",
        "login",
        "answer",
    ]
    approve = entries[1]
    assert (approve.from_state, approve.to_state) == ("pending", "published")
    assert all(e.at is not None for e in entries)


def test_the_audit_log_has_no_way_to_change_it() -> None:
    from app.staff import audit

    public = {
        name for name in vars(audit) if not name.startswith("_") and callable(getattr(audit, name))
    }
    assert {"record", "audit_page"} <= public
    assert not {n for n in public if any(w in n for w in ("update", "delete", "edit", "remove"))}
