"""The JSON API of the questionnaire, under ``/api/questionnaire``.

``GET /api/questionnaire`` lists the questions and their allowed values;
``POST /api/questionnaire/evaluate`` takes answers and returns the rights. The documentation
(``/api/openapi.json``) is built from the loaded questions, so it lists every answer key.
Errors are JSON in French: ``{"detail": …, "erreurs": [{"champ": …, "message": …}]}``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from app.fiches.live import today
from app.questionnaire import AnswerValue, Question, Questionnaire, Result, normalize_answers
from app.questionnaire.site import SiteQuestionnaire

BODY_FIELDS = ("answers", "date")
INVALID_REQUEST = "La demande n'est pas valable."
EXAMPLE_DAY = dt.date(2025, 6, 1)
# A 20-year-old who lives alone without income: the example of the documentation.
EXAMPLE_ANSWERS: dict[str, Any] = {
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


class _Answer(BaseModel):
    # Every key is always in the answer: the documentation marks them all required.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class Option(_Answer):
    value: str = Field(description="La valeur à envoyer dans « answers ».")
    label: str = Field(description="Le libellé lu par la personne.")


class QuestionInfo(_Answer):
    id: str = Field(description="La clé de la réponse dans « answers ».")
    text: str
    help: str | None = None
    type: str = Field(
        description="choice (une valeur), multi (liste de valeurs), yesno (true ou false), "
        "number (nombre entier), money (montant en euros, deux décimales au plus)."
    )
    allowed: list[str | bool] | None = Field(
        None, description="Les valeurs permises (choice, multi, yesno) ; null pour un nombre."
    )
    options: list[Option] = []
    min: Decimal | None = None
    max: Decimal | None = None
    unit: str | None = None
    summary: str = Field(description="Libellé court de la question dans un récapitulatif.")
    asked_when: Any = Field(
        None,
        description="La condition (langage de content/questionnaire/README.md) qui fait poser "
        "la question ; null si elle est toujours posée. Une réponse à une question qui n'est "
        "pas posée est ignorée.",
    )
    exclusive: list[str] = Field(
        [], description="multi : les valeurs qui ne peuvent pas être cochées avec une autre."
    )


class QuestionnaireInfo(_Answer):
    questions: list[QuestionInfo]
    rights: list[dict[str, str]] = Field(description="Les droits évalués : id et titre.")


class FieldError(_Answer):
    champ: str
    message: str


class ErrorBody(_Answer):
    detail: str
    erreurs: list[FieldError] = []


def allowed_values(question: Question) -> list[str | bool] | None:
    if question.type == "yesno":
        return [True, False]
    if question.type in ("choice", "multi"):
        return [option.value for option in question.options]
    return None


def describe(q: Questionnaire) -> QuestionnaireInfo:
    """Every question with its allowed values, as ``GET /api/questionnaire`` gives them."""
    return QuestionnaireInfo(
        questions=[
            QuestionInfo(
                id=question.id,
                text=question.text,
                help=question.help,
                type=question.type,
                allowed=allowed_values(question),
                options=[Option(value=o.value, label=o.label) for o in question.options],
                min=question.min,
                max=question.max,
                unit=question.unit,
                summary=question.summary,
                asked_when=question.when,
                exclusive=[option.value for option in question.options if option.exclusive],
            )
            for question in q.questions
        ],
        rights=[{"id": right.spec.id, "title": right.spec.title} for right in q.rights],
    )


def answer_schema(question: Question) -> dict[str, Any]:
    """The JSON schema of one answer, for the documentation."""
    schema: dict[str, Any]
    if question.type == "choice":
        schema = {"type": "string", "enum": [o.value for o in question.options]}
    elif question.type == "multi":
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": [o.value for o in question.options]},
            "minItems": 1,
            "uniqueItems": True,
        }
    elif question.type == "yesno":
        schema = {"type": "boolean"}
    else:
        schema = {
            "type": "integer" if question.type == "number" else "number",
            "minimum": float(question.min or 0),
            "maximum": float(question.max or 0),
        }
    when = "" if question.when is None else f" Posée si : {json.dumps(question.when)}."
    schema["description"] = f"{question.text}{when}"
    return schema


def answers_table(q: Questionnaire) -> str:
    """A Markdown table of every answer key and its values, for the endpoint's description."""
    lines = ["| clé | type | valeurs permises |", "|---|---|---|"]
    for question in q.questions:
        values = allowed_values(question)
        if values is None:
            allowed = f"de {question.min} à {question.max}"
        else:
            allowed = ", ".join(f"`{json.dumps(value)}`" for value in values)
        optional = "" if question.when is None else " (si posée)"
        lines.append(f"| `{question.id}`{optional} | {question.type} | {allowed} |")
    return "\n".join(lines)


def problem(errors: list[tuple[str, str]], status_code: int = 422) -> JSONResponse:
    body = ErrorBody(
        detail=INVALID_REQUEST,
        erreurs=[FieldError(champ=field, message=message) for field, message in errors],
    )
    return JSONResponse(body.model_dump(), status_code=status_code)


