"""Canned replies: created, changed and retired in /staff (audited), inserted into an answer
without JavaScript, and their placeholders filled with what is true on the day of publication."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.amounts import load_amounts
from app.config import PROJECT_DIR, Settings
from app.questions import canned
from app.questions.models import Author, Message
from app.staff.models import AuditEntry, Role
from app.templating import date_fr, euros
from tests.questions.thread_helpers import form_data, published_question, signed_in

D = dt.date


def context(settings: Settings, day: dt.date, content: Path | None = None) -> canned.Context:
    amounts, problems = load_amounts(content or settings.content_dir)
    assert amounts is not None, problems
    return canned.Context(
        pseudo="Lina",
        amounts=amounts,
        day=day,
        fiche_path=lambda slug: f"/fiches/{slug}",
        settings=settings,
    )


def isole_on(content: Path, day: dt.date) -> tuple[Decimal, dt.date]:
    """The single person's integration income on ``day``, read straight from the YAML."""
    data = yaml.safe_load((content / "montants.yaml").read_text(encoding="utf-8"))
    periods = [p for p in data["baremes"]["ris"]["periodes"] if p["depuis"] <= day]
    latest = max(periods, key=lambda p: p["depuis"])
    return Decimal(latest["montants"]["isole"]), latest["depuis"]


TEMPLATE = "Bonjour {pseudo}, le RIS isolé est de {montant:ris.isole} depuis le {depuis:ris}."


@pytest.mark.parametrize("day", [D(2023, 6, 1), D(2024, 6, 1), D(2025, 3, 1)])
def test_placeholders_take_the_amounts_in_force_that_day(settings: Settings, day: dt.date) -> None:
    amount, since = isole_on(settings.content_dir, day)
    filled = canned.fill(TEMPLATE, context(settings, day))
    assert filled == (
        f"Bonjour Lina, le RIS isolé est de {euros(amount)} depuis le {date_fr(since)}."
    )


def test_a_new_amounts_row_changes_the_text_from_its_first_day(
    settings: Settings, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", content)
    path = content / "montants.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["baremes"]["ris"]["periodes"].insert(
        0,
        {
            "depuis": D(2030, 1, 1),
            "montants": {"cohabitant": "1000.00", "isole": "1500.00", "famille": "2000.00"},
            "source": {"titre": "Test", "url": "https://example.org/", "date": D(2029, 12, 1)},
        },
    )
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = canned.fill("{montant:ris.isole}", context(settings, D(2029, 12, 31), content))
    after = canned.fill("{montant:ris.isole}", context(settings, D(2030, 1, 1), content))
    assert after == euros(Decimal("1500.00"))
    assert before.startswith(euros(isole_on(content, D(2029, 12, 31))[0]))
    assert before != after


@pytest.mark.parametrize(
    "text",
    [
        "{montant:ris.inconnu}",
        "{montant:nulle_part.isole}",
        "{depuis:rien}",
        "{fiche:pas-une-fiche}",
    ],
)
def test_unknown_placeholders_are_named(settings: Settings, text: str) -> None:
    problem = canned.placeholder_problem(f"Texte {text}", context(settings, D(2026, 12, 2)))
    assert problem is not None and text in problem


def test_a_fiche_placeholder_links_the_fiche_by_its_title(settings: Settings) -> None:
    filled = canned.fill("{fiche:piis-contrat-integration}", context(settings, D(2026, 12, 2)))
    assert filled.startswith("[Le PIIS, le contrat d'intégration")
    assert filled.endswith("](/fiches/piis-contrat-integration)")
    assert canned.fill("{inconnu} et {x}", context(settings, D(2026, 12, 2))) == "{inconnu} et {x}"


def test_create_edit_retire_insert_and_publish(app: FastAPI, client: TestClient) -> None:
    thread_id, _ = published_question(app, TestClient(app), pseudo="Lina")
    signed_in(client, app, Role.professional)
    page = client.get("/staff/reponses-types")
    refused = client.post(
        "/staff/reponses-types",
        data=form_data(page, 1, titre="Montant", texte="Le RIS : {montant:ris.personne}"),
    )
    assert refused.status_code == 400
    soup = BeautifulSoup(refused.text, "html.parser")
    assert "{montant:ris.personne}" in soup.select_one(".error-summary").get_text()
    assert soup.select_one("#titre")["value"] == "Montant"  # what was typed is kept
    created = client.post(
        "/staff/reponses-types",
        data=form_data(page, 1, titre="Montant du RIS", texte=TEMPLATE),
        follow_redirects=False,
    )
    assert created.headers["location"] == "/staff/reponses-types?fait=canned"
    listing = BeautifulSoup(client.get("/staff/reponses-types").text, "html.parser")
    edit_url = listing.find("a", string="Montant du RIS")["href"]
    edit = client.get(edit_url)
    client.post(edit_url, data=form_data(edit, 1, titre="Montant du RIS (isolé)", texte=TEMPLATE))

    answer_page = client.get(f"/staff/fils/{thread_id}")
    option = BeautifulSoup(answer_page.text, "html.parser").find(
        "option", string="Montant du RIS (isolé)"
    )
    assert option is not None and option["data-text"] == TEMPLATE
    inserted = client.post(
        f"/staff/fils/{thread_id}/repondre",
        data=form_data(
            answer_page, 2, action="inserer_type", reponse="Salut.", reponse_type=option["value"]
        ),
    )
    text = BeautifulSoup(inserted.text, "html.parser").select_one("#reponse").get_text()
    assert text == f"Salut.\n\n{TEMPLATE}" or text == f"Salut. {TEMPLATE}"
    client.post(
        f"/staff/fils/{thread_id}/repondre",
        data=form_data(answer_page, 2, action="publier", reponse=text),
    )
    settings: Settings = app.state.settings
    today = canned.publication_day()
    amount, since = isole_on(settings.content_dir, today)
    with Session(app.state.engine) as session:
        body = session.exec(select(Message.body).where(Message.author == Author.professional)).one()
        actions = [e.action for e in session.exec(select(AuditEntry)).all()]
    assert f"Bonjour Lina, le RIS isolé est de {euros(amount)}" in body
    assert f"depuis le {date_fr(since)}" in body
    assert "{" not in body
    assert actions.count("canned_created") == 1 and actions.count("canned_changed") == 1

    retire = client.get(edit_url)
    client.post(f"{edit_url}/retirer", data=form_data(retire, 2))
    assert "Montant du RIS" not in client.get(f"/staff/fils/{thread_id}").text
    assert "Retirée" in client.get("/staff/reponses-types").text
