"""The JSON API of the questionnaire: the questions, an evaluation, errors in French, its docs."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.questionnaire import Questionnaire

SITUATION: dict[str, Any] = {
    "age": 20,
    "enceinte": False,
    "statut": "belge",
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


def loaded(client: TestClient) -> Questionnaire:
    questionnaire: Questionnaire = client.app.state.questionnaire.questionnaire  # type: ignore[attr-defined]
    return questionnaire


def test_questions_list_every_question_with_its_allowed_values(client: TestClient) -> None:
    response = client.get("/api/questionnaire")
    assert response.status_code == 200
    body = response.json()
    q = loaded(client)
    assert [question["id"] for question in body["questions"]] == [x.id for x in q.questions]
    by_id = {question["id"]: question for question in body["questions"]}
    assert by_id["logement"]["allowed"] == [o.value for o in q.by_id["logement"].options]
    assert by_id["dettes"]["allowed"] == [True, False]
    assert by_id["age"]["allowed"] is None
    assert (by_id["age"]["min"], by_id["age"]["max"]) == ("12", "110")
    assert by_id["revenus"]["exclusive"] == ["aucun"]
    assert by_id["sejour_ue"]["asked_when"] == {"answer": "statut", "eq": "ue"}
    assert by_id["age"]["asked_when"] is None
    assert {"id": "ris", "title": "Le revenu d'intégration (RIS)"} in body["rights"]


def test_a_complete_situation_is_evaluated(client: TestClient) -> None:
    response = client.post(
        "/api/questionnaire/evaluate", json={"answers": SITUATION, "date": "2025-06-01"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["day"] == "2025-06-01"
    rights = {right["id"]: right for right in body["rights"]}
    ris = rights["ris"]
    assert ris["status"] == "probable"
    assert ris["amount"]["category"] == "isole"
    assert ris["amount"]["amount"] == "1314.20"
    assert ris["amount"]["since"] == "2025-02-01"
    assert all(reason["text"] for reason in ris["reasons"])
    assert body["disclaimer"].startswith("Ce résultat est une estimation")
    assert body["how_to_apply"]


def test_an_amount_made_out_of_date_by_an_indexation_says_so(client: TestClient) -> None:
    """montants.yaml records the 2 % indexation of 2026-03-01 without its amounts: from that
    day the API gives the last known amount with the sentence that says it is out of date."""
    amounts = {}
    for day in ("2026-02-28", "2026-03-01"):
        response = client.post(
            "/api/questionnaire/evaluate", json={"answers": SITUATION, "date": day}
        )
        assert response.status_code == 200, response.text
        rights = {right["id"]: right for right in response.json()["rights"]}
        amounts[day] = rights["ris"]["amount"]
    assert amounts["2026-02-28"]["indexation_notice"] is None
    after = amounts["2026-03-01"]
    assert after["amount"] == "1314.20" and after["since"] == "2025-02-01"
    assert "indexation de 2" in after["indexation_notice"]
    assert "1er mars 2026" in after["indexation_notice"]


def test_the_date_defaults_to_today(client: TestClient) -> None:
    response = client.post("/api/questionnaire/evaluate", json={"answers": SITUATION})
    assert response.status_code == 200
    assert response.json()["day"] >= "2025-01-01"


def test_answers_to_questions_not_asked_are_ignored(client: TestClient) -> None:
    answers = {**SITUATION, "sejour_ue": "plus_3_mois"}
    response = client.post("/api/questionnaire/evaluate", json={"answers": answers})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        (
            {"answers": {**SITUATION, "prenom": "Lou"}},
            "answers.prenom",
            "« prenom » n'est pas une question du questionnaire",
        ),
        (
            {"answers": {**SITUATION, "logement": "chateau"}},
            "answers.logement",
            "« chateau » n'est pas permis ; réponses possibles : domicile, sans_logement",
        ),
        (
            {"answers": {**SITUATION, "revenus": ["loto"]}},
            "answers.revenus",
            "« loto » n'est pas permis",
        ),
        (
            {"answers": {**SITUATION, "revenus": ["salaire", "aucun"]}},
            "answers.revenus",
            "« aucun » ne va pas avec une autre réponse",
        ),
        ({"answers": {**SITUATION, "age": 200}}, "answers.age", "doit être entre 12 et 110"),
        ({"answers": {**SITUATION, "age": "vingt"}}, "answers.age", "attend un nombre entier"),
        ({"answers": {**SITUATION, "dettes": "oui"}}, "answers.dettes", "attend true (oui)"),
        (
            {"answers": {k: v for k, v in SITUATION.items() if k != "dettes"}},
            "answers.dettes",
            "la réponse manque",
        ),
        (
            {"answers": SITUATION, "date": "2025-13-01"},
            "date",
            "« date » attend une date AAAA-MM-JJ",
        ),
        ({"answers": SITUATION, "date": "1er juin"}, "date", "« date » attend une date"),
        ({"answers": SITUATION, "date": 20250601}, "date", "« date » attend une date"),
        ({"answers": SITUATION, "nom": "Dupont"}, "nom", "« nom » n'est pas un champ permis"),
        ({"answers": ["age"]}, "answers", "« answers » attend un objet"),
        ({}, "answers", "« answers » attend un objet"),
        ([1, 2], "requête", "doit être un objet JSON"),
    ],  # fmt: skip
    ids=[
        "clé inconnue",
        "valeur hors liste",
        "case inconnue",
        "exclusive",
        "âge 200",
        "âge en lettres",
        "oui en texte",
        "réponse manquante",
        "date impossible",
        "date en mots",
        "date en nombre",
        "champ inconnu",
        "answers en liste",
        "corps vide",
        "corps en liste",
    ],  # fmt: skip
)
def test_bad_requests_are_refused_in_french_naming_the_field(
    client: TestClient, body: Any, field: str, words: str
) -> None:
    response = client.post("/api/questionnaire/evaluate", json=body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["detail"] == "La demande n'est pas valable."
    messages = {error["champ"]: error["message"] for error in payload["erreurs"]}
    assert field in messages, messages
    assert words in messages[field]


def test_a_body_that_is_not_json_is_refused_in_french(client: TestClient) -> None:
    response = client.post(
        "/api/questionnaire/evaluate",
        content=b"{pas du json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["erreurs"][0]["message"].startswith("Le corps de la demande")


def test_the_openapi_schema_documents_every_answer_with_examples(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/ai-je-droit" not in schema["paths"]
    listing = schema["paths"]["/api/questionnaire"]["get"]
    assert listing["responses"]["200"]["content"]["application/json"]["example"]["questions"]
    evaluate = schema["paths"]["/api/questionnaire/evaluate"]["post"]
    body = evaluate["requestBody"]["content"]["application/json"]
    assert body["examples"]["seul_sans_revenus"]["value"]["answers"] == SITUATION
    properties = body["schema"]["properties"]["answers"]["properties"]
    q = loaded(client)
    assert set(properties) == set(q.by_id)
    assert properties["logement"]["enum"] == [o.value for o in q.by_id["logement"].options]
    assert properties["dettes"]["type"] == "boolean"
    assert properties["age"] == {
        "type": "integer",
        "minimum": 12,
        "maximum": 110,
        "description": "Quel âge as-tu ?",
    }
    for question in q.questions:
        assert f"`{question.id}`" in evaluate["description"]
    ok = evaluate["responses"]["200"]["content"]["application/json"]["example"]
    assert ok["rights"][0]["id"] == "ris"
    refused = evaluate["responses"]["422"]["content"]["application/json"]["example"]
    assert refused["erreurs"][0]["champ"] == "answers.logement"


WITH_PARENT_AND_GRANDPARENT: dict[str, Any] = {
    **SITUATION,
    "menage": ["parents", "grands_parents"],
    "frais_partages": "oui",
}


def ris_reasons(body: dict[str, Any]) -> list[dict[str, Any]]:
    ris = next(right for right in body["rights"] if right["id"] == "ris")
    reasons: list[dict[str, Any]] = ris["reasons"]
    return reasons


def test_today_the_reasons_say_both_incomes_count_in_principle(client: TestClient) -> None:
    response = client.post(
        "/api/questionnaire/evaluate", json={"answers": WITH_PARENT_AND_GRANDPARENT}
    )
    assert response.status_code == 200
    debtors = next(
        r for r in ris_reasons(response.json()) if r["rule"] == "ris.ressources.debiteurs"
    )
    assert debtors["kind"] == "cpas_decide"
    assert debtors["since"] == "2026-03-01"
    assert "ton père, ta mère, tes grands-parents" in debtors["text"]
    assert "peut décider de ne pas les compter" in debtors["text"]
    assert "Pourquoi" in debtors["text"]


@pytest.mark.parametrize(
    ("day", "since", "words", "grandparents_counted"),
    [
        ("2026-02-28", None, "peut tenir compte d'une partie de leurs revenus", False),
        ("2026-03-01", "2026-03-01", "compte en principe les revenus", True),
    ],
)
def test_the_same_home_the_day_before_and_the_day_the_2026_rule_applies(
    client: TestClient, day: str, since: str | None, words: str, grandparents_counted: bool
) -> None:
    response = client.post(
        "/api/questionnaire/evaluate",
        json={"answers": WITH_PARENT_AND_GRANDPARENT, "date": day},
    )
    assert response.status_code == 200
    reasons = ris_reasons(response.json())
    debtors = next(r for r in reasons if r["rule"] == "ris.ressources.debiteurs")
    assert debtors["since"] == since
    assert words in debtors["text"]
    said_not_counted = any(
        "grands-parents" in r["text"] and "ne sont pas comptés" in r["text"] for r in reasons
    )
    assert said_not_counted is not grandparents_counted
