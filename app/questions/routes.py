"""``/questions…``: the general questions, the ask form, a thread, the asker's private page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session

from app import textcheck
from app.config import Settings
from app.db import RowId, SessionDep, unavailable
from app.mail import deliver_in_background, take_queued_ids
from app.pagecache import cache_page
from app.questions import asking, fiches, forms, private_link, reading, reports, robots, tree
from app.questions.errors import AlreadySentError, NotAllowedError, RefusedError
from app.questions.mails import MailLinks
from app.questions.models import (
    MESSAGE_STATE_LABELS,
    PSEUDONYM_MAX,
    QUESTION_MAX,
    REPORT_REASON_LABELS,
    REPORT_TEXT_MAX,
    THREAD_STATE_LABELS,
    Author,
    Message,
    MessageState,
    ReportReason,
    Thread,
)
from app.questions.similar import Similar, similar_to
from app.questions.views import is_current, thread_listing
from app.templating import render

router = APIRouter(prefix="/questions", include_in_schema=False)

PRIVATE_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
DATABASE_AWAY = (
    "Ta question n'a pas pu être enregistrée : le site a un problème passager. Elle est gardée "
    "ci-dessous ; renvoie-la dans quelques minutes."
)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_mail_links(request: Request, settings: SettingsDep) -> MailLinks:
    return MailLinks(base_url=settings.base_url, path_for=request.app.url_path_for)


MailLinksDep = Annotated[MailLinks, Depends(get_mail_links)]


async def client_address(request: Request) -> str:
    """The visitor's address, only ever used through a keyed hash for rate limits."""
    return request.client.host if request.client else "inconnue"


AddressDep = Annotated[str, Depends(client_address)]


def load_public_thread(thread_id: RowId, session: SessionDep) -> Thread:
    """The thread if its question is published; 410 when its author deleted it; 404 otherwise."""
    thread = session.get(Thread, thread_id)
    if thread is not None and thread.deleted_by_asker_at is not None:
        raise HTTPException(
            status_code=410,
            detail="La personne qui avait posé cette question l'a supprimée : elle n'est plus "
            "en ligne, ni les réponses qui l'accompagnaient.",
        )
    if thread is None or not thread.is_public:
        raise HTTPException(status_code=404)
    return thread


PublicThreadDep = Annotated[Thread, Depends(load_public_thread)]


def load_private_thread(token: str, session: SessionDep) -> Thread:
    """The thread of a private link; 404 for an unknown token."""
    thread = private_link.thread_by_token(session, token=token)
    if thread is None:
        raise HTTPException(
            status_code=404,
            detail="Ce lien privé ne correspond à aucune question. Vérifie qu'il est complet.",
        )
    return thread


PrivateThreadDep = Annotated[Thread, Depends(load_private_thread)]


def send_mail_later(
    request: Request, background: BackgroundTasks, session: Session, response: Response
) -> Response:
    """Send the e-mails this request queued once ``response`` is sent (retried if it fails).

    The request's session is closed first: FastAPI runs background tasks before it ends the
    request's dependencies, and a task waiting for a second connection while the first is
    held would starve the pool under load.
    """
    ids = take_queued_ids(session)
    session.close()
    if ids:
        state = request.app.state
        background.add_task(deliver_in_background, state.engine, state.settings, ids)
    return response


def labels() -> dict[str, object]:
    return {"message_labels": MESSAGE_STATE_LABELS, "thread_labels": THREAD_STATE_LABELS}


@router.get("", name="questions_index")
async def index(request: Request, page: Annotated[int, Query(ge=1, le=100000)] = 1) -> Response:
    listing = await thread_listing(request, fiche_slug=None, page=page)
    if page > listing.thread_page.pages:
        raise HTTPException(status_code=404)
    state = request.app.state
    cache_page(request, lambda: is_current(state, fiche_slug=None, page=page, listing=listing))
    return render(request, "questions/index.html", {"listing": listing})


