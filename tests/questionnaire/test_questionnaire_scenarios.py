"""The scenario table: real situations, and what a well-informed youth worker would answer.

Also checks that the scenarios, together, use every rule of droits.yaml, bring out every
right, every category and every exemption, and that every question can be reached.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.amounts import Amounts
from app.questionnaire import (
    AnswerValue,
    Question,
    Questionnaire,
    Result,
    evaluate,
    next_question,
    normalize_answers,
    visible_questions,
)

SCENARIOS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "scenarios.yaml").read_text(encoding="utf-8")
)
RIGHT_IDS = {
    "ris",
    "piis",
    "aide_sociale",
    "aide_medicale_urgente",
    "adresse_reference",
    "prestations_prioritaires",
    "bourse_etudes",
    "grapa",
    "recours",
    "aide_juridique",
    "mediation_dettes",
    "garantie_locative",
}


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60]


def run(questionnaire: Questionnaire, amounts: Amounts, scenario: dict[str, Any]) -> Result:
    answers, errors = normalize_answers(questionnaire, scenario["answers"])
    assert errors == [], errors
    assert set(answers) == set(scenario["answers"]), "réponse à une question qui n'est pas posée"
    return evaluate(questionnaire, amounts, answers, scenario["date"])


def test_there_are_at_least_100_scenarios_with_distinct_names_and_a_source() -> None:
    names = [scenario["name"] for scenario in SCENARIOS]
    assert len(names) >= 100
    assert len(set(names)) == len(names)
    assert [s["name"] for s in SCENARIOS if len(str(s.get("source", ""))) < 10] == []


def test_the_2026_boundary_alternating_custody_colocation_and_eu_statuses_are_covered() -> None:
    dates = {scenario["date"] for scenario in SCENARIOS}
    assert {dt.date(2026, 2, 28), dt.date(2026, 3, 1)} <= dates
    answers = [scenario["answers"] for scenario in SCENARIOS]
    assert any(a.get("garde") == "alternee" for a in answers)
    assert any(a.get("menage") == ["autres"] and a.get("frais_partages") == "non" for a in answers)
    bases = {a.get("base_sejour_ue") for a in answers} | {a.get("sejour_ue") for a in answers}
    assert {"travailleur", "demandeur_emploi", "etudiant", "famille", "moins_3_mois"} <= bases


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[slug(s["name"]) for s in SCENARIOS])
def test_scenario(questionnaire: Questionnaire, amounts: Amounts, scenario: dict[str, Any]) -> None:
    result = run(questionnaire, amounts, scenario)
    found = {right.id: right for right in result.rights}
    for right_id, expected in scenario["expected"].items():
        assert right_id in found, f"{right_id} absent ; trouvés : {sorted(found)}"
        right = found[right_id]
        wanted = expected if isinstance(expected, dict) else {"status": expected}
        reasons = [f"{reason.kind}: {reason.text}" for reason in right.reasons]
        assert right.status == wanted["status"], (right_id, reasons)
        if "category" in wanted:
            assert right.amount is not None
            assert right.amount.category == wanted["category"], right.amount.category_reason
        if "amount" in wanted:
            assert right.amount is not None
            assert right.amount.amount == Decimal(wanted["amount"])
            assert right.amount.since <= scenario["date"]
        if "exemptions" in wanted:
            assert [e.scale for e in right.exemptions] == wanted["exemptions"]
    for right_id in scenario.get("absent", []):
        assert right_id not in found, f"{right_id} ne devrait pas apparaître"
    for right_id, fragments in scenario.get("mentions", {}).items():
        text = " ".join(reason.text for reason in found[right_id].reasons)
        for fragment in fragments:
            assert fragment in text, (right_id, fragment, text)


@pytest.fixture(scope="module")
def results(questionnaire: Questionnaire, amounts: Amounts) -> list[Result]:
    return [run(questionnaire, amounts, scenario) for scenario in SCENARIOS]


def test_every_right_comes_out_of_some_scenario(
    questionnaire: Questionnaire, results: list[Result]
) -> None:
    assert set(questionnaire.right_ids) == RIGHT_IDS
    seen = {right.id for result in results for right in result.rights}
    assert seen == RIGHT_IDS


def test_every_status_of_the_ris_comes_out(results: list[Result]) -> None:
    statuses = {result.right("ris").status for result in results}  # type: ignore[union-attr]
    assert statuses == {"probable", "possible", "peu_probable"}


def test_every_rule_is_used_by_some_scenario(
    questionnaire: Questionnaire, results: list[Result]
) -> None:
    """Every case of every criterion of droits.yaml (each dated version apart) gives a reason
    in at least one scenario."""
    rules = {
        (case.rule, str(case.spec.from_))
        for right in questionnaire.rights
        for criterion in right.criteria
        for case in criterion.cases
    }
    used = {
        (reason.rule, str(reason.since))
        for result in results
        for right in result.rights
        for reason in right.reasons
    }
    assert sorted(rules - used) == []


def test_every_category_rule_and_exemption_is_used(
    questionnaire: Questionnaire, results: list[Result]
) -> None:
    amounts = [right.amount for result in results for right in result.rights if right.amount]
    reasons = {amount.category_reason for amount in amounts}
    assert {rule.spec.reason for rule in questionnaire.category_rules} <= reasons
    exemptions = {
        e.scale for result in results for right in result.rights for e in right.exemptions
    }
    assert exemptions == {e.scale for right in questionnaire.rights for e in right.exemptions}


def test_every_question_is_asked_in_some_scenario(questionnaire: Questionnaire) -> None:
    asked = set()
    for scenario in SCENARIOS:
        answers, _ = normalize_answers(questionnaire, scenario["answers"])
        asked |= {question.id for question in visible_questions(questionnaire, answers)}
    assert asked == set(questionnaire.by_id)


def some_value(question: Question, rng: random.Random) -> AnswerValue:
    """A random valid answer, with numbers near the limits that the rules use."""
    if question.type == "choice":
        return rng.choice(question.options).value
    if question.type == "multi":
        option = rng.choice(question.options)
        if option.exclusive:
            return (option.value,)
        others = [o.value for o in question.options if not o.exclusive]
        picked = {option.value, *rng.sample(others, rng.randint(0, 2))}
        return tuple(value for value in others if value in picked)
    if question.type == "yesno":
        return rng.random() < 0.5
    assert question.min is not None and question.max is not None
    if question.type == "number":
        return rng.choice(
            [int(question.min), 16, 17, 18, 24, 25, 30, 65, 66, 67, int(question.max)]
        )
    return Decimal(rng.choice(["0", "300", "800", "1000", "1400", "1700", "2500"]))


def test_every_question_is_reachable_by_a_random_walk(questionnaire: Questionnaire) -> None:
    """Following the skip logic with random answers, every question is asked at some point."""
    rng = random.Random(2025)
    asked: set[str] = set()
    for _ in range(500):
        answers: dict[str, AnswerValue] = {}
        while (question := next_question(questionnaire, answers)) is not None:
            asked.add(question.id)
            answers[question.id] = some_value(question, rng)
    assert asked == set(questionnaire.by_id)
