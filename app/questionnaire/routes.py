"""The pages of « Ai-je droit ? » under ``/ai-je-droit``: one question per page, then the result.

Nothing about the person is kept on the server: the answers travel in a signed token
(``state.py``), in ``?etat=`` on GET pages and in a hidden field of each form. Pages that carry
a token are never cached (``Cache-Control: no-store``) and never send it on as a referrer.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.content import ContentError, Problem
from app.fiches.live import today
from app.fiches.pdf import render_pdf
from app.fiches.routes import library_of
from app.pagecache import cache_page
from app.questionnaire import (
    AnswerValue,
    Question,
    Questionnaire,
    Walk,
    form_values,
    next_question,
    position,
    previous_question,
    summary_rows,
)
from app.questionnaire.estimation import EstimationRules, estimate, load_estimation
from app.questionnaire.other_help import OtherHelp, applicable, load_other_help
from app.questionnaire.result_page import PagePieces, pieces_for
from app.questionnaire.site import (
    SiteQuestionnaire,
    field_options,
    following,
    french_spacing,
    reachable,
    record_answer,
)
from app.questionnaire.state import FIELD, StateError
from app.questionnaire.token import dump_token, load_token, read_token
from app.templating import path_for, render

router = APIRouter(prefix="/ai-je-droit", include_in_schema=False)

RETURN_TO_CHECK = "verifier"
UNKNOWN_QUESTION = (
    "Cette question n'existe pas, ou plus\u202f: le questionnaire a peut-être changé depuis que "
    "le lien a été créé. Reprends à la première question."
)
PDF_NAME = "resultat-ai-je-droit.pdf"
# The route of the question form of app/questions (built separately): a plain path.
ASK_A_QUESTION_PATH = "/questions/poser"


async def current_questionnaire(request: Request) -> SiteQuestionnaire:
    site: SiteQuestionnaire = request.app.state.questionnaire
    return site


SiteDep = Annotated[SiteQuestionnaire, Depends(current_questionnaire)]
Answers = dict[str, AnswerValue]


def secret(request: Request) -> str:
    return str(request.app.state.settings.secret_key.get_secret_value())


def private(response: Response) -> Response:
    """A page that carries the answers: no cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


def link(
    request: Request, name: str, token: str, /, retour: str | None = None, **params: str
) -> str:
    """The path of a page of the questionnaire with the answers' token in its query."""
    query = {FIELD: token} if token else {}
    if retour:
        query["retour"] = retour
    path = path_for(request, name, **params)
    return f"{path}?{urlencode(query)}" if query else path


def redirect(url: str) -> Response:
    return private(RedirectResponse(url, status_code=303))


def where_to_go(request: Request, q: Questionnaire, answers: Answers, token: str) -> str:
    """The first question not answered yet, or the check page when all are."""
    question = next_question(q, answers)
    if question is None:
        return link(request, "questionnaire_check", token)
    return link(request, "questionnaire_question", token, question_id=question.id)


def start_page(
    request: Request,
    site: SiteQuestionnaire,
    *,
    error: str | None = None,
    status_code: int = 200,
    resume_url: str | None = None,
) -> Response:
    q = site.questionnaire
    context = {
        "error": error,
        "first_url": link(request, "questionnaire_question", "", question_id=q.questions[0].id),
        "resume_url": resume_url,
    }
    return private(render(request, "questionnaire/start.html", context, status_code))


def question_page(
    request: Request,
    site: SiteQuestionnaire,
    *,
    question: Question,
    answers: Answers,
    token: str,
    retour: str | None,
    values: list[str] | None = None,
    error: str | None = None,
) -> Response:
    q = site.questionnaire
    number, total = position(q, answers, question.id) or (1, 1)
    if retour == RETURN_TO_CHECK:
        back_url = link(request, "questionnaire_check", token)
    else:
        previous = previous_question(q, answers, question.id)
        back_url = (
            link(request, "questionnaire_question", token, question_id=previous.id)
            if previous
            else path_for(request, "questionnaire_start")
        )
    if values is None:
        values = form_values(question, answers[question.id]) if question.id in answers else []
    context = {
        "question": question,
        "options": field_options(q, question),
        "values": values,
        "errors": {question.id: french_spacing(error)} if error else {},
        "fr": french_spacing,
        "number": number,
        "total": total,
        "back_url": back_url,
        "token": token,
        "retour": retour if retour == RETURN_TO_CHECK else None,
        "later_url": link(request, "questionnaire_start", token),
    }
    status_code = 400 if error else 200
    return private(render(request, "questionnaire/question.html", context, status_code))


