"""The pages of « Ai-je droit ? », walked as a person would: one question per page, the check
page, the result and its PDF; then every bad input, each with the message a person sees."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from httpx import Response
from itsdangerous import URLSafeTimedSerializer
from pypdf import PdfReader

from app.fiches import live
from app.questionnaire import Questionnaire, normalize_answers, state, token, visible_questions
from tests.conftest import csrf_from

START = "/ai-je-droit"
FIRST = "/ai-je-droit/question/age"
DAY = dt.date(2025, 6, 1)
Raw = str | list[str]

ALONE_WITHOUT_INCOME: dict[str, Raw] = {
    "age": "20",
    "enceinte": "non",
    "statut": "belge",
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
ADULT: dict[str, Raw] = {"age": "20", "enceinte": "non"}
WITHOUT_STAY: dict[str, Raw] = {
    "age": "28",
    "enceinte": "non",
    "statut": "sans_sejour",
    "enfant_mineur": "non",
    "deja_cpas": "jamais",
    "dettes": "oui",
}


@pytest.fixture(autouse=True)
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Results are computed on 1 June 2025, so the amounts of the tests do not age."""
    monkeypatch.setattr("app.questionnaire.routes.today", lambda: DAY)


def squash(text: str) -> str:
    """Runs of ordinary white space as one space; no-break spaces are kept (they matter)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def soup(response: Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def text_of(response: Response) -> str:
    main = soup(response).find("main")
    assert main is not None
    return squash(main.get_text(" "))


def change_links(page: BeautifulSoup) -> dict[str, str]:
    """The « Modifier » links of the check page, by the words read out after « Modifier »."""
    return {squash(a.get_text(" ")): str(a["href"]) for a in page.select(".summary-change a")}


def change_link(page: BeautifulSoup, label: str) -> str:
    return change_links(page)[f"Modifier la réponse «\u00a0{label}\u00a0»"]


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("etat", [""])[0]


def question_id(url: str) -> str:
    match = re.fullmatch(r"/ai-je-droit/question/(\w+)", urlsplit(url).path)
    assert match, f"pas une question : {url}"
    return match.group(1)


def post_answer(client: TestClient, page_url: str, raw: Raw) -> Response:
    """Send the form of the question page at ``page_url``, as its hidden fields say."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    form = soup(page).find("form", class_="question-form")
    assert form is not None
    data: dict[str, object] = {
        field["name"]: field["value"] for field in form.find_all("input", type="hidden")
    }
    data[question_id(page_url)] = raw
    return client.post(str(form["action"]), data=data, follow_redirects=False)


def walk(client: TestClient, answers: Mapping[str, Raw], start: str = FIRST) -> str:
    """Answer each question the site asks, from ``start``, while ``answers`` has its answer;
    the URL reached (the check page once every question is answered)."""
    url = start
    while urlsplit(url).path.startswith("/ai-je-droit/question/"):
        qid = question_id(url)
        if qid not in answers:
            break
        response = post_answer(client, url, answers[qid])
        assert response.status_code == 303, text_of(response)
        url = response.headers["location"]
    return url


def test_start_page_leads_to_the_first_question(client: TestClient) -> None:
    response = client.get(START)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = soup(response)
    assert page.h1 is not None and page.h1.get_text() == "Ai-je droit\u202f?"
    assert page.find("a", string="Commencer le questionnaire")["href"] == FIRST
    nav = page.find("nav", class_="site-nav")
    assert nav is not None and nav.find("a", attrs={"aria-current": "page"}).get_text() == (
        "Ai-je droit ?"
    )
    home = client.get("/")
    assert soup(home).find("a", string="Commencer le questionnaire")["href"] == START


def test_first_question_shows_progress_help_and_a_back_link(client: TestClient) -> None:
    response = client.get(FIRST)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = soup(response)
    asked = visible_questions(client.app.state.questionnaire.questionnaire, {})  # type: ignore[attr-defined]
    assert page.find(class_="progress").get_text() == f"Question 1 sur {len(asked)}"
    heading = page.find("h1")
    assert heading is not None and heading.find("label", attrs={"for": "age"}) is not None
    assert heading.get_text(strip=True) == "Quel âge as-tu\u202f?"
    assert page.find("details").find("summary") is not None
    assert "Ton âge aujourd'hui" in page.find("details").get_text()
    assert page.find("a", class_="back-link")["href"] == START
    assert page.find("meta", attrs={"name": "referrer"})["content"] == "no-referrer"