def _ask_page(
    request: Request,
    settings: Settings,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    fiche_slug: str | None,
    status_code: int = 200,
    similar: Similar | None = None,
    started: str | None = None,
) -> Response:
    context = {
        "values": values,
        "errors": errors,
        "fiche_slug": fiche_slug,
        "fiche_title": fiches.fiche_title(settings, fiche_slug),
        "similar": similar,
        # A preview keeps the time the form was first shown (the minimum fill time counts it).
        "started": started or robots.form_started_token(settings),
        "pseudonym_max": PSEUDONYM_MAX,
        "question_max": QUESTION_MAX,
    }
    return render(request, "questions/ask.html", context, status_code=status_code)


def _fiche_slug(settings: Settings, fiche: str | None) -> str | None:
    return fiche if fiche and fiches.fiche_file(settings, fiche) else None


@router.get("/poser", name="questions_ask")
def ask_form(
    request: Request,
    settings: SettingsDep,
    fiche: str | None = None,
    question: str | None = None,
) -> Response:
    """The form; ``?fiche=`` attaches the question to a fiche, ``?question=`` pre-fills it
    (the questionnaire links here with a neutral summary of the situation)."""
    values = {"question": forms.clean(question or "")[: QUESTION_MAX * 2]}
    slug = _fiche_slug(settings, fiche)
    return _ask_page(request, settings, values=values, errors={}, fiche_slug=slug)


@router.post("/poser", name="questions_ask_post")
def ask_post(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    links: MailLinksDep,
    address: AddressDep,
    background: BackgroundTasks,
    pseudo: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    question: Annotated[str, Form()] = "",
    consentement: Annotated[str, Form()] = "",
    fiche: Annotated[str, Form()] = "",
    site_web: Annotated[str, Form()] = "",
    debut: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "envoyer",
) -> Response:
    typed = {"pseudo": pseudo, "email": email, "question": question}
    bad_characters = textcheck.unusable_fields(typed)
    values = {
        "pseudo": forms.clean(textcheck.usable(pseudo)),
        "email": textcheck.usable(email).strip(),
        "question": forms.clean(textcheck.usable(question)),
        "consentement": consentement,
    }
    slug = _fiche_slug(settings, fiche)
    if action == "apercu":
        found = similar_to(
            session, text=values["question"], synonyms=request.app.state.search_synonyms
        )
        return _ask_page(
            request,
            settings,
            values=values,
            errors={},
            fiche_slug=slug,
            similar=found,
            started=debut,
        )
    errors = (
        bad_characters
        or forms.question_problems(
            pseudonym=values["pseudo"],
            email=values["email"],
            body=values["question"],
            consent=consentement == "oui",
        )
        or robots.robot_problems(settings, honeypot=site_web, started=debut)
    )
    if errors:
        return _ask_page(
            request, settings, values=values, errors=errors, fiche_slug=slug, status_code=400
        )
    try:
        asking.ask(
            session,
            settings=settings,
            links=links,
            pseudonym=values["pseudo"],
            email=values["email"],
            body=values["question"],
            fiche_slug=slug,
            address=address,
            form=robots.form_nonce(settings, debut),
        )
    except AlreadySentError:
        pass  # a double-click: the first sending stored it; this one leads to the same page
    except RefusedError as refused:
        return _ask_page(
            request,
            settings,
            values=values,
            errors=refused.errors,
            fiche_slug=slug,
            status_code=refused.status_code,
        )
    except (DBAPIError, PoolTimeoutError) as error:
        if not unavailable(error):
            raise
        # The database is away: the form comes back with what was typed, to send again later.
        errors = {forms.SEND_FIELD: DATABASE_AWAY}
        return _ask_page(
            request, settings, values=values, errors=errors, fiche_slug=slug, status_code=503
        )
    target = request.app.url_path_for("questions_sent")
    if slug:
        target = f"{target}?fiche={slug}"
    return send_mail_later(request, background, session, RedirectResponse(target, status_code=303))


@router.get("/envoyee", name="questions_sent")
def sent(request: Request, settings: SettingsDep, fiche: str | None = None) -> Response:
    slug = _fiche_slug(settings, fiche)
    context = {"fiche_slug": slug, "fiche_title": fiches.fiche_title(settings, slug)}
    return render(request, "questions/sent.html", context)


@router.get("/{thread_id:int}", name="questions_thread")
def thread_page(
    request: Request, session: SessionDep, settings: SettingsDep, thread: PublicThreadDep
) -> Response:
    """A thread's permalink; each message has its anchor ``#message-<id>``."""
    view = reading.thread_view(session, settings=settings, thread=thread)
    if view is None:
        raise HTTPException(status_code=404)
    return render(request, "questions/thread.html", {"view": view, **labels()})


