"""``/staff/moderation``, ``/staff/messages…`` and ``/staff/fils…``: the staff's side of the
questions (moderating messages, answering threads).

One router guarded once by ``require_staff`` (a visitor is sent to the login page), with one
sub-router per role. Login, accounts and the audit log stay in ``app/staff/routes.py``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.config import Settings
from app.db import SessionDep
from app.questions import moderation, reading, service, tree
from app.questions.models import Author, Message, Thread, ThreadState
from app.questions.routes import MailLinksDep, SettingsDep, send_mail_later
from app.staff.auth import CurrentStaff, require_role, require_staff
from app.staff.models import Role, StaffUser
from app.staff.pages import redirect, staff_page

router = APIRouter(prefix="/staff", dependencies=[Depends(require_staff)], include_in_schema=False)
moderators = APIRouter(dependencies=[Depends(require_role(Role.moderator))])
readers = APIRouter(dependencies=[Depends(require_role(Role.moderator, Role.professional))])
answering = APIRouter(dependencies=[Depends(require_role(Role.professional))])


# --- Moderation ---------------------------------------------------------------------------------


@moderators.get("/moderation", name="staff_queue")
def queue(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Pending messages, oldest first."""
    items = reading.moderation_queue(session)
    titles = {
        item.thread.fiche_slug: service.fiche_title(settings, item.thread.fiche_slug)
        for item in items
        if item.thread.fiche_slug
    }
    return staff_page(
        request, "questions/staff/queue.html", {"items": items, "fiche_titles": titles}
    )


def load_message(message_id: int, session: SessionDep) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise HTTPException(status_code=404)
    return message


MessageDep = Annotated[Message, Depends(load_message)]