def test_second_question_goes_back_to_the_first_with_the_answers(client: TestClient) -> None:
    response = post_answer(client, FIRST, "20")
    second = response.headers["location"]
    assert urlsplit(second).path == "/ai-je-droit/question/enceinte"
    page = soup(client.get(second))
    assert page.find(class_="progress").get_text().startswith("Question 2 sur ")
    assert page.find("legend").find("h1").get_text() == "Es-tu enceinte\u202f?"
    back = page.find("a", class_="back-link")["href"]
    assert urlsplit(back).path == FIRST and token_of(back) == token_of(second)
    # Going back shows the answer given.
    assert soup(client.get(back)).find("input", id="age")["value"] == "20"


def test_a_young_person_alone_without_income_probably_gets_the_ris_isole(
    client: TestClient,
) -> None:
    check_url = walk(client, ALONE_WITHOUT_INCOME)
    assert urlsplit(check_url).path == "/ai-je-droit/verifier"
    check = client.get(check_url)
    assert check.status_code == 200
    assert check.headers["cache-control"] == "no-store"
    text = text_of(check)
    assert "Vérifie tes réponses" in text
    assert "Âge 20 ans" in text
    assert len(change_links(soup(check))) == len(ALONE_WITHOUT_INCOME)

    result_url = soup(check).find("a", string="Voir mon résultat")["href"]
    result = client.get(result_url)
    assert result.status_code == 200
    assert result.headers["cache-control"] == "no-store"
    page = soup(result)
    ris = page.find("section", id="droit-ris")
    assert ris is not None
    ris_text = squash(ris.get_text(" "))
    assert "Probablement oui" in ris_text
    assert "Personne isolée" in ris_text
    assert "1\u202f314,20\u00a0€ par mois" in ris_text
    assert "1er février 2025" in ris_text
    assert ris.find("a", href="/fiches/ris-conditions") is not None or ris.find(
        "a", href=re.compile(r"^/fiches/[a-z0-9-]+$")
    )
    text = text_of(result)
    assert "Comment faire ta demande" in text
    assert "seul le CPAS décide" in text
    assert "Estimation faite le 1er juin 2025" in text
    assert page.find("a", href=re.compile(r"resultat\.pdf\?etat=")) is not None


def test_without_a_right_of_stay_the_result_points_to_urgent_medical_aid(
    client: TestClient,
) -> None:
    check_url = walk(client, WITHOUT_STAY)
    assert urlsplit(check_url).path == "/ai-je-droit/verifier"
    # Six questions only: the others are not asked without a right of stay.
    assert len(soup(client.get(check_url)).select(".summary-row")) == 6
    result = client.get(check_url.replace("/verifier", "/resultat"))
    page = soup(result)
    urgent = page.find("section", id="droit-aide_medicale_urgente")
    assert urgent is not None and "Probablement oui" in urgent.get_text()
    assert "Peu probable" in page.find("section", id="droit-ris").get_text()
    assert page.find("section", id="droit-aide_sociale") is None


def test_change_from_the_check_page_returns_to_it(client: TestClient) -> None:
    check_url = walk(client, ALONE_WITHOUT_INCOME)
    check = soup(client.get(check_url))
    change_url = change_link(check, "Dettes ou factures impayées")
    assert parse_qs(urlsplit(change_url).query)["retour"] == ["verifier"]
    page = soup(client.get(change_url))
    assert urlsplit(page.find("a", class_="back-link")["href"]).path == "/ai-je-droit/verifier"
    assert page.find("input", attrs={"value": "non", "checked": True}) is not None
    response = post_answer(client, change_url, "oui")
    assert response.status_code == 303
    back = response.headers["location"]
    assert urlsplit(back).path == "/ai-je-droit/verifier"
    assert "Dettes ou factures impayées Oui" in text_of(client.get(back))


