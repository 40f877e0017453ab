"""The pages of « J'ai un problème avec une décision du CPAS », walked as a person would."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from pypdf import PdfReader

START = "/ai-je-droit/probleme"
FIRST = "/ai-je-droit/probleme/question/probleme"
DAY = dt.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.probleme.routes.today", lambda: DAY)


def soup(response: Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text_of(response: Response) -> str:
    main = soup(response).find("main")
    assert main is not None
    return re.sub(r"\s+", " ", main.get_text(" ")).strip()


def post(client: TestClient, url: str, value: str) -> Response:
    page = client.get(url)
    assert page.status_code == 200, page.text
    form = soup(page).find("form", class_="question-form")
    assert form is not None
    data = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
    data[urlsplit(url).path.rsplit("/", 1)[1]] = value
    return client.post(str(form["action"]), data=data, follow_redirects=False)


def walk(client: TestClient, answers: dict[str, str]) -> str:
    url = FIRST
    while "/question/" in url:
        qid = urlsplit(url).path.rsplit("/", 1)[1]
        response = post(client, url, answers[qid])
        assert response.status_code == 303, text_of(response)
        url = response.headers["location"]
    return url


def test_the_start_pages_and_the_fiches_lead_to_the_path(client: TestClient) -> None:
    start = client.get(START)
    assert start.status_code == 200
    assert soup(start).find("a", string="Commencer")["href"] == FIRST
    questionnaire = soup(client.get("/ai-je-droit"))
    assert questionnaire.find("a", href=START) is not None
    fiche = soup(client.get("/fiches/recours-tribunal-travail"))
    assert fiche.find("a", href=START) is not None


def test_a_refusal_gives_the_last_day_to_appeal_and_who_helps(client: TestClient) -> None:
    result_url = walk(
        client,
        {
            "probleme": "refus",
            "date_lettre": "15/10/2026",
            "envoi": "recommande",
            "mentions": "oui",
        },
    )
    assert urlsplit(result_url).path == "/ai-je-droit/probleme/resultat"
    result = client.get(result_url)
    assert result.status_code == 200
    assert result.headers["cache-control"] == "no-store"
    text = text_of(result)
    assert (
        "Recours au tribunal du travail : au plus tard le 15 janvier 2027 (dans 44 jours)" in text
    )
    steps = soup(result).find("ol", class_="probleme-steps").find_all("li")
    assert len(steps) >= 4
    assert "Qui t'aide gratuitement" in text
    assert soup(result).find("a", href="https://www.bdas-wwsb.brussels/?p=884") is not None
    assert "Lettre de décision reçue le 15 octobre 2026" in text
    assert soup(result).find("a", href="/fiches/recours-tribunal-travail") is not None


def test_no_decision_without_receipt_offers_the_confirmation_letter(client: TestClient) -> None:
    result_url = walk(
        client, {"probleme": "sans_decision", "date_demande": "12/10/2026", "accuse": "non"}
    )
    result = client.get(result_url)
    page = soup(result)
    assert "Cette date est passée" in text_of(result)
    letter_link = page.find("a", string="la voir pour l'imprimer")["href"]
    letter = client.get(letter_link)
    assert letter.status_code == 200
    assert letter.headers["cache-control"] == "no-store"
    article = letter_html = soup(letter).find("article", class_="letter")
    assert article is not None
    letter_text = re.sub(r"\s+", " ", letter_html.get_text(" "))
    assert "Confirmation de ma demande d'aide du 12 octobre 2026" in letter_text
    assert "Signature" in letter_text
    pdf_link = page.find("a", string="la télécharger en PDF")["href"]
    pdf = client.get(pdf_link)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "12 octobre 2026" in pdf_text


def test_a_repayment_offers_the_waiver_letter(client: TestClient) -> None:
    result_url = walk(
        client,
        {
            "probleme": "recuperation",
            "date_lettre": "16/11/2026",
            "envoi": "recommande",
            "mentions": "oui",
            "motif_recuperation": "erreur_cpas",
        },
    )
    page = soup(client.get(result_url))
    link = page.find("a", string="la voir pour l'imprimer")["href"]
    assert "/lettre/renonciation" in link
    letter = soup(client.get(link))
    assert "reçue le 16 novembre 2026" in letter.get_text()
    # A letter that this problem does not offer is not shown.
    other = client.get(link.replace("renonciation", "confirmation_demande"))
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Indique la date, par exemple 15/03/2026"),
        ("hier", "Écris la date en chiffres : jour/mois/année, par exemple 15/03/2026"),
        ("31/02/2026", "Cette date n'existe pas : vérifie le jour et le mois"),
        (
            "03/12/2026",
            "Cette date est dans le futur : indique une date passée, ou celle d'aujourd'hui",
        ),
        ("<b>15/03</b>", "Écris la date en chiffres : jour/mois/année, par exemple 15/03/2026"),
    ],
)
def test_a_bad_date_is_shown_again_with_its_message(
    client: TestClient, typed: str, message: str
) -> None:
    first = post(client, FIRST, "refus")
    url = first.headers["location"]
    response = post(client, url, typed)
    assert response.status_code == 400
    page = soup(response)
    summary = page.find(class_="error-summary")
    assert summary is not None
    expected = message.replace(" :", "\u202f:")
    assert summary.find("a", href="#date_lettre").get_text() == expected
    field = page.find("input", id="date_lettre")
    assert field["value"] == typed
    assert field["aria-invalid"] == "true"
    assert "<b>" not in str(field)  # escaped


def test_no_choice_and_a_forged_choice_are_refused(client: TestClient) -> None:
    response = post(client, FIRST, "")
    assert response.status_code == 400
    assert "Choisis une réponse" in text_of(response)
    response = post(client, FIRST, "inexistant")
    assert response.status_code == 400
    assert "Choisis une des réponses proposées" in text_of(response)


def test_a_tampered_token_and_a_skipped_question(client: TestClient) -> None:
    response = client.get(FIRST + "?etat=abc")
    assert response.status_code == 400
    assert "n'est pas valable" in text_of(response)
    # Jumping ahead leads back to the first question not answered.
    skip = client.get("/ai-je-droit/probleme/question/mentions", follow_redirects=False)
    assert skip.status_code == 303
    assert skip.headers["location"] == FIRST
    missing = client.get("/ai-je-droit/probleme/question/nimporte", follow_redirects=False)
    assert missing.status_code == 404
    early = client.get("/ai-je-droit/probleme/resultat", follow_redirects=False)
    assert early.headers["location"] == FIRST


def test_the_form_needs_its_csrf_token(client: TestClient) -> None:
    response = client.post(FIRST, data={"probleme": "refus", "etat": ""})
    assert response.status_code == 403