def _message_page(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    message: Message,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    thread = session.get(Thread, message.thread_id)
    assert thread is not None
    view = reading.thread_view(
        session, settings=settings, thread=thread, shown=reading.seen_by_staff
    )
    context = {
        "message": message,
        "thread": thread,
        "view": view,
        "fiche_title": service.fiche_title(settings, thread.fiche_slug),
        "html": tree.message_html(message),
        "actions": moderation.allowed_actions(message),
        "revisions": reading.revisions(session, message=message),
        "names": reading.staff_names(session, [message.staff_id]),
        "errors": errors or {},
        "values": values or {"texte": message.body, "pseudo": message.author_name},
        "conflict": conflict,
    }
    return staff_page(request, "questions/staff/message.html", context, status_code=status_code)


@moderators.get("/messages/{message_id}", name="staff_message")
def message_page(
    request: Request, session: SessionDep, settings: SettingsDep, message: MessageDep
) -> Response:
    return _message_page(request, session, settings, message=message)


@moderators.post("/messages/{message_id}/decision", name="staff_message_decide")
def decide(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    links: MailLinksDep,
    background: BackgroundTasks,
    staff: CurrentStaff,
    message: MessageDep,
    action: Annotated[str, Form()],
    version: Annotated[int, Form()],
    raison: Annotated[str, Form()] = "",
) -> Response:
    """Approve, reject (with a reason), mark as spam, hide, republish, delete or restore."""
    try:
        if action == "approve":
            moderation.approve(
                session,
                settings=settings,
                links=links,
                message=message,
                version=version,
                staff=staff,
            )
        elif action == "reject":
            moderation.reject(
                session,
                settings=settings,
                links=links,
                message=message,
                version=version,
                reason=raison,
                staff=staff,
            )
        else:
            moderation.change_state(
                session, message=message, action=action, version=version, staff=staff, reason=raison
            )
    except service.RefusedError as refused:
        return _message_page(
            request,
            session,
            settings,
            message=message,
            errors=refused.errors,
            values={"raison": raison, "texte": message.body, "pseudo": message.author_name},
            status_code=400,
        )
    except (service.ConflictError, service.NotAllowedError) as refused:
        session.refresh(message)
        return _message_page(
            request, session, settings, message=message, conflict=str(refused), status_code=409
        )
    if action in {"approve", "reject", "spam"}:
        response = redirect(request, "staff_queue", action)
    else:
        response = redirect(request, "staff_message", action, message_id=message.id)
    return send_mail_later(request, background, session, response)


@moderators.post("/messages/{message_id}/modifier", name="staff_message_edit")
def edit_message(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    message: MessageDep,
    version: Annotated[int, Form()],
    texte: Annotated[str, Form()] = "",
    pseudo: Annotated[str, Form()] = "",
) -> Response:
    """Remove identifying details; the earlier text stays in the history, for the staff only."""
    try:
        moderation.edit(
            session, message=message, version=version, body=texte, author_name=pseudo, staff=staff
        )
    except service.RefusedError as refused:
        values = {"texte": texte, "pseudo": pseudo}
        return _message_page(
            request,
            session,
            settings,
            message=message,
            errors=refused.errors,
            values=values,
            status_code=400,
        )
    except service.ConflictError as conflict:
        session.refresh(message)
        return _message_page(
            request,
            session,
            settings,
            message=message,
            values={"texte": texte, "pseudo": pseudo},
            conflict=str(conflict),
            status_code=409,
        )
    return redirect(request, "staff_message", "edit", message_id=message.id)


# --- Threads and answers ------------------------------------------------------------------------


@readers.get("/fils", name="staff_threads")
def threads(request: Request, session: SessionDep, tous: bool = False) -> Response:
    """Threads awaiting an answer (oldest first), or every thread."""
    state = None if tous else ThreadState.awaiting_answer
    rows = reading.staff_threads(session, state=state)
    return staff_page(request, "questions/staff/threads.html", {"rows": rows, "all": tous})


def load_thread(thread_id: int, session: SessionDep) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise HTTPException(status_code=404)
    return thread


ThreadDep = Annotated[Thread, Depends(load_thread)]


def _thread_page(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    thread: Thread,
    staff: StaffUser,
    parent_id: int | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    preview: object = None,
    status_code: int = 200,
) -> Response:
    view = reading.thread_view(
        session, settings=settings, thread=thread, shown=reading.seen_by_staff
    )
    parent = None
    if reading.can_reply(thread) and staff.has_role(Role.professional):
        picked = session.get(Message, parent_id) if parent_id else None
        if picked is not None and picked.thread_id == thread.id and tree.is_public(picked):
            parent = picked
        else:
            parent = reading.default_parent(session, thread=thread, author=Author.asker)
    ids = []
    if view is not None:
        stack = [view.root]
        while stack:
            node = stack.pop()
            ids.append(node.message.staff_id)
            stack.extend(node.children)
    context = {
        "thread": thread,
        "view": view,
        "fiche_title": service.fiche_title(settings, thread.fiche_slug),
        "parent": parent,
        "values": values or {},
        "errors": errors or {},
        "preview": preview,
        "names": reading.staff_names(session, ids),
    }
    return staff_page(request, "questions/staff/thread.html", context, status_code=status_code)


@readers.get("/fils/{thread_id}", name="staff_thread")
def thread_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    thread: ThreadDep,
    parent: int | None = None,
) -> Response:
    return _thread_page(request, session, settings, thread=thread, staff=staff, parent_id=parent)


@answering.post("/fils/{thread_id}/repondre", name="staff_thread_answer")
def answer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    links: MailLinksDep,
    background: BackgroundTasks,
    staff: CurrentStaff,
    thread: ThreadDep,
    reponse: Annotated[str, Form()] = "",
    parent: Annotated[int | None, Form()] = None,
    action: Annotated[str, Form()] = "publier",
) -> Response:
    """Preview (``action=apercu``) or publish an answer under the organisation's name."""
    values = {"reponse": reponse}
    if action == "apercu":
        preview = service.markdown_preview(reponse)
        return _thread_page(
            request,
            session,
            settings,
            thread=thread,
            staff=staff,
            parent_id=parent,
            values=values,
            preview=preview,
        )
    try:
        service.answer(
            session,
            settings=settings,
            links=links,
            thread=thread,
            parent_id=parent,
            body=reponse,
            staff=staff,
        )
    except service.RefusedError as refused:
        errors, status_code = refused.errors, 400
    except service.NotAllowedError as refused:
        errors, status_code = {"reponse": str(refused)}, 409
    else:
        response = redirect(request, "staff_thread", "answer", thread_id=thread.id)
        return send_mail_later(request, background, session, response)
    return _thread_page(
        request,
        session,
        settings,
        thread=thread,
        staff=staff,
        parent_id=parent,
        values=values,
        errors=errors,
        status_code=status_code,
    )


router.include_router(moderators)
router.include_router(readers)
router.include_router(answering)
