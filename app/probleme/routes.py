"""The pages of « J'ai un problème avec une décision du CPAS » under ``/ai-je-droit/probleme``.

Like the main path, nothing is kept on the server: the answers travel in a signed token
(``?etat=`` on GET pages, a hidden field in each form), and the pages are never cached.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from itsdangerous import URLSafeTimedSerializer

from app.fiches.live import today
from app.fiches.routes import library_of
from app.probleme import logic
from app.probleme.logic import ProblemPath
from app.questionnaire.routes import draw_pdf
from app.questionnaire.site import french_spacing
from app.questionnaire.state import StateError, read_signed
from app.templating import date_fr, path_for, render

router = APIRouter(prefix="/ai-je-droit/probleme", include_in_schema=False)

FIELD = "etat"
SALT = "probleme"
MAX_AGE_SECONDS = 180 * 24 * 3600
MAX_TOKEN_LENGTH = 2000
INVALID = (
    "Le lien vers tes réponses n'est pas valable\u202f: il a peut-être été coupé ou modifié. "
    "Recommence, cela ne prend que deux minutes."
)
EXPIRED = "Le lien vers tes réponses a expiré (il reste valable 180 jours). Recommence."
UNKNOWN = "Cette question n'existe pas, ou plus. Reprends à la première question."


async def problem_path(request: Request) -> ProblemPath:
    """The path, read once per app (content/questionnaire/probleme.yaml)."""
    found: ProblemPath | None = getattr(request.app.state, "problem_path", None)
    if found is None:
        found = logic.require_problem_path(request.app.state.settings.content_dir)
        request.app.state.problem_path = found
    return found


PathDep = Annotated[ProblemPath, Depends(problem_path)]


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = request.app.state.settings.secret_key.get_secret_value()
    return URLSafeTimedSerializer(secret, salt=SALT)


def dump(request: Request, path: ProblemPath, answers: logic.Answers) -> str:
    return str(_serializer(request).dumps(logic.kept_answers(path, answers)))


def load(request: Request, path: ProblemPath, token: str | None) -> dict[str, str]:
    if not token:
        return {}
    payload = read_signed(
        _serializer(request),
        token,
        max_length=MAX_TOKEN_LENGTH,
        max_age=MAX_AGE_SECONDS,
        invalid=INVALID,
        expired=EXPIRED,
    )
    return logic.clean_answers(path, payload, today())


def private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def link(request: Request, name: str, token: str, /, **params: str) -> str:
    target = path_for(request, name, **params)
    return f"{target}?{urlencode({FIELD: token})}" if token else target


def redirect(url: str) -> Response:
    return private(RedirectResponse(url, status_code=303))


def start_page(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    context = {
        "error": error,
        "first_url": path_for(request, "probleme_question", question_id="probleme"),
        "questionnaire_url": path_for(request, "questionnaire_start"),
    }
    return private(render(request, "probleme/start.html", context, status_code))


def where_to_go(request: Request, path: ProblemPath, answers: logic.Answers, token: str) -> str:
    pending = logic.next_question(path, answers)
    if pending is None:
        return link(request, "probleme_result", token)
    return link(request, "probleme_question", token, question_id=pending.id)


def question_page(
    request: Request,
    path: ProblemPath,
    *,
    question: logic.Question,
    answers: logic.Answers,
    token: str,
    values: list[str] | None = None,
    error: str | None = None,
) -> Response:
    before = logic.previous(path, answers, question.id)
    back_url = (
        link(request, "probleme_question", token, question_id=before.id)
        if before
        else path_for(request, "probleme_start")
    )
    if values is None:
        stored = answers.get(question.id)
        values = [logic.display_value(question, stored)] if stored else []
    shown = logic.visible_questions(path, answers)
    ids = [q.id for q in shown]
    context = {
        "question": question,
        "options": [(o.value, french_spacing(o.label)) for o in question.options],
        "values": values,
        "errors": {question.id: french_spacing(error)} if error else {},
        "fr": french_spacing,
        "number": ids.index(question.id) + 1 if question.id in ids else 1,
        "total": len(ids),
        "back_url": back_url,
        "token": token,
    }
    return private(render(request, "probleme/question.html", context, 400 if error else 200))


@router.get("", name="probleme_start")
async def start(request: Request) -> Response:
    return start_page(request)


@router.get("/question/{question_id}", name="probleme_question")
async def show_question(
    request: Request, path: PathDep, question_id: str, etat: str | None = None
) -> Response:
    try:
        answers = load(request, path, etat)
    except StateError as problem:
        return start_page(request, error=problem.message, status_code=400)
    question = path.by_id.get(question_id)
    if question is None:
        return start_page(request, error=UNKNOWN, status_code=404)
    token = etat or ""
    if not logic.reachable(path, answers, question_id):
        return redirect(where_to_go(request, path, answers, token))
    return question_page(request, path, question=question, answers=answers, token=token)


@router.post("/question/{question_id}", name="probleme_answer")
async def answer_question(request: Request, path: PathDep, question_id: str) -> Response:
    form = await request.form()
    etat = form.get(FIELD)
    token = etat if isinstance(etat, str) else ""
    try:
        answers = load(request, path, token)
    except StateError as problem:
        return start_page(request, error=problem.message, status_code=400)
    question = path.by_id.get(question_id)
    if question is None:
        return start_page(request, error=UNKNOWN, status_code=404)
    if not logic.reachable(path, answers, question_id):
        return redirect(where_to_go(request, path, answers, token))
    raw = [value for value in form.getlist(question.id) if isinstance(value, str)]
    value, error = logic.parse_answer(question, raw, today())
    if error is not None or value is None:
        return question_page(
            request,
            path,
            question=question,
            answers=answers,
            token=token,
            values=[item[: logic.MAX_RAW_LENGTH] for item in raw],
            error=error or logic.CHOICE_REQUIRED,
        )
    updated = logic.kept_answers(path, {**answers, question.id: value})
    new_token = dump(request, path, updated)
    after = logic.following(path, updated, question.id)
    if after is None:
        return redirect(where_to_go(request, path, updated, new_token))
    return redirect(link(request, "probleme_question", new_token, question_id=after.id))


def complete(request: Request, path: ProblemPath, etat: str | None) -> dict[str, str] | Response:
    try:
        answers = load(request, path, etat)
    except StateError as problem:
        return start_page(request, error=problem.message, status_code=400)
    if logic.next_question(path, answers) is not None:
        return redirect(where_to_go(request, path, answers, etat or ""))
    return answers


def result_context(
    request: Request, path: ProblemPath, answers: dict[str, str], token: str, day: dt.date
) -> dict[str, object]:
    result = logic.evaluate(path, answers, day, date_fr)
    library = library_of(request)
    fiches = [(slug, fiche.meta.title) for slug in result.fiches if (fiche := library.get(slug))]
    helpers = path.data.aides
    helper_fiches = {
        helper.fiche: fiche.meta.title
        for helper in helpers
        if helper.fiche and (fiche := library.get(helper.fiche))
    }
    letters = [
        (
            path.data.letters[letter_id].title,
            link(request, "probleme_letter", token, letter_id=letter_id),
            link(request, "probleme_letter_pdf", token, letter_id=letter_id),
        )
        for letter_id in result.letters
    ]
    rows = [
        (row, link(request, "probleme_question", token, question_id=row.question_id))
        for row in result.rows
    ]
    return {
        "result": result,
        "day": day,
        "rows": rows,
        "fr": french_spacing,
        "fiches": fiches,
        "helpers": helpers,
        "helper_fiches": helper_fiches,
        "letters": letters,
        "restart_url": path_for(request, "probleme_start"),
        "questionnaire_url": path_for(request, "questionnaire_start"),
    }


@router.get("/resultat", name="probleme_result")
async def show_result(request: Request, path: PathDep, etat: str | None = None) -> Response:
    """What to do, in order, with the deadlines computed from the dates given."""
    answers = complete(request, path, etat)
    if isinstance(answers, Response):
        return answers
    context = result_context(request, path, answers, etat or "", today())
    return private(render(request, "probleme/result.html", context))


def letter_context(
    request: Request, path: ProblemPath, etat: str | None, letter_id: str, *, pdf: bool
) -> dict[str, object] | Response:
    answers = complete(request, path, etat)
    if isinstance(answers, Response):
        return answers
    found = logic.letter(path, letter_id, answers, date_fr)
    if found is None:
        return start_page(request, error=UNKNOWN, status_code=404)
    return {
        "letter": found,
        "fr": french_spacing,
        "pdf": pdf,
        "day": today(),
        "back_url": link(request, "probleme_result", etat or ""),
        "pdf_url": link(request, "probleme_letter_pdf", etat or "", letter_id=letter_id),
    }


@router.get("/lettre/{letter_id}.pdf", name="probleme_letter_pdf")
async def letter_pdf(
    request: Request, path: PathDep, letter_id: str, etat: str | None = None
) -> Response:
    context = letter_context(request, path, etat, letter_id, pdf=True)
    if isinstance(context, Response):
        return context
    html = bytes(render(request, "probleme/letter.html", context).body).decode()
    content = await run_in_threadpool(draw_pdf, html, request.app.state.settings.base_url)
    headers = {"Content-Disposition": f'attachment; filename="lettre-{letter_id}.pdf"'}
    return private(Response(content, media_type="application/pdf", headers=headers))


@router.get("/lettre/{letter_id}", name="probleme_letter")
async def show_letter(
    request: Request, path: PathDep, letter_id: str, etat: str | None = None
) -> Response:
    """A letter to print, with blanks to fill in by hand (nothing personal is asked online)."""
    context = letter_context(request, path, etat, letter_id, pdf=False)
    if isinstance(context, Response):
        return context
    return private(render(request, "probleme/letter.html", context))