def test_a_change_that_asks_a_new_question_asks_it_then_returns(client: TestClient) -> None:
    check_url = walk(client, ALONE_WITHOUT_INCOME)
    change_url = change_link(soup(client.get(check_url)), "Personnes sous le même toit")
    response = post_answer(client, change_url, ["partenaire"])
    # Living with a partner asks about the partner's income, then the check page.
    url = response.headers["location"]
    assert question_id(url) == "revenus_partenaire"
    assert parse_qs(urlsplit(url).query)["retour"] == ["verifier"]
    url = walk(client, {"revenus_partenaire": "0"}, start=url)
    assert urlsplit(url).path == "/ai-je-droit/verifier"
    assert "Revenus du ou de la partenaire par mois" in text_of(client.get(url))


def test_answers_to_questions_that_became_hidden_are_dropped(client: TestClient) -> None:
    check_url = walk(client, ALONE_WITHOUT_INCOME)
    change_url = change_link(soup(client.get(check_url)), "Nationalité ou séjour")
    response = post_answer(client, change_url, "sans_sejour")
    url = response.headers["location"]
    assert urlsplit(url).path == "/ai-je-droit/verifier"
    questionnaire = client.app.state.questionnaire.questionnaire  # type: ignore[attr-defined]
    answers = token.load_token(_secret(client), questionnaire, token_of(url))
    assert "logement" not in answers and "revenus" not in answers
    assert "Logement" not in text_of(client.get(url))


def _secret(client: TestClient) -> str:
    return str(client.app.state.settings.secret_key.get_secret_value())  # type: ignore[attr-defined]


def test_the_token_holds_only_the_answers(client: TestClient) -> None:
    url = walk(client, ALONE_WITHOUT_INCOME)
    compact = token_of(url)
    assert compact.startswith(token.PREFIX)
    text = token._serializer(_secret(client)).loads(compact[len(token.PREFIX) :])
    pairs = dict(part.split(":", 1) for part in text.split(";"))
    assert pairs == {
        key: "+".join(value) if isinstance(value, list) else value
        for key, value in ALONE_WITHOUT_INCOME.items()
    }


def test_links_given_before_the_compact_token_still_open(client: TestClient) -> None:
    questionnaire = client.app.state.questionnaire.questionnaire  # type: ignore[attr-defined]
    answers, errors = normalize_answers(
        questionnaire, {"age": 20, "statut": "belge"}, complete=False
    )
    assert errors == []
    old = state.dump_state(_secret(client), questionnaire, answers)
    page = client.get(f"/ai-je-droit?etat={old}")
    assert page.status_code == 200
    assert soup(page).find("a", string="Continuer mes réponses") is not None


