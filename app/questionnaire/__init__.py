"""The guided questionnaire « Ai-je droit ? »: its data, its rules and a pure evaluation.

Questions, rights, rules and texts live in ``content/questionnaire/`` (YAML); the dated amounts
come from ``content/montants.yaml``. Nothing here knows about requests or databases:

- ``load_questionnaire(content_dir)`` reads and validates the data once, at start;
- ``visible_questions``, ``next_question``, ``parse_answer``… drive the one-question-per-page walk;
- ``validate_answers`` checks the answers of the JSON API;
- ``evaluate(questionnaire, amounts, answers, day)`` gives the rights, their status, reasons,
  fiches and next steps, as pydantic models ready to render or serialise;
- ``summarize`` writes a neutral summary of the situation for a question to a professional.

The condition language of the YAML files is described in ``app/questionnaire/rules.py``.
"""

from app.questionnaire.engine import (
    Walk,
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
    walk,
)
from app.questionnaire.loader import check_questionnaire, load_questionnaire
from app.questionnaire.model import (
    AmountInfo,
    Answers,
    AnswerValue,
    Exemption,
    Question,
    Reason,
    Result,
    RightResult,
    SummaryRow,
)
from app.questionnaire.rules import Questionnaire, format_answer

__all__ = [
    "AmountInfo",
    "AnswerValue",
    "Answers",
    "Exemption",
    "Question",
    "Questionnaire",
    "Reason",
    "Result",
    "RightResult",
    "SummaryRow",
    "check_questionnaire",
    "evaluate",
    "form_values",
    "format_answer",
    "load_questionnaire",
    "next_question",
    "normalize_answers",
    "parse_answer",
    "position",
    "previous_question",
    "summarize",
    "summary_rows",
    "validate_answers",
    "visible_answers",
    "visible_questions",
    "walk",
    "Walk",
]
