"""Counter mode: every question on one page, the same rules, answers kept on error."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.questionnaire import Questionnaire, visible_questions
from app.questionnaire.express import depends_on, read_form
from tests.conftest import csrf_from

URL = "/ai-je-droit/express"
DAY = dt.date(2025, 6, 1)
ALONE = {
    "age": "20",
    "statut": "belge",
    "enceinte": "non",
    "vit_en_belgique": "oui",
    "logement": "domicile",
    "menage": ["personne"],
    "enfant_mineur": "non",
    "etudiant": "non",
    "handicap": "non",
    "revenus": ["aucun"],
    "non_demandees": ["aucune"],
    "prestations_perdues": ["aucune"],
    "capable_travailler": "oui",
    "deja_cpas": "jamais",
    "dettes": "non",
    "garantie_locative": "non",
}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.questionnaire.routes.today", lambda: DAY)


def post(client: TestClient, data: dict[str, object], action: str) -> object:
    csrf = csrf_from(client.get(URL).text)
    return client.post(
        URL, data={**data, "csrf_token": csrf, "action": action}, follow_redirects=False
    )


def names(html: str) -> list[str]:
    page = BeautifulSoup(html, "html.parser")
    form = page.find("form", class_="express-form")
    found: list[str] = []
    for field in form.find_all("input"):
        if field["type"] != "hidden" and field["name"] not in found and field["name"] != "action":
            found.append(field["name"])
    return found


def test_the_page_shows_the_questions_asked_of_everyone(client: TestClient) -> None:
    response = client.get(URL)
    assert response.status_code == 200
    q: Questionnaire = client.app.state.questionnaire.questionnaire  # type: ignore[attr-defined]
    assert names(response.text) == [question.id for question in visible_questions(q, {})]


def test_update_reveals_the_questions_the_answers_call_for(client: TestClient) -> None:
    response = post(client, {"age": "16", "statut": "ue"}, "maj")
    assert response.status_code == 200  # type: ignore[attr-defined]
    shown = names(response.text)  # type: ignore[attr-defined]
    assert "situation_mineur" in shown and "sejour_ue" in shown
    page = BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]
    assert page.find("input", id="age")["value"] == "16"
    assert page.find("input", attrs={"name": "statut", "value": "ue"}).has_attr("checked")
    assert page.find(class_="error-summary") is None  # nothing is required before the end


def test_a_complete_form_leads_to_the_usual_result(client: TestClient) -> None:
    response = post(client, ALONE, "resultat")
    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/ai-je-droit/resultat?etat=")
    result = BeautifulSoup(client.get(location).text, "html.parser")
    assert "Probablement oui" in result.find("section", id="droit-ris").get_text()


def test_missing_and_wrong_answers_are_listed_and_what_was_typed_stays(
    client: TestClient,
) -> None:
    data = {**ALONE, "age": "vingt"}
    data.pop("dettes")
    response = post(client, data, "resultat")
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]
    links = {a["href"] for a in page.find(class_="error-summary").find_all("a")}
    assert links == {"#age", "#dettes"}
    assert page.find("input", id="age")["value"] == "vingt"
    assert page.find("input", attrs={"name": "logement", "value": "domicile"}).has_attr("checked")


def test_conditional_questions_say_what_they_depend_on(client: TestClient) -> None:
    q: Questionnaire = client.app.state.questionnaire.questionnaire  # type: ignore[attr-defined]
    assert depends_on(q, q.by_id["sejour_ue"]) == [q.by_id["statut"].summary]
    assert depends_on(q, q.by_id["age"]) == []
    response = post(client, {"statut": "ue"}, "maj")
    assert "Question posée selon la réponse à" in response.text  # type: ignore[attr-defined]


def test_the_same_answers_as_the_walk(client: TestClient) -> None:
    q: Questionnaire = client.app.state.questionnaire.questionnaire  # type: ignore[attr-defined]
    form = {key: value if isinstance(value, list) else [value] for key, value in ALONE.items()}
    answers, _, errors = read_form(q, form, complete=True)
    assert errors == {}
    assert set(answers) == {question.id for question in visible_questions(q, answers)}


def test_staff_pages_link_to_the_counter_mode(client: TestClient) -> None:
    layout = client.app.state.templates.env.loader.get_source(  # type: ignore[attr-defined]
        client.app.state.templates.env,
        "staff/_layout.html",  # type: ignore[attr-defined]
    )[0]
    assert "questionnaire_express" in layout
