"""Counter mode for professionals, ``/ai-je-droit/express``: every question on one page.

Same questions, same rules, same engine as the one-question-per-page walk. Without JavaScript
the skip logic works by submitting: « Mettre à jour » shows the questions that the answers
given so far call for; « Voir le résultat » checks every question shown, keeps every answer on
error, and leads to the usual result page (printable, PDF) with the answers' token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.questionnaire import AnswerValue, Question, Questionnaire, parse_answer, visible_questions
from app.questionnaire.routes import SiteDep, link, private, redirect, secret
from app.questionnaire.site import field_options, french_spacing
from app.questionnaire.token import dump_token
from app.templating import render

router = APIRouter(prefix="/ai-je-droit", include_in_schema=False)

ACTION = "action"
SHOW_RESULT = "resultat"


def read_form(
    q: Questionnaire, form: Mapping[str, Sequence[str]], *, complete: bool
) -> tuple[dict[str, AnswerValue], dict[str, list[str]], dict[str, str]]:
    """(valid answers, what was typed, errors) for the questions the answers call for.

    A question is looked at only when the answers before it make it asked. An empty field is
    an error only when ``complete`` (« Voir le résultat »); a wrong value always is.
    """
    answers: dict[str, AnswerValue] = {}
    typed: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    for question in q.questions:
        if question not in visible_questions(q, answers):
            continue
        raw = [value for value in form.get(question.id, []) if isinstance(value, str)]
        typed[question.id] = raw
        if not any(value.strip() for value in raw) and not complete:
            continue
        value, error = parse_answer(question, raw)
        if error is not None or value is None:
            errors[question.id] = french_spacing(error or question.errors.required or "")
        else:
            answers[question.id] = value
    return answers, typed, errors


def depends_on(q: Questionnaire, question: Question) -> list[str]:
    """The labels of the questions whose answers decide whether ``question`` is asked."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            name = node.get("answer")
            if isinstance(name, str) and name in q.by_id and name not in found:
                found.append(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(question.when)
    return [q.by_id[name].summary for name in found]


def express_page(
    request: Request,
    q: Questionnaire,
    answers: Mapping[str, AnswerValue],
    typed: Mapping[str, list[str]],
    errors: Mapping[str, str],
) -> Response:
    shown = visible_questions(q, answers)
    fields = [
        {
            "question": question,
            "options": field_options(q, question),
            "values": typed.get(question.id, []),
            "depends_on": depends_on(q, question),
        }
        for question in shown
    ]
    context = {
        "fields": fields,
        "errors": dict(errors),
        "fr": french_spacing,
        "start_url": link(request, "questionnaire_start", ""),
    }
    return private(render(request, "questionnaire/express.html", context, 400 if errors else 200))


@router.get("/express", name="questionnaire_express")
async def show_express(request: Request, site: SiteDep) -> Response:
    return express_page(request, site.questionnaire, {}, {}, {})


@router.post("/express", name="questionnaire_express_send")
async def send_express(request: Request, site: SiteDep) -> Response:
    q = site.questionnaire
    form = await request.form()
    values = {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}
    complete = form.get(ACTION) == SHOW_RESULT
    answers, typed, errors = read_form(q, values, complete=complete)
    if complete and not errors:
        token = dump_token(secret(request), q, answers)
        return redirect(link(request, "questionnaire_result", token))
    return express_page(request, q, answers, typed, errors)
