"""The path « J'ai un problème avec une décision du CPAS » without pages: its data, the
scenarios of each problem, the dates a person types and the deadlines computed from them."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import PROJECT_DIR
from app.probleme import logic
from app.probleme.logic import ProblemPath
from app.templating import date_fr

CONTENT_DIR = PROJECT_DIR / "content"
SCENARIOS = yaml.safe_load((Path(__file__).parent / "scenarios.yaml").read_text(encoding="utf-8"))
TODAY = dt.date(2026, 12, 2)


@pytest.fixture(scope="module")
def path() -> ProblemPath:
    return logic.require_problem_path(CONTENT_DIR)


def as_answers(raw: dict[str, Any]) -> dict[str, str]:
    return {
        key: value.isoformat() if isinstance(value, dt.date) else str(value)
        for key, value in raw.items()
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_scenario(path: ProblemPath, scenario: dict[str, Any]) -> None:
    answers = as_answers(scenario["answers"])
    # Every answer of the scenario is one the path asks, and nothing more is asked.
    assert logic.kept_answers(path, answers) == answers
    assert logic.next_question(path, answers) is None
    result = logic.evaluate(path, answers, scenario["today"], date_fr)
    assert result.facts == frozenset(scenario["facts"])
    dates = {deadline.name: deadline.day for deadline in result.deadlines}
    for name, day in scenario.get("deadlines", {}).items():
        assert dates[name] == day, name
    steps = "\n".join(result.steps)
    for words in scenario.get("steps_contain", []):
        assert words in steps, f"« {words} » manque dans :\n{steps}"
    for words in scenario.get("steps_exclude", []):
        assert words not in steps, f"« {words} » ne devrait pas être dans :\n{steps}"
    assert list(result.letters) == scenario["letters"]
    assert all(scenario["source"] for scenario in SCENARIOS)


def test_every_problem_and_every_step_is_used_by_a_scenario(path: ProblemPath) -> None:
    problems = {scenario["answers"]["probleme"] for scenario in SCENARIOS}
    assert problems == set(path.data.problemes)
    shown: set[tuple[str, str]] = set()
    for scenario in SCENARIOS:
        answers = as_answers(scenario["answers"])
        result = logic.evaluate(path, answers, scenario["today"], date_fr)
        shown |= {(result.problem, step) for step in result.steps}
    for name in path.data.problemes:
        for step in path.steps[name]:
            start = step.text.split("{", 1)[0][:40]
            assert any(problem == name and text.startswith(start) for problem, text in shown), (
                f"{name} : aucune situation ne montre « {step.text[:60]}… »"
            )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15/03/2026", dt.date(2026, 3, 15)),
        ("15-3-2026", dt.date(2026, 3, 15)),
        (" 1.12.2026 ", dt.date(2026, 12, 1)),
        ("2026-03-15", dt.date(2026, 3, 15)),
        ("29/02/2024", dt.date(2024, 2, 29)),
        ("02/12/2026", TODAY),
    ],
)
def test_dates_as_people_type_them(typed: str, expected: dt.date) -> None:
    assert logic.parse_date(typed, TODAY) == (expected, None)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", logic.DATE_REQUIRED),
        ("   ", logic.DATE_REQUIRED),
        ("hier", logic.DATE_FORMAT),
        ("15 mars 2026", logic.DATE_FORMAT),
        ("15/03/26", logic.DATE_FORMAT),
        ("1" * 50, logic.DATE_FORMAT),
        ("31/02/2026", logic.DATE_MISSING),
        ("15/13/2026", logic.DATE_MISSING),
        ("00/01/2026", logic.DATE_MISSING),
        ("03/12/2026", logic.DATE_FUTURE),
        ("01/01/2030", logic.DATE_FUTURE),
        ("01/01/1999", logic.DATE_OLD),
    ],
)
def test_bad_dates_get_a_french_message(typed: str, message: str) -> None:
    assert logic.parse_date(typed, TODAY) == (None, message)


@pytest.mark.parametrize(
    ("notified", "last_day"),
    [
        (dt.date(2026, 3, 15), dt.date(2026, 6, 15)),
        (dt.date(2026, 11, 30), dt.date(2027, 2, 28)),
        (dt.date(2027, 11, 30), dt.date(2028, 2, 29)),
        (dt.date(2026, 10, 31), dt.date(2027, 1, 31)),
        (dt.date(2026, 12, 31), dt.date(2027, 3, 31)),
    ],
)
def test_the_appeal_runs_three_months_from_the_notification(
    notified: dt.date, last_day: dt.date
) -> None:
    found = logic.deadlines({"date_lettre": notified.isoformat()})
    assert found == {"recours": last_day}


def test_a_choice_must_be_one_of_the_options(path: ProblemPath) -> None:
    question = path.by_id["probleme"]
    assert logic.parse_answer(question, [], TODAY) == (None, logic.CHOICE_REQUIRED)
    assert logic.parse_answer(question, ["inconnu"], TODAY) == (None, logic.CHOICE_FORMAT)
    assert logic.parse_answer(question, ["refus", "piis"], TODAY) == (None, logic.CHOICE_FORMAT)
    assert logic.parse_answer(question, ["refus"], TODAY) == ("refus", None)


def test_answers_hidden_by_a_new_choice_are_dropped(path: ProblemPath) -> None:
    answers = {"probleme": "refus", "date_lettre": "2026-10-15", "envoi": "recommande"}
    changed = logic.kept_answers(path, {**answers, "probleme": "piis"})
    assert changed == {"probleme": "piis"}
    assert logic.next_question(path, changed) == path.by_id["piis_etape"]


def test_a_token_read_later_drops_a_date_that_became_invalid(path: ProblemPath) -> None:
    raw = {"probleme": "refus", "date_lettre": "2027-05-01", "envoi": 3, "ghost": "x"}
    assert logic.clean_answers(path, raw, TODAY) == {"probleme": "refus"}


def test_letters_carry_the_dates_given_and_only_the_problem_s_own(path: ProblemPath) -> None:
    answers = {"probleme": "sans_decision", "date_demande": "2026-11-12", "accuse": "non"}
    letter = logic.letter(path, "confirmation_demande", answers, date_fr)
    assert letter is not None
    assert letter.subject == "Confirmation de ma demande d'aide du 12 novembre 2026"
    assert any("Le 12 novembre 2026, j'ai demandé" in text for text in letter.paragraphs)
    assert logic.letter(path, "renonciation", answers, date_fr) is None
    assert logic.letter(path, "inconnue", answers, date_fr) is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("problemes", "refus", "steps", 1, "when"), "fait inconnu"),
        (("problemes", "refus", "steps", 0, "text"), "{deadline:demain} inconnu"),
        (("problemes", "piis", "letters"), "la lettre « absente » n'existe pas"),
        (("questions", 1, "when"), "n'est pas une question à choix"),
    ],
)
def test_mistakes_in_the_data_are_reported(
    tmp_path: Path, change: tuple[Any, ...], message: str
) -> None:
    target = tmp_path / "content" / "questionnaire"
    target.mkdir(parents=True)
    shutil.copy(CONTENT_DIR / logic.FILE, target / "probleme.yaml")
    data = yaml.safe_load((target / "probleme.yaml").read_text(encoding="utf-8"))
    values = {
        "when": {"fact": "demain"},
        "text": "Avant le {deadline:demain}.",
        "letters": ["absente"],
    }
    *where, last = change
    node = data
    for key in where:
        node = node[key]
    node[last] = {"answer": "date_lettre", "eq": "x"} if where[0] == "questions" else values[last]
    (target / "probleme.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
    )
    found, problems = logic.load_problem_path(tmp_path / "content")
    assert found is None
    assert any(message in problem.message for problem in problems), problems


def test_the_real_data_and_its_fiches_are_clean() -> None:
    assert logic.check_problem_path(CONTENT_DIR) == []