def is_json(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type, with or without parameters."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def parse_day(raw: object) -> dt.date | None:
    """« 2025-06-01 » as a date; None for anything else (« 20250601 » included)."""
    if not isinstance(raw, str) or len(raw) != len("2025-06-01"):
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def read_request(
    q: Questionnaire, body: object
) -> tuple[dict[str, AnswerValue], dt.date | None, list[tuple[str, str]]]:
    """The answers and the day of a request body, or the problems, each naming its field."""
    if not isinstance(body, dict):
        return {}, None, [("requête", "Le corps de la demande doit être un objet JSON.")]
    errors: list[tuple[str, str]] = []
    for key in body:
        if key not in BODY_FIELDS:
            errors.append(
                (str(key), f"« {key} » n'est pas un champ permis ; champs permis : answers, date.")
            )
    raw_day = body.get("date")
    day = parse_day(raw_day)
    if raw_day is not None and day is None:
        errors.append(
            (
                "date",
                "« date » attend une date AAAA-MM-JJ, par exemple 2025-06-01 "
                f"(reçu : {json.dumps(raw_day)}).",
            )
        )
    raw_answers = body.get("answers")
    if not isinstance(raw_answers, dict):
        errors.append(("answers", "« answers » attend un objet : une clé par question posée."))
        return {}, day, errors
    answers, answer_errors = normalize_answers(q, raw_answers)
    errors += [(f"answers.{field}", message) for field, message in answer_errors]
    return answers, day, errors


def api_router(site: SiteQuestionnaire) -> APIRouter:
    """The API's routes, documented with the questions of ``site``."""
    q = site.questionnaire
    router = APIRouter(prefix="/api/questionnaire", tags=["questionnaire"])
    info = describe(q)
    example_result = site.evaluate(normalize_answers(q, EXAMPLE_ANSWERS)[0], EXAMPLE_DAY)
    answers_object = {
        "type": "object",
        "additionalProperties": False,
        "properties": {question.id: answer_schema(question) for question in q.questions},
        # The questions always asked; the others are required when their condition holds.
        "required": [question.id for question in q.questions if question.when is None],
        "description": "Une clé par question posée ; les questions non posées sont omises. "
        "Les clés des questions toujours posées sont requises ; celles des autres le sont "
        "quand la question est posée (voir « Posée si »).",
    }
    request_schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["answers"],
        "properties": {
            "answers": answers_object,
            "date": {
                "type": "string",
                "format": "date",
                "description": "Le jour de l'évaluation (AAAA-MM-JJ) ; aujourd'hui par défaut.",
            },
        },
    }
    error_example = {
        "detail": INVALID_REQUEST,
        "erreurs": [
            {
                "champ": "answers.logement",
                "message": "« logement » : « chateau » n'est pas permis ; réponses possibles : "
                + ", ".join(o.value for o in q.by_id["logement"].options)
                + ".",
            }
        ]
        if "logement" in q.by_id
        else [],
    }

    @router.get(
        "",
        name="api_questionnaire",
        summary="Les questions et leurs valeurs permises",
        response_model=QuestionnaireInfo,
        responses={
            200: {"content": {"application/json": {"example": info.model_dump(mode="json")}}}
        },
    )
    async def questions() -> QuestionnaireInfo:
        """Chaque question, dans l'ordre, avec son type, ses valeurs permises et la condition
        qui la fait poser."""
        return info

    @router.post(
        "/evaluate",
        name="api_questionnaire_evaluate",
        summary="Évaluer une situation",
        description=(
            "Envoie les réponses d'une situation complète ; reçois les droits, leur statut "
            "(probable, possible, peu_probable), les raisons, les fiches, les démarches et, "
            "pour le revenu d'intégration, la catégorie et le montant mensuel en vigueur "
            "à la date demandée.\n\n"
            "Une clé inconnue, une valeur hors des valeurs permises, une réponse manquante à "
            "une question posée ou une date mal écrite donnent une erreur 422 dont chaque "
            "message, en français, nomme le champ. Les montants sont des chaînes décimales.\n\n"
            "Les clés de `answers` :\n\n" + answers_table(q)
        ),
        response_model=Result,
        responses={
            200: {
                "content": {"application/json": {"example": example_result.model_dump(mode="json")}}
            },
            422: {
                "model": ErrorBody,
                "description": "Réponses ou date non valables",
                "content": {"application/json": {"example": error_example}},
            },
            415: {"model": ErrorBody, "description": "Le corps n'est pas envoyé en JSON"},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": request_schema,
                        "examples": {
                            "seul_sans_revenus": {
                                "summary": "20 ans, vit seul, sans revenus",
                                "value": {"answers": EXAMPLE_ANSWERS, "date": "2025-06-01"},
                            }
                        },
                    }
                },
            }
        },
    )
    async def evaluate(request: Request) -> Response:
        if not is_json(request.headers.get("content-type", "")):
            return problem(
                [("content-type", "La demande doit être envoyée en JSON (application/json).")],
                status_code=415,
            )
        try:
            body = json.loads(await request.body())
        except ValueError:
            return problem([("requête", "Le corps de la demande doit être du JSON valable.")])
        except RecursionError:
            return problem([("requête", "Le JSON envoyé est imbriqué trop profondément.")])
        answers, day, errors = read_request(q, body)
        if errors:
            return problem(errors)
        result = site.evaluate(answers, day or today())
        return JSONResponse(result.model_dump(mode="json"))

    return router