def load_reportable_message(message_id: RowId, session: SessionDep) -> Message:
    """A message the public reads (published, in a public thread); else as its thread: 410 or
    404."""
    message = session.get(Message, message_id)
    if message is None:
        raise HTTPException(status_code=404)
    thread = load_public_thread(message.thread_id, session)
    if not reports.is_reportable(message, thread):
        raise HTTPException(status_code=404)
    return message


ReportableMessageDep = Annotated[Message, Depends(load_reportable_message)]


def _report_page(
    request: Request,
    settings: Settings,
    *,
    message: Message,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    done: bool = False,
    status_code: int = 200,
) -> Response:
    context = {
        "message": message,
        "html": tree.message_html(message),
        "reasons": list(REPORT_REASON_LABELS.items()),
        "values": values or {},
        "errors": errors or {},
        "done": done,
        "started": robots.form_started_token(settings),
        "text_max": REPORT_TEXT_MAX,
    }
    response = render(request, "questions/report.html", context, status_code=status_code)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.get("/messages/{message_id}/signaler", name="questions_report")
def report_form(
    request: Request,
    settings: SettingsDep,
    message: ReportableMessageDep,
    fait: str | None = None,
) -> Response:
    """ "Signaler ce message": a reason, an optional short text; ``?fait=1`` confirms."""
    return _report_page(request, settings, message=message, done=fait == "1")


@router.post("/messages/{message_id}/signaler", name="questions_report_post")
def report_post(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    message: ReportableMessageDep,
    address: AddressDep,
    raison: Annotated[str, Form()] = "",
    precision: Annotated[str, Form()] = "",
    site_web: Annotated[str, Form()] = "",
    debut: Annotated[str, Form()] = "",
) -> Response:
    values = {"raison": raison, "precision": forms.clean(textcheck.usable(precision))}
    errors = (
        textcheck.unusable_fields({"precision": precision})
        or reports.report_problems(reason=raison, text=values["precision"])
        or robots.robot_problems(settings, honeypot=site_web, started=debut)
    )
    status_code = 400
    if not errors:
        try:
            reports.report(
                session,
                settings=settings,
                message=message,
                reason=ReportReason(raison),
                text=values["precision"],
                address=address,
                form=robots.form_nonce(settings, debut),
            )
        except AlreadySentError:
            pass  # a double-click: the first sending stored it
        except RefusedError as refused:
            errors, status_code = refused.errors, refused.status_code
        if not errors:
            target = request.app.url_path_for("questions_report", message_id=message.id)
            return RedirectResponse(f"{target}?fait=1", status_code=303)
    return _report_page(
        request, settings, message=message, values=values, errors=errors, status_code=status_code
    )


def _private_page(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    thread: Thread,
    token: str,
    parent_id: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> Response:
    view = reading.thread_view(
        session, settings=settings, thread=thread, shown=reading.seen_by_asker
    )
    parent = None
    if reading.can_reply(thread):
        picked = session.get(Message, parent_id) if parent_id else None
        if picked is not None and picked.thread_id == thread.id and tree.is_public(picked):
            parent = picked
        else:
            parent = reading.default_parent(session, thread=thread, author=Author.professional)
    question = view.root.message if view else None
    context = {
        "view": view,
        "thread": thread,
        "question": question,
        "token": token,
        "parent": parent,
        "values": values or {},
        "errors": errors or {},
        "notice": notice,
        "started": robots.form_started_token(settings),
        "deleted": thread.deleted_by_asker_at is not None,
        "MessageState": MessageState,
        **labels(),
    }
    response = render(request, "questions/private.html", context, status_code=status_code)
    response.headers.update(PRIVATE_HEADERS)
    return response


NOTICES = {
    "publiee": "Ta réponse est publiée.",
    "attente": "Ta réponse est bien arrivée. Elle sera publiée après relecture par l'équipe.",
    "supprimee": "Ta question est supprimée.",
    "deja": "Ton message était déjà parti : il n'est enregistré qu'une fois.",
}


@router.get("/suivi/{token}", name="questions_private")
def private_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    thread: PrivateThreadDep,
    token: str,
    parent: RowId | None = None,
    fait: str | None = None,
) -> Response:
    """The asker's page: the whole thread, a reply form, and deleting the question."""
    notice = NOTICES.get(fait or "")
    return _private_page(
        request, session, settings, thread=thread, token=token, parent_id=parent, notice=notice
    )


