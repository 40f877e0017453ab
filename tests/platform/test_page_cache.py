"""The page cache: pages that are the same for everyone are rendered once, and never kept
past a change, nor when they carry a visitor's own data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import migrate
from app.main import create_app
from app.questions import asking, moderation
from app.questions.mails import MailLinks
from app.staff.accounts import create_staff
from app.staff.models import Role
from tests.conftest import csrf_from, make_settings

FICHE = "/fiches/piis-contrat-integration"


def count_renders(app: FastAPI) -> Counter[str]:
    """From now on, how many times each template is rendered into a response."""
    counts: Counter[str] = Counter()
    templates = app.state.templates
    original = templates.TemplateResponse

    def counting(request: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return original(request, name, *args, **kwargs)

    templates.TemplateResponse = counting
    return counts


@pytest.fixture
def rendered(app: FastAPI) -> Counter[str]:
    return count_renders(app)


def test_a_page_for_everyone_is_rendered_once(client: TestClient, rendered: Counter[str]) -> None:
    pages = [client.get("/") for _ in range(3)]
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert pages[0].text == pages[2].text
    assert rendered["pages/home.html"] == 1
    # What the middleware adds is on the kept page too.
    assert "frame-ancestors 'none'" in pages[2].headers["content-security-policy"]
    assert pages[2].headers["content-type"] == "text/html; charset=utf-8"
    assert client.head("/").status_code == 200


def test_a_kept_fiche_answers_304_to_its_etag(client: TestClient, rendered: Counter[str]) -> None:
    first = client.get(FICHE)
    again = client.get(FICHE, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]
    assert again.content == b""
    assert client.get(FICHE).text == first.text
    assert rendered["fiches/fiche.html"] == 1


@pytest.mark.parametrize(
    ("path", "fiche_slug", "template"),
    [
        (FICHE, "piis-contrat-integration", "fiches/fiche.html"),
        ("/questions", None, "questions/index.html"),
    ],
)
def test_a_new_question_shows_at_the_next_request(
    app: FastAPI,
    client: TestClient,
    rendered: Counter[str],
    path: str,
    fiche_slug: str | None,
    template: str,
) -> None:
    before = client.get(path)
    assert client.get(path).text == before.text
    assert "On m'a proposé un contrat" not in before.text
    links = MailLinks(base_url="http://testserver", path_for=app.url_path_for)
    with Session(app.state.engine) as session:
        staff = create_staff(
            session,
            email="moderation@example.be",
            display_name="Modération",
            password="un mot de passe assez long",
            roles=[Role.moderator],
        )
        asked = asking.ask(
            session,
            settings=app.state.settings,
            links=links,
            pseudonym="Lina",
            email="lina@example.be",
            body="On m'a proposé un contrat au CPAS, dois-je le signer tout de suite ?",
            fiche_slug=fiche_slug,
            address="192.0.2.1",
        )
        moderation.approve(
            session,
            settings=app.state.settings,
            links=links,
            message=asked.question,
            version=asked.question.version,
            staff=staff,
        )
    after = client.get(path)
    assert "On m&#39;a proposé un contrat" in after.text
    assert rendered[template] == 2


def test_a_kept_form_carries_each_visitors_own_token(
    client: TestClient, rendered: Counter[str]
) -> None:
    first = client.get("/ai-je-droit/question/age")
    client.cookies.clear()
    second = client.get("/ai-je-droit/question/age")
    assert rendered["questionnaire/question.html"] == 1
    assert "set-cookie" in first.headers and "set-cookie" in second.headers
    assert csrf_from(first.text) != csrf_from(second.text)
    # The second visitor's token goes with their cookie: their answer is accepted.
    answered = client.post(
        "/ai-je-droit/question/age",
        data={"csrf_token": csrf_from(second.text), "age": "22"},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    # With a cookie already, the page carries the token of that cookie, and sets none.
    third = client.get("/ai-je-droit/question/age")
    assert csrf_from(third.text) == csrf_from(second.text)
    assert "set-cookie" not in third.headers
    assert rendered["questionnaire/question.html"] == 1


def test_pages_that_carry_answers_are_never_kept(
    client: TestClient, rendered: Counter[str]
) -> None:
    client.get("/ai-je-droit/question/age")
    answered = client.post(
        "/ai-je-droit/question/age",
        data={"csrf_token": csrf_from(client.get("/ai-je-droit/question/age").text), "age": "22"},
    )
    assert answered.status_code == 200
    again = client.get(str(answered.url))
    assert again.status_code == 200
    assert rendered["questionnaire/question.html"] == 3


def test_a_signed_in_member_of_staff_gets_a_fresh_page(
    client: TestClient, rendered: Counter[str]
) -> None:
    client.get("/")
    client.cookies.set("staff_session", "anything")
    client.get("/")
    assert rendered["pages/home.html"] == 2


@pytest.fixture
def development_client(tmp_path: Path, database_url: str) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, database_url, env="development")
    migrate.upgrade(settings.database_url)
    with TestClient(create_app(settings)) as client:
        yield client


def test_development_renders_every_time(development_client: TestClient) -> None:
    app = development_client.app
    assert isinstance(app, FastAPI)
    counts = count_renders(app)
    development_client.get("/")
    development_client.get("/")
    assert counts["pages/home.html"] == 2