@router.get("", name="questionnaire_start")
async def start(request: Request, site: SiteDep, etat: str | None = None) -> Response:
    """The introduction; with a valid ``etat``, a button to take up where the person stopped."""
    try:
        answers = load_token(secret(request), site.questionnaire, etat)
    except StateError as problem:
        return start_page(request, site, error=problem.message, status_code=400)
    resume_url = where_to_go(request, site.questionnaire, answers, etat or "") if answers else None
    return start_page(request, site, resume_url=resume_url)


@router.get("/question/{question_id}", name="questionnaire_question")
async def show_question(
    request: Request,
    site: SiteDep,
    question_id: str,
    etat: str | None = None,
    retour: str | None = None,
) -> Response:
    q = site.questionnaire
    try:
        answers = load_token(secret(request), q, etat)
    except StateError as problem:
        return start_page(request, site, error=problem.message, status_code=400)
    question = q.by_id.get(question_id)
    if question is None:
        return start_page(request, site, error=UNKNOWN_QUESTION, status_code=404)
    token = etat or ""
    if not reachable(q, answers, question_id):
        return redirect(where_to_go(request, q, answers, token))
    if not answers and retour is None:
        # The way in, the same for everyone: kept for the day. Pages that carry answers never
        # are (nothing about a person is kept on the server).
        day = today()
        cache_page(request, lambda: today() == day)
    return question_page(
        request, site, question=question, answers=answers, token=token, retour=retour
    )


@router.post("/question/{question_id}", name="questionnaire_answer")
async def answer_question(request: Request, site: SiteDep, question_id: str) -> Response:
    """A valid answer leads to the next question (or back to the check page); an invalid one
    shows the same question again with its error and what was typed."""
    q = site.questionnaire
    form = await request.form()
    etat = form.get(FIELD)
    retour = form.get("retour")
    token = etat if isinstance(etat, str) else ""
    back_to_check = retour == RETURN_TO_CHECK
    try:
        answers = load_token(secret(request), q, token)
    except StateError as problem:
        return start_page(request, site, error=problem.message, status_code=400)
    question = q.by_id.get(question_id)
    if question is None:
        return start_page(request, site, error=UNKNOWN_QUESTION, status_code=404)
    if not reachable(q, answers, question_id):
        return redirect(where_to_go(request, q, answers, token))
    raw = [value for value in form.getlist(question.id) if isinstance(value, str)]
    updated, error = record_answer(q, answers, question, raw)
    if updated is None:
        return question_page(
            request,
            site,
            question=question,
            answers=answers,
            token=token,
            retour=RETURN_TO_CHECK if back_to_check else None,
            values=raw,
            error=error,
        )
    new_token = dump_token(secret(request), q, updated)
    if back_to_check:
        pending = next_question(q, updated)
        if pending is None:
            return redirect(link(request, "questionnaire_check", new_token))
        return redirect(
            link(
                request,
                "questionnaire_question",
                new_token,
                retour=RETURN_TO_CHECK,
                question_id=pending.id,
            )
        )
    after = following(q, updated, question.id)
    if after is None:
        return redirect(where_to_go(request, q, updated, new_token))
    return redirect(link(request, "questionnaire_question", new_token, question_id=after.id))


def complete_answers(
    request: Request, site: SiteQuestionnaire, etat: str | None
) -> Walk | Response:
    """The answers of ``etat`` (walked once, for the page to share) when every question asked
    is answered; otherwise the page to show instead (the start page with a message, or the
    next question to answer)."""
    q = site.questionnaire
    try:
        walked = read_token(secret(request), q, etat)
    except StateError as problem:
        return start_page(request, site, error=problem.message, status_code=400)
    if walked.next_question is not None:
        return redirect(where_to_go(request, q, walked.kept, etat or ""))
    return walked


@router.get("/verifier", name="questionnaire_check")
async def check_answers(request: Request, site: SiteDep, etat: str | None = None) -> Response:
    """« Vérifie tes réponses »: every answer, with a link to change it."""
    walked = complete_answers(request, site, etat)
    if isinstance(walked, Response):
        return walked
    q = site.questionnaire
    token = etat or ""
    rows = [
        (
            row,
            link(
                request,
                "questionnaire_question",
                token,
                retour=RETURN_TO_CHECK,
                question_id=row.question_id,
            ),
        )
        for row in summary_rows(q, walked)
    ]
    last = walked.shown[-1]
    context = {
        "rows": rows,
        "fr": french_spacing,
        "back_url": link(request, "questionnaire_question", token, question_id=last.id),
        "result_url": link(request, "questionnaire_result", token),
        "later_url": link(request, "questionnaire_start", token),
    }
    return private(render(request, "questionnaire/check.html", context))


Loaded = TypeVar("Loaded")


