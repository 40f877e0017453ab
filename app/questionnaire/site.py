"""What the web pages and the JSON API of the questionnaire share, without any request.

``SiteQuestionnaire`` is what the app loads once at start (``app.state.questionnaire``); the
functions below do the work of the routes of ``routes.py`` and ``api.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from app.amounts import Amounts, load_amounts
from app.content import ContentError
from app.questionnaire import (
    AnswerValue,
    Question,
    Questionnaire,
    Result,
    Walk,
    evaluate,
    load_questionnaire,
    parse_answer,
    visible_answers,
    visible_questions,
)
from app.questionnaire.engine import NO, YES


@dataclass(frozen=True)
class SiteQuestionnaire:
    """The questionnaire and the amounts it was checked against, read once at start."""

    questionnaire: Questionnaire
    amounts: Amounts

    def evaluate(self, answers: Mapping[str, AnswerValue] | Walk, day: dt.date) -> Result:
        return evaluate(self.questionnaire, self.amounts, answers, day)


def load_site_questionnaire(content_dir: Path) -> SiteQuestionnaire:
    """Read ``montants.yaml`` and ``questionnaire/``; ``ContentError`` lists every problem."""
    amounts, problems = load_amounts(content_dir)
    if amounts is None:
        raise ContentError(problems)
    questionnaire, problems = load_questionnaire(content_dir, amounts)
    if questionnaire is None:
        raise ContentError(problems)
    return SiteQuestionnaire(questionnaire=questionnaire, amounts=amounts)


# The texts of content/questionnaire/ are typed with ordinary spaces; on a page, a line must not
# break before ? ! : ; nor inside « ».
FRENCH_SPACES = (
    (" ?", "\u202f?"),
    (" !", "\u202f!"),
    (" :", "\u202f:"),
    (" ;", "\u202f;"),
    ("« ", "«\u00a0"),
    (" »", "\u00a0»"),
)


def french_spacing(text: str) -> str:
    """« Quel âge as-tu ? » with no-break spaces where French typography wants them."""
    for plain, joined in FRENCH_SPACES:
        text = text.replace(plain, joined)
    return text


def field_options(q: Questionnaire, question: Question) -> list[tuple[str, str]]:
    """(value, label) of the radios or checkboxes of a question; empty for a number."""
    if question.type == "yesno":
        return [(YES, q.texts.yes_label), (NO, q.texts.no_label)]
    return [(option.value, french_spacing(option.label)) for option in question.options]


def record_answer(
    q: Questionnaire,
    answers: Mapping[str, AnswerValue],
    question: Question,
    raw: list[str],
) -> tuple[dict[str, AnswerValue] | None, str | None]:
    """The answers with this question's new answer, or the error to show on its field.

    Answers to questions that the new answer hides are dropped.
    """
    value, error = parse_answer(question, raw)
    if error is not None or value is None:
        return None, error or question.errors.required
    return visible_answers(q, {**answers, question.id: value}), None


def reachable(q: Questionnaire, answers: Mapping[str, AnswerValue], question_id: str) -> bool:
    """True when the question is asked and every question asked before it is answered."""
    for question in visible_questions(q, answers):
        if question.id == question_id:
            return True
        if question.id not in answers:
            return False
    return False


def following(
    q: Questionnaire, answers: Mapping[str, AnswerValue], question_id: str
) -> Question | None:
    """The question asked right after ``question_id`` (answered or not), None after the last."""
    shown = visible_questions(q, answers)
    ids = [question.id for question in shown]
    index = ids.index(question_id) if question_id in ids else len(ids)
    return shown[index + 1] if index + 1 < len(shown) else None