def test_skipping_ahead_leads_to_the_first_question_not_answered(client: TestClient) -> None:
    response = client.get("/ai-je-droit/question/dettes", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == FIRST
    for page in ("/ai-je-droit/verifier", "/ai-je-droit/resultat", "/ai-je-droit/resultat.pdf"):
        response = client.get(page, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == FIRST


# --- bad input: each with the message a person sees ----------------------------------------


@pytest.mark.parametrize(
    ("answers_before", "question", "raw", "message"),
    [
        ({}, "age", "", "Indique ton âge"),
        ({}, "age", "vingt", "Indique ton âge en chiffres, par exemple 19"),
        ({}, "age", "200", "Indique un âge de 110 ans ou moins"),
        ({}, "age", "8", "Ce questionnaire est prévu à partir de 12 ans"),
        (ADULT, "statut", "martien", "Choisis une des réponses proposées"),
        (ADULT, "statut", [], "Choisis une réponse"),
        (
            {
                "age": "20",
                "enceinte": "non",
                "statut": "belge",
                "vit_en_belgique": "oui",
                "logement": "domicile",
                "menage": ["personne"],
                "enfant_mineur": "non",
                "etudiant": "non",
                "handicap": "non",
            },
            "revenus",
            ["salaire", "aucun"],
            "«\u00a0Aucun revenu\u00a0» ne peut pas être coché avec une autre réponse",
        ),
    ],  # fmt: skip
    ids=["vide", "lettres", "200 ans", "8 ans", "option inconnue", "rien coché", "exclusive"],
)
def test_a_bad_answer_shows_the_same_question_with_its_error(
    client: TestClient, answers_before: dict[str, Raw], question: str, raw: Raw, message: str
) -> None:
    url = walk(client, answers_before) if answers_before else FIRST
    assert question_id(url) == question
    response = post_answer(client, url, raw)
    assert response.status_code == 400
    page = soup(response)
    assert page.title is not None and page.title.get_text().startswith("Erreur\u202f: ")
    summary = page.find(class_="error-summary")
    assert summary is not None
    assert summary.find("a", href=f"#{question}").get_text() == message
    assert message in page.find(id=f"{question}-erreur").get_text()
    field = page.find(id=question)
    assert field is not None
    if field.name == "input" and field["type"] == "text":
        assert field["value"] == raw
        assert field["aria-invalid"] == "true"
    # The answers given before are still there.
    assert token_of(url) == page.find("input", attrs={"name": "etat"})["value"]


def test_a_tampered_token_sends_back_to_the_start_with_a_message(client: TestClient) -> None:
    url = walk(client, {"age": "20"})
    token = token_of(url)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for page_url in (
        f"/ai-je-droit/question/statut?etat={tampered}",
        f"/ai-je-droit/verifier?etat={tampered}",
        f"/ai-je-droit/resultat?etat={tampered}",
        f"/ai-je-droit/resultat.pdf?etat={tampered}",
        f"/ai-je-droit?etat={tampered}",
        "/ai-je-droit/question/statut?etat=pas-un-jeton",
    ):
        response = client.get(page_url)
        assert response.status_code == 400, page_url
        assert "Le lien vers tes réponses n'est pas valable" in text_of(response)
        assert soup(response).find("a", string="Commencer le questionnaire") is not None
    form_page = client.get(url)
    response = client.post(
        "/ai-je-droit/question/statut",
        data={"csrf_token": csrf_from(form_page.text), "etat": tampered, "statut": "belge"},
    )
    assert response.status_code == 400
    assert "n'est pas valable" in text_of(response)


def test_an_expired_token_says_so(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    url = walk(client, {"age": "20"})
    monkeypatch.setattr(state, "MAX_AGE_SECONDS", -1)
    response = client.get(url)
    assert response.status_code == 400
    assert "Le lien vers tes réponses a expiré" in text_of(response)


def test_a_token_signed_with_another_key_is_refused(client: TestClient) -> None:
    forged = URLSafeTimedSerializer("une autre clé", salt="questionnaire").dumps({"age": ["20"]})
    response = client.get(f"/ai-je-droit/question/statut?etat={forged}")
    assert response.status_code == 400


def test_an_unknown_question_shows_the_start_page_with_a_message(client: TestClient) -> None:
    url = walk(client, {"age": "20"})
    response = client.get(f"/ai-je-droit/question/inconnue?etat={token_of(url)}")
    assert response.status_code == 404
    assert "Cette question n'existe pas, ou plus" in text_of(response)
    form_page = client.get(url)
    response = client.post(
        "/ai-je-droit/question/inconnue",
        data={"csrf_token": csrf_from(form_page.text), "etat": token_of(url), "inconnue": "x"},
    )
    assert response.status_code == 404


def test_a_token_naming_an_unknown_question_keeps_the_rest(client: TestClient) -> None:
    serializer = URLSafeTimedSerializer(_secret(client), salt="questionnaire")
    token = serializer.dumps(
        {"age": ["20"], "enceinte": ["non"], "ancienne_question": ["oui"], "statut": ["martien"]}
    )
    response = client.get(f"/ai-je-droit?etat={token}")
    assert response.status_code == 200
    resume = soup(response).find("a", string="Continuer mes réponses")["href"]
    assert question_id(resume) == "statut"


def test_a_form_without_csrf_token_is_refused(client: TestClient) -> None:
    response = client.post("/ai-je-droit/question/age", data={"age": "20", "etat": ""})
    assert response.status_code == 403


# --- the result: share, ask, print, PDF -----------------------------------------------------


def test_result_links_to_a_question_with_a_neutral_summary(client: TestClient) -> None:
    url = walk(client, ALONE_WITHOUT_INCOME)
    result = client.get(url.replace("/verifier", "/resultat"))
    page = soup(result)
    ask = page.find("a", string="Poser une question à un professionnel")["href"]
    assert ask.startswith("/questions/poser?question=")
    summary = parse_qs(urlsplit(ask).query)["question"][0]
    assert summary.startswith("Ma situation, d'après le questionnaire")
    assert "- Âge : 20 ans" in summary
    assert ask == "/questions/poser?question=" + quote(summary)
    share = page.find("a", class_="share-link")["href"]
    assert share.startswith("http://testserver/ai-je-droit/resultat?etat=")
    assert token_of(share) == token_of(url)


def test_result_pdf_holds_the_rights_and_the_disclaimer(client: TestClient) -> None:
    url = walk(client, ALONE_WITHOUT_INCOME)
    response = client.get(url.replace("/verifier", "/resultat.pdf"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "revenu d'intégration" in text.lower()
    assert "Le revenu d'intégration (RIS)" in text
    assert "seul le CPAS décide" in text
    assert "Poser une question" not in text
    # Nothing about the person is left on the server.
    var_dir = client.app.state.settings.var_dir  # type: ignore[attr-defined]
    assert not list(var_dir.glob("**/*.pdf"))


def test_the_token_gives_back_the_answers_of_every_scenario(
    questionnaire: Questionnaire, scenarios: list[dict[str, Any]]
) -> None:
    for scenario in scenarios:
        answers, errors = normalize_answers(questionnaire, scenario["answers"])
        assert errors == []
        old = state.dump_state("clé", questionnaire, answers)
        assert state.load_state("clé", questionnaire, old) == answers, scenario["name"]
        compact = token.dump_token("clé", questionnaire, answers)
        # The compact token is much shorter than the JSON one it replaces.
        assert len(compact) < 0.75 * len(old) + 40, scenario["name"]
        assert len(compact) < 320, scenario["name"]
        assert token.load_token("clé", questionnaire, compact) == answers, scenario["name"]


def test_an_error_after_modifier_still_returns_to_the_check_page(client: TestClient) -> None:
    check_url = walk(client, ALONE_WITHOUT_INCOME)
    change_url = change_link(soup(client.get(check_url)), "Âge")
    response = post_answer(client, change_url, "deux cents")
    assert response.status_code == 400
    page = soup(response)
    assert page.find("input", attrs={"name": "retour"})["value"] == "verifier"
    assert urlsplit(page.find("a", class_="back-link")["href"]).path == "/ai-je-droit/verifier"
    form = page.find("form", class_="question-form")
    data = {field["name"]: field["value"] for field in form.find_all("input", type="hidden")}
    response = client.post(str(form["action"]), data={**data, "age": "21"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["cache-control"] == "no-store"
    assert urlsplit(response.headers["location"]).path == "/ai-je-droit/verifier"


# --- the law of the day: cohabiting maintenance debtors since 1 March 2026 -----------------

WITH_PARENT_AND_GRANDPARENT: dict[str, Raw] = {
    **ALONE_WITHOUT_INCOME,
    "menage": ["parents", "grands_parents"],
    "frais_partages": "oui",
}


def test_living_with_a_parent_and_a_grandparent_today_both_incomes_count_in_principle(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The result page, evaluated today (the real day, not the tests' fixed one), says what
    the 2026 rule does, that the CPAS may decide otherwise, and why, with the rule's date."""
    monkeypatch.setattr("app.questionnaire.routes.today", live.today)
    assert live.today() >= dt.date(2026, 3, 1)
    check_url = walk(client, WITH_PARENT_AND_GRANDPARENT)
    assert urlsplit(check_url).path == "/ai-je-droit/verifier"
    assert "Personnes sous le même toit parents, grands-parents" in text_of(client.get(check_url))
    result = client.get(check_url.replace("/verifier", "/resultat"))
    ris = soup(result).find("section", id="droit-ris")
    assert ris is not None
    text = squash(ris.get_text(" "))
    assert "Peut-être\u202f: le CPAS décide" in text
    assert "Personne cohabitante" in text
    # Dates keep their no-break spaces (« 1er mars 2026 »): read them as spaces here.
    reasons = [squash(li.get_text(" ")).replace("\u00a0", " ") for li in ris.select("li.reason")]
    reason = next(text for text in reasons if "Depuis le 1er mars 2026" in text)
    for words in (
        "compte en principe les revenus",
        "ton père, ta mère, tes grands-parents",
        "allocations familiales",
        "Pourquoi\u202f: la loi fait passer l'aide de cette famille",
        "peut décider de ne pas les compter",
        "raison d'équité",
        "(règle en vigueur depuis le 1er mars 2026)",
    ):
        assert words in reason, words