def read_once(
    request: Request, name: str, load: Callable[[Path], tuple[Loaded | None, list[Problem]]]
) -> Loaded:
    """A content file's data, read on first use and kept on the app (``app.state.<name>``)."""
    found: Loaded | None = getattr(request.app.state, name, None)
    if found is None:
        found, problems = load(request.app.state.settings.content_dir)
        if found is None:
            raise ContentError(problems)
        setattr(request.app.state, name, found)
    return found


def estimation_rules(request: Request) -> EstimationRules:
    """The rules of the amount's estimate, read once per app (estimation.yaml)."""
    site: SiteQuestionnaire = request.app.state.questionnaire
    return read_once(
        request, "estimation_rules", lambda folder: load_estimation(folder, site.amounts)
    )


def other_help_of(request: Request) -> OtherHelp:
    """The help of other bodies (autres_aides.yaml), read once per app."""
    site: SiteQuestionnaire = request.app.state.questionnaire
    return read_once(
        request, "other_help", lambda folder: load_other_help(folder, site.questionnaire)
    )


def draw_result(request: Request, context: dict[str, object]) -> str:
    """The result page's HTML (``context`` from ``result_context``), from its kept frame and
    its content drawn for this person."""
    parts = context["parts"]
    assert isinstance(parts, PagePieces)
    return parts.pieces.draw({**context, "request": request})


def result_context(
    request: Request, site: SiteQuestionnaire, walked: Walk, token: str, *, pdf: bool
) -> dict[str, object]:
    q = site.questionnaire
    result = site.evaluate(walked, today())
    settings = request.app.state.settings
    result_path = link(request, "questionnaire_result", token)
    rules = estimation_rules(request)
    pieces = pieces_for(
        request.app.state,
        request.app.state.templates.env,
        site,
        library_of(request),
        result.day,
        settings.base_url.rstrip("/"),
    )
    found = estimate(rules, site.amounts, walked.kept, result, result.day)
    situation = summary_rows(q, walked)
    return {
        "result": result,
        "parts": pieces.for_page(result, found, rules.data.droit),
        "other_help": applicable(other_help_of(request), walked.kept, result.day),
        "finder_url": path_for(request, "cpas_finder"),
        "fr": french_spacing,
        "pdf": pdf,
        "result_url": settings.base_url.rstrip("/") + result_path,
        "pdf_url": link(request, "questionnaire_result_pdf", token),
        "check_url": link(request, "questionnaire_check", token),
        "ask_url": f"{ASK_A_QUESTION_PATH}?question={pieces.quoted_summary(situation)}",
        "situation": situation,
        "site_url": settings.base_url.rstrip("/"),
        "token": token,
        "mail_errors": {},
        "mail_value": "",
        "mail_sent": False,
    }


async def show_result(request: Request) -> Response:
    """The rights the answers point to, why, how much and what to do; printable.

    A plain Starlette route (``?etat=`` and ``?envoye=`` read here): this page is rendered on
    every request, and FastAPI's resolution of parameters and dependencies cost it about
    60 µs each time (bench/README.md).
    """
    site: SiteQuestionnaire = request.app.state.questionnaire
    etat = request.query_params.get(FIELD)
    walked = complete_answers(request, site, etat)
    if isinstance(walked, Response):
        return walked
    context = result_context(request, site, walked, etat or "", pdf=False)
    context["mail_sent"] = request.query_params.get("envoye") == "1"
    return private(HTMLResponse(draw_result(request, context)))


router.add_route(
    f"{router.prefix}/resultat",
    show_result,
    methods=["GET"],
    name="questionnaire_result",
    include_in_schema=False,
)


@router.get("/resultat.pdf", name="questionnaire_result_pdf")
async def result_pdf(request: Request, site: SiteDep, etat: str | None = None) -> Response:
    """The result as a PDF to bring to the CPAS; drawn in a folder deleted right after."""
    walked = complete_answers(request, site, etat)
    if isinstance(walked, Response):
        return walked
    context = result_context(request, site, walked, etat or "", pdf=True)
    html = draw_result(request, context)
    base_url = request.app.state.settings.base_url
    content = await run_in_threadpool(draw_pdf, html, base_url)
    headers = {"Content-Disposition": f'attachment; filename="{PDF_NAME}"'}
    return private(Response(content, media_type="application/pdf", headers=headers))


def draw_pdf(html: str, base_url: str) -> bytes:
    """The PDF's bytes; unlike a fiche's, it is never cached: it describes a person."""
    with tempfile.TemporaryDirectory(prefix="resultat-") as folder:
        return Path(render_pdf(html, base_url=base_url, cache_dir=Path(folder))).read_bytes()
