"""The walk through the questions, the answers of a form and of the JSON API, and summaries."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from app.amounts import Amounts
from app.questionnaire import (
    AnswerValue,
    Questionnaire,
    evaluate,
    form_values,
    next_question,
    normalize_answers,
    parse_answer,
    position,
    previous_question,
    summarize,
    summary_rows,
    validate_answers,
    visible_answers,
    visible_questions,
)

NNBSP, NBSP = "\u202f", "\u00a0"
DAY = dt.date(2025, 6, 1)
STUDENT: dict[str, AnswerValue] = {
    "age": 23,
    "enceinte": False,
    "statut": "belge",
    "vit_en_belgique": True,
    "logement": "domicile",
    "menage": ("personne",),
    "enfant_mineur": False,
    "etudiant": True,
    "handicap": "non",
    "revenus": ("job_etudiant",),
    "revenus_montant": Decimal("350.00"),
    "non_demandees": ("aucune",),
    "prestations_perdues": ("aucune",),
    "deja_cpas": "jamais",
    "dettes": False,
    "garantie_locative": False,
}


# --- one answer from a form -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "raw", "value", "error"),
    [
        ("age", ["19"], 19, None),
        ("age", [" 19 "], 19, None),
        ("age", [], None, "Indique ton âge"),
        ("age", ["  "], None, "Indique ton âge"),
        ("age", ["dix-neuf"], None, "Indique ton âge en chiffres, par exemple 19"),
        ("age", ["19 ans"], None, "Indique ton âge en chiffres, par exemple 19"),
        ("age", ["19,5"], None, "Indique ton âge en chiffres, par exemple 19"),
        ("age", ["-3"], None, "Indique ton âge en chiffres, par exemple 19"),
        ("age", ["١٩"], None, "Indique ton âge en chiffres, par exemple 19"),
        ("age", ["5"], None, "Ce questionnaire est prévu à partir de 12 ans"),
        ("age", ["150"], None, "Indique un âge de 110 ans ou moins"),
        ("age", ["9" * 100], None, "Indique ton âge en chiffres, par exemple 19"),
        ("statut", ["belge"], "belge", None),
        ("statut", [], None, "Choisis une réponse"),
        ("statut", ["martien"], None, "Choisis une des réponses proposées"),
        ("statut", ["belge", "ue"], None, "Choisis une des réponses proposées"),
        ("revenus", ["aucun"], ("aucun",), None),
        ("revenus", ["job_etudiant", "salaire"], ("salaire", "job_etudiant"), None),
        ("revenus", ["salaire", "salaire"], ("salaire",), None),
        ("revenus", [], None, "Coche au moins une réponse"),
        ("revenus", ["loterie"], None, "Choisis parmi les réponses proposées"),
        (
            "revenus",
            ["salaire", "aucun"],
            None,
            "« Aucun revenu » ne peut pas être coché avec une autre réponse",
        ),
        ("vit_en_belgique", ["oui"], True, None),
        ("vit_en_belgique", ["non"], False, None),
        ("vit_en_belgique", [], None, "Réponds par oui ou par non"),
        ("vit_en_belgique", ["peut-être"], None, "Réponds par oui ou par non"),
        ("revenus_montant", ["450"], Decimal("450.00"), None),
        ("revenus_montant", ["450,5"], Decimal("450.50"), None),
        ("revenus_montant", ["450.50"], Decimal("450.50"), None),
        ("revenus_montant", ["1 200,50 €"], Decimal("1200.50"), None),
        ("revenus_montant", [f"1{NNBSP}200{NBSP}€"], Decimal("1200.00"), None),
        ("revenus_montant", ["1.200"], Decimal("1200.00"), None),
        ("revenus_montant", ["1.200,75"], Decimal("1200.75"), None),
        ("revenus_montant", ["1,200.75"], Decimal("1200.75"), None),
        ("revenus_montant", ["0"], Decimal("0.00"), None),
        ("revenus_montant", ["1200 euros"], Decimal("1200.00"), None),
        ("revenus_montant", [], None, "Indique combien tu reçois par mois"),
        (
            "revenus_montant",
            ["beaucoup"],
            None,
            "Indique un montant en euros, par exemple 450 ou 450,50",
        ),
        (
            "revenus_montant",
            ["-50"],
            None,
            "Indique un montant en euros, par exemple 450 ou 450,50",
        ),
        (
            "revenus_montant",
            ["12,345"],
            None,
            "Indique un montant en euros, par exemple 450 ou 450,50",
        ),
        (
            "revenus_montant",
            ["250000"],
            None,
            f"Le montant doit être de 100{NNBSP}000{NBSP}€ ou moins",
        ),
        (
            "revenus_partenaire",
            [""],
            None,
            "Indique combien ton ou ta partenaire reçoit par mois, ou 0",
        ),
    ],
)
def test_parse_answer(
    questionnaire: Questionnaire,
    question_id: str,
    raw: list[str],
    value: AnswerValue | None,
    error: str | None,
) -> None:
    assert parse_answer(questionnaire.question(question_id), raw) == (value, error)


@pytest.mark.parametrize(
    ("question_id", "value"),
    [
        ("age", 19),
        ("statut", "ue"),
        ("revenus", ("salaire", "chomage")),
        ("vit_en_belgique", False),
        ("revenus_montant", Decimal("1314.20")),
    ],
)
def test_form_values_read_back_as_the_same_answer(
    questionnaire: Questionnaire, question_id: str, value: AnswerValue
) -> None:
    question = questionnaire.question(question_id)
    assert parse_answer(question, form_values(question, value)) == (value, None)


# --- answers of the JSON API ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"foo": 1}, "foo", "« foo » n'est pas une question du questionnaire."),
        ({"age": "19"}, "age", "« age » attend un nombre entier, par exemple 19."),
        ({"age": True}, "age", "« age » attend un nombre entier, par exemple 19."),
        ({"age": 19.5}, "age", "« age » attend un nombre entier, par exemple 19."),
        ({"age": 200}, "age", "« age » doit être entre 12 et 110."),
        ({"age": 1e300}, "age", "« age » doit être entre 12 et 110."),
        ({"age": float("nan")}, "age", "« age » attend un nombre entier, par exemple 19."),
        (
            {"statut": "martien"},
            "statut",
            "« statut » : « martien » n'est pas permis ; réponses possibles : belge, ue, "
            "population, refugie, protection_subsidiaire, apatride, etrangers, "
            "demandeur_asile, sans_sejour, ne_sais_pas.",
        ),
        (
            {"statut": 3},
            "statut",
            "« statut » attend une de ces réponses : belge, ue, population, "
            "refugie, protection_subsidiaire, apatride, etrangers, demandeur_asile, sans_sejour, "
            "ne_sais_pas.",
        ),
        (
            {"revenus": "salaire"},
            "revenus",
            "« revenus » attend une liste de réponses parmi : salaire, job_etudiant, chomage, "
            "mutuelle, allocation_handicap, allocations_familiales, bourse, aide_parents, autre, "
            "aucun.",
        ),
        (
            {"revenus": ["aucun", "salaire"]},
            "revenus",
            "« revenus » : « aucun » ne va pas avec une autre réponse.",
        ),
        (
            {"revenus": []},
            "revenus",
            "« revenus » : choisis au moins une réponse parmi : salaire, job_etudiant, chomage, "
            "mutuelle, allocation_handicap, allocations_familiales, bourse, aide_parents, autre, "
            "aucun.",
        ),
        (
            {"revenus": ["salaire", "loto"]},
            "revenus",
            "« revenus » : « loto » n'est pas permis ; réponses possibles : salaire, "
            "job_etudiant, chomage, mutuelle, allocation_handicap, allocations_familiales, bourse, "
            "aide_parents, autre, aucun.",
        ),
        ({"dettes": "oui"}, "dettes", "« dettes » attend true (oui) ou false (non)."),
        (
            {"revenus_montant": 10.555},
            "revenus_montant",
            "« revenus_montant » attend un montant en euros, par exemple 450.50.",
        ),
        (
            {"revenus_montant": -1},
            "revenus_montant",
            f"« revenus_montant » doit être entre 0{NBSP}€ et 100{NNBSP}000{NBSP}€.",
        ),
    ],
)
def test_validate_answers_names_the_field(
    questionnaire: Questionnaire, answers: dict[str, Any], field: str, message: str
) -> None:
    assert (field, message) in validate_answers(questionnaire, answers, complete=False)


def test_validate_answers_accepts_json_values(questionnaire: Questionnaire) -> None:
    answers = {
        **STUDENT,
        "menage": ["personne"],
        "revenus": ["job_etudiant"],
        "revenus_montant": 350,
        "non_demandees": ["aucune"],
        "prestations_perdues": ["aucune"],
    }
    assert validate_answers(questionnaire, answers) == []
    cleaned, errors = normalize_answers(questionnaire, {**answers, "age": 23.0})
    assert errors == []
    assert cleaned == STUDENT


def test_validate_answers_reports_each_missing_answer(questionnaire: Questionnaire) -> None:
    errors = validate_answers(questionnaire, {"age": 30, "statut": "belge"})
    assert errors[0] == ("enceinte", "« enceinte » : la réponse manque.")
    assert {field for field, _ in errors} == {
        "enceinte",
        "vit_en_belgique",
        "logement",
        "enfant_mineur",
        "etudiant",
        "handicap",
        "revenus",
        "non_demandees",
        "prestations_perdues",
        "deja_cpas",
        "dettes",
        "garantie_locative",
    }
    assert validate_answers(questionnaire, {"age": 30}, complete=False) == []


def test_answers_to_hidden_questions_are_dropped_not_refused(questionnaire: Questionnaire) -> None:
    answers = {**STUDENT, "situation_mineur": ["enceinte"], "capable_travailler": "oui"}
    cleaned, errors = normalize_answers(questionnaire, answers)
    assert errors == []
    assert "situation_mineur" not in cleaned
    assert "capable_travailler" not in cleaned


# --- the walk through the questions ---------------------------------------------------------


def test_the_walk_starts_with_the_age_and_asks_one_question_at_a_time(
    questionnaire: Questionnaire,
) -> None:
    first = next_question(questionnaire, {})
    assert first is not None and first.id == "age"
    following = next_question(questionnaire, {"age": 17})
    assert following is not None and following.id == "situation_mineur"
    following = next_question(questionnaire, {"age": 19})
    assert following is not None and following.id == "enceinte"
    assert next_question(questionnaire, STUDENT) is None


def test_a_person_without_legal_stay_gets_a_short_walk(questionnaire: Questionnaire) -> None:
    answers: dict[str, AnswerValue] = {"age": 30, "statut": "sans_sejour"}
    ids = [question.id for question in visible_questions(questionnaire, answers)]
    assert ids == ["age", "enceinte", "statut", "enfant_mineur", "deja_cpas", "dettes"]


def test_skip_logic_follows_the_answers(questionnaire: Questionnaire) -> None:
    ids = [question.id for question in visible_questions(questionnaire, STUDENT)]
    assert "capable_travailler" not in ids  # students: the studies are the equity reason
    assert "revenus_montant" in ids
    assert "revenus_partenaire" not in ids
    couple = {**STUDENT, "menage": ("partenaire",), "etudiant": False}
    ids = [question.id for question in visible_questions(questionnaire, couple)]
    assert {"revenus_partenaire", "capable_travailler"} <= set(ids)
    assert "frais_partages" not in ids  # a couple shares the household: no need to ask
    with_family = {**STUDENT, "menage": ("parents", "grands_parents")}
    ids = [question.id for question in visible_questions(questionnaire, with_family)]
    assert "frais_partages" in ids and "garde" not in ids
    parent = {**STUDENT, "enfant_mineur": True}
    ids = [question.id for question in visible_questions(questionnaire, parent)]
    assert ids.index("enfant_mineur") < ids.index("enfants_nombre") < ids.index("garde")


def test_answers_that_became_hidden_are_dropped(questionnaire: Questionnaire) -> None:
    answers = {"age": 17, "situation_mineur": ("enceinte",), "statut": "belge"}
    assert visible_answers(questionnaire, answers) == answers
    older = {**answers, "age": 30}
    assert "situation_mineur" not in visible_answers(questionnaire, older)


def test_position_and_back_link(questionnaire: Questionnaire) -> None:
    shown = visible_questions(questionnaire, STUDENT)
    assert position(questionnaire, STUDENT, "age") == (1, len(shown))
    assert position(questionnaire, STUDENT, "statut") == (3, len(shown))
    assert position(questionnaire, STUDENT, "capable_travailler") is None
    back = previous_question(questionnaire, STUDENT, "statut")
    assert back is not None and back.id == "enceinte"
    assert previous_question(questionnaire, STUDENT, "age") is None
    back = previous_question(questionnaire, STUDENT, "revenus")
    assert back is not None and back.id == "handicap"


# --- summaries ------------------------------------------------------------------------------


def test_summary_rows_for_the_check_page(questionnaire: Questionnaire) -> None:
    rows = summary_rows(questionnaire, STUDENT)
    assert [row.question_id for row in rows] == [
        question.id for question in visible_questions(questionnaire, STUDENT)
    ]
    by_id = {row.question_id: row for row in rows}
    assert by_id["age"].label == "Âge"
    assert by_id["age"].answer == "23 ans"
    assert by_id["revenus_montant"].answer == f"350,00{NBSP}€ par mois"
    assert by_id["etudiant"].answer == "Oui"
    assert by_id["revenus"].answer == "job étudiant"


def test_summarize_is_neutral_plain_text(questionnaire: Questionnaire) -> None:
    text = summarize(questionnaire, STUDENT)
    assert text.splitlines()[0] == questionnaire.texts.summary_intro
    assert "- Âge : 23 ans" in text
    assert "- Nationalité ou séjour : belge" in text
    assert "None" not in text and "True" not in text
    assert len(text.splitlines()) == 1 + len(STUDENT)


# --- the evaluation -------------------------------------------------------------------------


def test_evaluate_is_pure(questionnaire: Questionnaire, amounts: Amounts) -> None:
    answers = dict(STUDENT)
    first = evaluate(questionnaire, amounts, answers, DAY)
    second = evaluate(questionnaire, amounts, answers, DAY)
    assert first == second
    assert answers == STUDENT


def test_the_result_serialises_to_json(questionnaire: Questionnaire, amounts: Amounts) -> None:
    result = evaluate(questionnaire, amounts, STUDENT, DAY)
    data = json.loads(json.dumps(result.model_dump(mode="json")))
    ris = next(right for right in data["rights"] if right["id"] == "ris")
    assert ris["amount"]["amount"] == "1314.20"
    assert ris["amount"]["since"] == "2025-02-01"
    assert ris["amount"]["source"]["url"].startswith("https://")
    assert data["how_to_apply"] and data["disclaimer"]


def test_the_result_ends_with_how_to_apply(questionnaire: Questionnaire, amounts: Amounts) -> None:
    result = evaluate(questionnaire, amounts, STUDENT, DAY)
    steps = " ".join(result.how_to_apply)
    assert "commune où tu vis" in steps
    assert "accusé de réception" in steps
    assert "30 jours" in steps
    assert "ne donne droit à rien" in result.disclaimer


def test_the_amount_follows_the_day(questionnaire: Questionnaire, amounts: Amounts) -> None:
    def ris_amount(day: dt.date) -> Decimal | None:
        right = evaluate(questionnaire, amounts, STUDENT, day).right("ris")
        assert right is not None
        return right.amount.amount if right.amount else None

    assert ris_amount(dt.date(2025, 1, 31)) == Decimal("1288.46")
    assert ris_amount(dt.date(2025, 2, 1)) == Decimal("1314.20")
    assert ris_amount(dt.date(2010, 1, 1)) is None  # before the first known amount


def test_an_answer_the_evaluation_does_not_expect_is_ignored(
    questionnaire: Questionnaire, amounts: Amounts
) -> None:
    answers = {**STUDENT, "inconnu": "x", "capable_travailler": "pas_pret"}
    assert evaluate(questionnaire, amounts, answers, DAY) == evaluate(
        questionnaire, amounts, STUDENT, DAY
    )


def test_a_peu_probable_right_keeps_only_the_steps_about_what_fails(
    questionnaire: Questionnaire, amounts: Amounts
) -> None:
    answers = {
        **STUDENT,
        "age": 16,
        "situation_mineur": ("aucune",),
        "menage": ("parents",),
        "frais_partages": "oui",
        "revenus": ("aucun",),
    }
    del answers["revenus_montant"]
    ris = evaluate(questionnaire, amounts, answers, DAY).right("ris")
    assert ris is not None and ris.status == "peu_probable"
    assert any("18 ans" in step for step in ris.next_steps)
    assert not any("parents" in step for step in ris.next_steps)
    assert ris.amount is None


@pytest.mark.parametrize("raw", ["9" * 30, "9" * 30 + ",99", "1" + "0" * 39])
def test_a_huge_number_is_refused_politely(questionnaire: Questionnaire, raw: str) -> None:
    """Found by hypothesis: a 30-digit amount could not be rounded to cents."""
    assert parse_answer(questionnaire.question("revenus_montant"), [raw]) == (
        None,
        f"Le montant doit être de 100{NNBSP}000{NBSP}€ ou moins",
    )
    if raw.isdigit():
        assert parse_answer(questionnaire.question("age"), [raw]) == (
            None,
            "Indique un âge de 110 ans ou moins",
        )