@router.post("/suivi/{token}/repondre", name="questions_private_reply")
def private_reply(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    thread: PrivateThreadDep,
    token: str,
    address: AddressDep,
    message: Annotated[str, Form()] = "",
    parent: Annotated[RowId | None, Form()] = None,
    site_web: Annotated[str, Form()] = "",
    debut: Annotated[str, Form()] = "",
) -> Response:
    values = {"message": forms.clean(textcheck.usable(message))}
    errors = (
        textcheck.unusable_fields({"message": message})
        or forms.reply_problems(body=values["message"])
        or robots.robot_problems(settings, honeypot=site_web, started=debut)
    )
    status_code = 400
    if not errors:
        try:
            reply = asking.reply(
                session,
                settings=settings,
                thread=thread,
                parent_id=parent,
                body=values["message"],
                address=address,
                form=robots.form_nonce(settings, debut),
            )
        except AlreadySentError:
            target = request.app.url_path_for("questions_private", token=token)
            return RedirectResponse(f"{target}?fait=deja", status_code=303, headers=PRIVATE_HEADERS)
        except RefusedError as refused:
            errors, status_code = refused.errors, refused.status_code
        except NotAllowedError as refused:
            errors, status_code = {forms.SEND_FIELD: str(refused)}, 409
        else:
            done = "publiee" if reply.state == MessageState.published else "attente"
            target = request.app.url_path_for("questions_private", token=token)
            return RedirectResponse(
                f"{target}?fait={done}#message-{reply.id}",
                status_code=303,
                headers=PRIVATE_HEADERS,
            )
    return _private_page(
        request,
        session,
        settings,
        thread=thread,
        token=token,
        parent_id=parent,
        values=values,
        errors=errors,
        status_code=status_code,
    )


@router.get("/suivi/{token}/supprimer", name="questions_private_delete")
def private_delete_form(request: Request, thread: PrivateThreadDep, token: str) -> Response:
    context = {"thread": thread, "token": token}
    response = render(request, "questions/delete.html", context)
    response.headers.update(PRIVATE_HEADERS)
    return response


@router.post("/suivi/{token}/supprimer", name="questions_private_delete_post")
def private_delete(
    request: Request, session: SessionDep, thread: PrivateThreadDep, token: str
) -> Response:
    """Gone from public pages at once; the e-mail erased; the pseudonym becomes "Anonyme"."""
    private_link.delete_by_asker(session, thread=thread)
    target = request.app.url_path_for("questions_private", token=token)
    return RedirectResponse(f"{target}?fait=supprimee", status_code=303, headers=PRIVATE_HEADERS)


def load_unsubscribe_thread(token: str, session: SessionDep, settings: SettingsDep) -> Thread:
    thread = private_link.thread_by_unsubscribe_token(session, settings=settings, token=token)
    if thread is None:
        raise HTTPException(
            status_code=404, detail="Ce lien de désabonnement n'est pas valable ou est incomplet."
        )
    return thread


UnsubscribeThreadDep = Annotated[Thread, Depends(load_unsubscribe_thread)]


@router.get("/desabonnement/{token}", name="questions_unsubscribe")
def unsubscribe_form(request: Request, thread: UnsubscribeThreadDep, token: str) -> Response:
    """One button: a link in an e-mail may be opened by a scanner, which must not unsubscribe."""
    context = {"token": token, "done": not thread.subscribed}
    return render(request, "questions/unsubscribe.html", context, status_code=200)


@router.post("/desabonnement/{token}", name="questions_unsubscribe_post")
def unsubscribe(
    request: Request, session: SessionDep, thread: UnsubscribeThreadDep, token: str
) -> Response:
    """Also the RFC 8058 one-click target of the List-Unsubscribe-Post header (no CSRF token)."""
    private_link.unsubscribe(session, thread=thread)
    return render(request, "questions/unsubscribe.html", {"token": token, "done": True})
