"""Keep and share a result without storing anything: the PDF lists the answers and prints the
fiches' addresses; « m'envoyer ce résultat par e-mail » uses the address once; copy link."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session, select

from app.mail import OutgoingMail
from app.questionnaire import normalize_answers
from app.questionnaire.share import LIMIT_PER_HOUR, check_email
from app.questionnaire.token import dump_token
from tests.conftest import csrf_from

DAY = dt.date(2025, 6, 1)
ALONE = {
    "age": 20,
    "statut": "belge",
    "enceinte": False,
    "vit_en_belgique": True,
    "logement": "domicile",
    "menage": ["personne"],
    "enfant_mineur": False,
    "etudiant": False,
    "handicap": "non",
    "revenus": ["aucun"],
    "non_demandees": ["aucune"],
    "prestations_perdues": ["aucune"],
    "capable_travailler": "oui",
    "deja_cpas": "jamais",
    "dettes": False,
    "garantie_locative": False,
}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.questionnaire.routes.today", lambda: DAY)


def result_url(client: TestClient) -> str:
    site = client.app.state.questionnaire  # type: ignore[attr-defined]
    answers, errors = normalize_answers(site.questionnaire, ALONE)
    assert errors == []
    secret = client.app.state.settings.secret_key.get_secret_value()  # type: ignore[attr-defined]
    return f"/ai-je-droit/resultat?etat={dump_token(secret, site.questionnaire, answers)}"


def send(client: TestClient, url: str, email: str) -> tuple[object, BeautifulSoup]:
    page = client.get(url)
    form = BeautifulSoup(page.text, "html.parser").find("form", class_="mail-form")
    assert form is not None
    data = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
    data["email"] = email
    response = client.post(str(form["action"]).split("#")[0], data=data, follow_redirects=False)
    return response, BeautifulSoup(response.text, "html.parser")


def test_the_pdf_lists_the_answers_and_the_fiches_addresses(client: TestClient) -> None:
    url = result_url(client)
    page = BeautifulSoup(client.get(url).text, "html.parser")
    situation = page.find("section", class_="situation")
    assert situation is not None and "print-only" in situation["class"]
    pdf_url = page.find("a", string="Télécharger le résultat en PDF")["href"]
    pdf = client.get(pdf_url)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert "Ta situation" in flat
    assert "Âge 20 ans" in flat or "Âge20 ans" in flat.replace(" ", "")
    assert re.search(r"https?://\S+/fiches/[a-z0-9-]+", flat)


def test_the_copy_link_is_a_plain_link_first(client: TestClient) -> None:
    page = BeautifulSoup(client.get(result_url(client)).text, "html.parser")
    link = page.find("a", id="lien-resultat")
    assert link is not None and "/ai-je-droit/resultat?etat=2." in link["href"]
    button = page.find("button", attrs={"data-copy": "lien-resultat"})
    assert button is not None and button.has_attr("hidden")
    assert page.find("script", src=re.compile(r"copy-link\.js")) is not None


def test_the_result_is_mailed_once_and_the_address_is_not_kept(client: TestClient) -> None:
    url = result_url(client)
    response, _ = send(client, url, "  jeune@exemple.be ")
    assert response.status_code == 303  # type: ignore[attr-defined]
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert "envoye=1" in location
    done = BeautifulSoup(client.get(location).text, "html.parser")
    assert "C'est envoyé" in done.find(class_="notice").get_text()
    outbox = client.app.state.settings.outbox_dir  # type: ignore[attr-defined]
    mails = list(outbox.glob("*.eml"))
    assert len(mails) == 1
    message = email.message_from_bytes(mails[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "jeune@exemple.be"
    body = message.get_content()  # type: ignore[attr-defined]
    assert "/ai-je-droit/resultat?etat=2." in body
    assert "Le revenu d'intégration" in body
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert session.exec(select(OutgoingMail)).all() == []


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Indique ton adresse e-mail, par exemple prenom@exemple.be"),
        ("jeune@", "Cette adresse e-mail n'a pas la bonne forme"),
        ("a b@exemple.be", "Cette adresse e-mail n'a pas la bonne forme"),
        ("x" * 250 + "@exemple.be", "Cette adresse e-mail n'a pas la bonne forme"),
    ],
)
def test_a_bad_address_is_refused_on_the_same_page(
    client: TestClient, typed: str, message: str
) -> None:
    response, page = send(client, result_url(client), typed)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in page.find(class_="error-summary").get_text()
    assert page.find("input", id="email")["value"] == typed[:264]
    assert page.find("section", id="droit-ris") is not None  # still the whole result


def test_sending_is_limited_per_visitor(client: TestClient) -> None:
    url = result_url(client)
    for _ in range(LIMIT_PER_HOUR):
        assert send(client, url, "jeune@exemple.be")[0].status_code == 303  # type: ignore[attr-defined]
    response, page = send(client, url, "jeune@exemple.be")
    assert response.status_code == 429  # type: ignore[attr-defined]
    assert "le maximum" in page.find(class_="error-summary").get_text()


def test_the_mail_form_needs_its_csrf_token(client: TestClient) -> None:
    html = client.get(result_url(client)).text
    assert csrf_from(html)
    response = client.post("/ai-je-droit/resultat/envoyer", data={"email": "jeune@exemple.be"})
    assert response.status_code == 403


@pytest.mark.parametrize("raw", ["jeune@exemple.be", "prenom.nom+cpas@mail.example.org"])
def test_addresses_people_use(raw: str) -> None:
    assert check_email(raw) == (raw, None)
