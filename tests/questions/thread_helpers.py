"""What the question and staff tests share: asking through the form, reading the outbox,
signing in as staff. Used like a person would: pages fetched, forms posted with their token."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from app.config import Settings
from app.mail import deliver_queued, take_queued_ids
from app.questions import answering, moderation, private_link, threads
from app.questions.mails import MailLinks
from app.questions.models import Message, Thread
from app.staff.accounts import create_staff
from app.staff.models import Role, StaffUser
from tests.conftest import csrf_from, make_settings

QUESTION = "Bonjour, j'ai 19 ans et le CPAS me demande de signer un PIIS. Est-ce obligatoire ?"
PASSWORD = "un mot de passe assez long"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The suite's settings, without the minimum fill time (its own tests set it)."""
    return make_settings(tmp_path, database_url, min_fill_seconds=0)


@pytest.fixture(autouse=True)
def close_app_engine(request: pytest.FixtureRequest) -> Iterator[None]:
    """Close the test app's connections even when no client ran its shutdown."""
    app = request.getfixturevalue("app") if "app" in request.fixturenames else None
    yield
    if app is not None:
        app.state.engine.dispose()


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"pas de champ {name}"
    return match.group(1)


def form_data(page: Response, form_index: int = 0, **fields: str) -> dict[str, str]:
    """The hidden fields of a page's form (token, start time…) plus ``fields``.

    Staff pages start with the logout form: its token is all most tests need.
    """
    data = {"csrf_token": csrf_from(page.text)}
    forms = BeautifulSoup(page.text, "html.parser").find_all("form", method="post")
    if forms:
        for field in forms[form_index].find_all("input", type="hidden"):
            data[str(field["name"])] = str(field.get("value", ""))
    data.update(fields)
    return data


def ask(
    client: TestClient,
    *,
    pseudo: str = "Lina",
    email: str = "lina@example.be",
    question: str = QUESTION,
    consent: bool = True,
    fiche: str | None = None,
    **extra: str,
) -> Response:
    page = client.get("/questions/poser" + (f"?fiche={fiche}" if fiche else ""))
    fields = {"pseudo": pseudo, "email": email, "question": question, **extra}
    if consent:
        fields["consentement"] = "oui"
    if fiche:
        fields["fiche"] = fiche
    return client.post("/questions/poser", data=form_data(page, **fields), follow_redirects=False)


def outbox(settings: Settings) -> list[EmailMessage]:
    """The e-mails written to var/outbox/, oldest first."""
    parser = BytesParser(policy=policy.default)
    files = sorted(settings.outbox_dir.glob("*.eml")) if settings.outbox_dir.exists() else []
    return [parser.parsebytes(f.read_bytes()) for f in files]  # type: ignore[misc]


def text_of(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def private_path(mail: EmailMessage) -> str:
    match = re.search(r"https?://[^/\s]+(/questions/suivi/\S+)", text_of(mail))
    assert match, "pas de lien privé dans l'e-mail"
    return match.group(1)


def links_for(app: FastAPI) -> MailLinks:
    return MailLinks(base_url=app.state.settings.base_url, path_for=app.url_path_for)


def answered(
    app: FastAPI, session: Session, staff: StaffUser, thread: Thread, body: str = "Réponse"
) -> Message:
    """A professional's answer to the question of ``thread``."""
    return answering.answer(
        session,
        settings=app.state.settings,
        links=links_for(app),
        thread=thread,
        parent_id=None,
        body=body,
        staff=staff,
    )


def staff_account(app: FastAPI, *roles: Role, email: str | None = None) -> StaffUser:
    with Session(app.state.engine) as session:
        name = "-".join(sorted(roles)) or "aucun"
        return create_staff(
            session,
            email=email or f"{name}@equipe.example.be",
            display_name=f"Équipe {name}",
            password=PASSWORD,
            roles=roles,
        )


def login(client: TestClient, email: str, password: str = PASSWORD) -> Response:
    page = client.get("/staff/connexion")
    data = form_data(page, email=email, mot_de_passe=password)
    return client.post("/staff/connexion", data=data, follow_redirects=False)


def signed_in(client: TestClient, app: FastAPI, *roles: Role) -> StaffUser:
    user = staff_account(app, *roles)
    assert login(client, user.email).status_code == 303
    return user


def published_question(app: FastAPI, client: TestClient, **ask_fields: str) -> tuple[int, str]:
    """Ask through the form, approve as a moderator; (thread id, private path)."""
    assert ask(client, **ask_fields).status_code == 303
    settings: Settings = app.state.settings
    path = private_path(outbox(settings)[-1])
    with Session(app.state.engine) as session:
        thread = private_link.thread_by_token(session, token=path.rsplit("/", 1)[-1])
        assert thread is not None
        question = threads.question_row(session, thread)
        moderation.approve(
            session,
            settings=settings,
            links=links_for(app),
            message=question,
            version=question.version,
            staff=_moderator(session),
        )
        deliver_queued(session, settings, ids=take_queued_ids(session))
        assert thread.id is not None
        return thread.id, path


def _moderator(session: Session) -> StaffUser:
    existing = session.exec(
        select(StaffUser).where(StaffUser.email == "moderation-auto@equipe.example.be")
    ).first()
    if existing:
        return existing
    return create_staff(
        session,
        email="moderation-auto@equipe.example.be",
        display_name="Modération auto",
        password=PASSWORD,
        roles=[Role.moderator, Role.professional],
    )


def error_messages(html: str) -> list[str]:
    """The French messages of the error summary, as a person reads them."""
    summary = BeautifulSoup(html, "html.parser").find(class_="error-summary")
    if summary is None:
        return []
    return [re.sub(r"[ \t\n]+", " ", li.get_text()).strip() for li in summary.find_all("li")]
