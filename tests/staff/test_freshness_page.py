"""/staff/fraicheur as the team reads it: answers quoting old amounts, fiches behind a change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import PROJECT_DIR, Settings
from app.questions.models import Thread
from app.staff.models import Role
from tests.conftest import make_settings
from tests.fiches.fiche_content import FUTURE_CHANGE
from tests.questions.thread_helpers import answered, published_question, signed_in

FICHE = "montants-revenu-integration"
NEWER_RIS = """\
      - depuis: 2026-03-01
        montants: {cohabitant: "893.65", isole: "1340.48", famille: "1811.59"}
        source:
          titre: Une source des montants indexés
          url: https://example.org/montants-2026
          date: 2026-03-01
"""


def without_indexations(root: Path) -> None:
    """The content as if no indexation had been recorded since the amounts of 2025."""
    amounts = root / "montants.yaml"
    text = amounts.read_text(encoding="utf-8")
    if "\nindexations:" in text:
        amounts.write_text(text[: text.index("\nindexations:") + 1], encoding="utf-8")
    path = root / "changements.yaml"
    changes = yaml.safe_load(path.read_text(encoding="utf-8"))
    for change in changes:
        if change.get("type") == "indexation":
            change["type"] = "regle"
            change.pop("baremes", None)
    path.write_text(yaml.safe_dump(changes, allow_unicode=True), encoding="utf-8")


def record_newer_ris(root: Path) -> None:
    amounts = root / "montants.yaml"
    text = amounts.read_text(encoding="utf-8")
    start = text.index("    periodes:\n", text.index("  ris:")) + len("    periodes:\n")
    amounts.write_text(text[:start] + NEWER_RIS + text[start:], encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    root = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", root)
    without_indexations(root)
    with (root / "changements.yaml").open("a", encoding="utf-8") as changes:
        changes.write(FUTURE_CHANGE)
    return make_settings(tmp_path, database_url, min_fill_seconds=0, content_dir=root)


def answers_section(client: TestClient) -> BeautifulSoup:
    response = client.get("/staff/fraicheur")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    section = BeautifulSoup(response.text, "html.parser").find(id="reponses")
    assert section is not None and section.parent is not None
    return section.parent


def test_an_answer_quoting_1314_20_is_flagged_once_a_newer_amount_is_recorded(
    app: FastAPI, client: TestClient, settings: Settings
) -> None:
    thread_id, _path = published_question(app, client, fiche=FICHE)
    moderator = signed_in(client, app, Role.moderator, Role.professional)
    with Session(app.state.engine) as session:
        thread = session.get(Thread, thread_id)
        assert thread is not None
        answer = answered(
            app, session, moderator, thread, "Seul, tu reçois au plus 1 314,20 € par mois."
        )

    before = answers_section(client)
    assert before.find("p") is not None
    assert before.get_text(" ", strip=True).endswith("Aucune.")

    record_newer_ris(settings.content_dir)
    after = answers_section(client)
    items = after.select("ul.freshness-list > li")
    assert len(items) == 1
    text = " ".join(items[0].get_text(" ").split())
    assert "« 1 314,20 € »" in text
    assert "Personne isolée (catégorie 2), montant du 1er février 2025" in text.replace(
        "\u202f", " "
    )
    assert "1 340,48 € depuis le 1er mars 2026" in text.replace("\u202f", " ").replace(
        "\u00a0", " "
    )
    link = items[0].find("a", href=f"/staff/messages/{answer.id}")
    assert link is not None and "Corriger" in link.get_text()
    assert client.get(str(link["href"])).status_code == 200  # the edit page of the answer


def test_the_page_lists_fiches_behind_a_recorded_change(app: FastAPI, client: TestClient) -> None:
    signed_in(client, app, Role.professional)
    page = BeautifulSoup(client.get("/staff/fraicheur").text, "html.parser")
    nav = page.select_one("nav.staff-nav a[aria-current=page]")
    assert nav is not None and nav.get_text() == "Fraîcheur"
    section = page.find(id="changements")
    assert section is not None and section.parent is not None
    items = {
        str(li.a["href"]): " ".join(li.get_text(" ").split())
        for li in section.parent.select("ul.freshness-list > li")
        if li.a is not None
    }
    assert (
        "Un changement annoncé (s'applique le 1er janvier 2099)" in items["/fiches/aide-gratuite"]
    )
    assert "content/fiches/aide-gratuite.md" in items["/fiches/aide-gratuite"]


def test_a_visitor_is_sent_to_the_login_page(client: TestClient) -> None:
    response = client.get("/staff/fraicheur", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert "/staff/connexion" in response.headers["location"]


def test_an_announced_change_is_listed_for_the_staff_and_never_shown_in_public(
    app: FastAPI, client: TestClient
) -> None:
    """content/changements.yaml announces the indexation forecast for October 2026 (BX1,
    2026-03-10) without any source confirming it: the team is told to check it."""
    title = "Une nouvelle indexation de 2 % annoncée"
    assert title not in client.get("/changements").text
    signed_in(client, app, Role.professional)
    page = BeautifulSoup(client.get("/staff/fraicheur").text, "html.parser")
    section = page.find(id="annonces")
    assert section is not None and section.parent is not None
    items = [" ".join(li.get_text(" ").split()) for li in section.parent.select("li")]
    assert any(title in item and "la date est passée" in item for item in items), items
    assert "Changements annoncés" in page.select_one("ul.freshness-summary").get_text()
