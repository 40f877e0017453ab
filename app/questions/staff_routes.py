"""``/staff/moderation``, ``/staff/messages…`` and ``/staff/fils…``: the staff's side of the
questions (moderating messages, answering threads).

One router guarded once by ``require_staff`` (a visitor is sent to the login page), with one
sub-router per role. Login, accounts and the audit log stay in ``app/staff/routes.py``.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import textcheck
from app.config import Settings
from app.db import RowId, SessionDep
from app.questions import (
    answering,
    canned,
    errors,
    fiches,
    moderation,
    reading,
    reports,
    tree,
    workqueue,
)
from app.questions.models import (
    Author,
    CannedReply,
    Message,
    MessageState,
    Thread,
    ThreadState,
)
from app.questions.routes import MailLinksDep, SettingsDep, send_mail_later
from app.questions.similar import similar_to
from app.questions.threads import question_row
from app.staff import audit
from app.staff.auth import CurrentStaff, require_role, require_staff
from app.staff.models import Role, StaffUser
from app.staff.pages import redirect, staff_page
from app.staff.sessions import open_session_count

router = APIRouter(prefix="/staff", dependencies=[Depends(require_staff)], include_in_schema=False)
moderators = APIRouter(dependencies=[Depends(require_role(Role.moderator))])
readers = APIRouter(dependencies=[Depends(require_role(Role.moderator, Role.professional))])
answerers = APIRouter(dependencies=[Depends(require_role(Role.professional))])


# --- Moderation ---------------------------------------------------------------------------------


@moderators.get("/moderation", name="staff_queue")
def queue(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Pending messages, oldest first."""
    items = reading.moderation_queue(session)
    titles = {
        item.thread.fiche_slug: fiches.fiche_title(settings, item.thread.fiche_slug)
        for item in items
        if item.thread.fiche_slug
    }
    return staff_page(
        request, "questions/staff/queue.html", {"items": items, "fiche_titles": titles}
    )


def load_message(message_id: RowId, session: SessionDep) -> Message:
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
        "fiche_title": fiches.fiche_title(settings, thread.fiche_slug),
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


# The field of the reason in each decision's form (message.html); the refusal's is « raison ».
REASON_FIELDS = {"hide": "raison-masquer", "delete": "raison-supprimer"}


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
    retour: Annotated[str, Form()] = "",
) -> Response:
    """Approve, reject (with a reason), mark as spam, hide, republish, delete or restore;
    ``retour=fil`` comes back to the thread after an approval made from it."""
    bad_characters = textcheck.unusable_fields({"raison": raison}, formal=True)
    raison = textcheck.usable(raison)
    try:
        if bad_characters:
            raise errors.RefusedError(bad_characters)
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
    except errors.RefusedError as refused:
        # The reason of a hide or a delete has its own field in its own form.
        field = REASON_FIELDS.get(action, "raison")
        return _message_page(
            request,
            session,
            settings,
            message=message,
            errors={
                field if name == "raison" else name: text for name, text in refused.errors.items()
            },
            values={field: raison, "texte": message.body, "pseudo": message.author_name},
            status_code=400,
        )
    except (errors.ConflictError, errors.NotAllowedError) as refused:
        session.refresh(message)
        return _message_page(
            request, session, settings, message=message, conflict=str(refused), status_code=409
        )
    if action == "approve" and retour == "fil":
        response = redirect(request, "staff_thread", action, thread_id=message.thread_id)
    elif action in {"approve", "reject", "spam"}:
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
    bad_characters = textcheck.unusable_fields({"texte": texte, "pseudo": pseudo}, formal=True)
    texte, pseudo = textcheck.usable(texte), textcheck.usable(pseudo)
    try:
        if bad_characters:
            raise errors.RefusedError(bad_characters)
        moderation.edit(
            session, message=message, version=version, body=texte, author_name=pseudo, staff=staff
        )
    except errors.RefusedError as refused:
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
    except errors.ConflictError as conflict:
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


# --- The work queue (the staff's home) -----------------------------------------------------------


def _home_page(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    staff: StaffUser,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    queue = workqueue.work_queue(session, settings=settings, staff=staff)
    context = {
        "queue": queue,
        "kind_labels": workqueue.KIND_LABELS,
        "open_sessions": open_session_count(session, user=staff),
        "problem": problem,
    }
    return staff_page(request, "questions/staff/work.html", context, status_code=status_code)


@router.get("", name="staff_home")
def home(
    request: Request, session: SessionDep, settings: SettingsDep, staff: CurrentStaff
) -> Response:
    """Everything waiting on this person's roles, oldest first (admins also get their links)."""
    return _home_page(request, session, settings, staff=staff)


@moderators.post("/signalements/{message_id}/retirer", name="staff_report_remove")
def report_remove(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    message: MessageDep,
    version: Annotated[int, Form()],
) -> Response:
    """ "Retirer le message" from the work queue: hidden, its reports settled, audited."""
    try:
        moderation.remove_reported(session, message=message, version=version, staff=staff)
    except (errors.ConflictError, errors.NotAllowedError) as refused:
        session.rollback()
        return _home_page(
            request, session, settings, staff=staff, problem=str(refused), status_code=409
        )
    return redirect(request, "staff_home", "report_removed")


@moderators.post("/signalements/{message_id}/garder", name="staff_report_keep")
def report_keep(
    request: Request, session: SessionDep, staff: CurrentStaff, message: MessageDep
) -> Response:
    """ "Garder le message": its open reports are set aside, audited; the message stays."""
    reports.keep(session, message=message, staff=staff)
    return redirect(request, "staff_home", "report_kept")


@router.get("/resume-quotidien", name="staff_digest")
def digest_page(request: Request) -> Response:
    """The link at the end of the daily e-mail: the switch is on the home page."""
    return RedirectResponse(str(request.app.url_path_for("staff_home")) + "#resume", 303)


@router.post("/resume-quotidien", name="staff_digest_post")
def digest_switch(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    actif: Annotated[str, Form()] = "",
) -> Response:
    """Switch one's daily e-mail on (``actif=oui``) or off; audited."""
    staff.digest_enabled = actif == "oui"
    session.add(staff)
    audit.record(
        session,
        action="digest_on" if staff.digest_enabled else "digest_off",
        staff=staff,
        target=f"compte {staff.id}",
    )
    session.commit()
    return redirect(request, "staff_home", "digest")


def work_url(request: Request, item: workqueue.WorkItem, staff: StaffUser) -> str:
    """Where one takes up ``item``: the thread and its answer form, or the message to moderate."""
    by_message = (workqueue.Kind.moderate_reply, workqueue.Kind.reported)
    if item.kind in by_message or not staff.has_role(Role.professional):
        return str(request.app.url_path_for("staff_message", message_id=item.message.id))
    return str(request.app.url_path_for("staff_thread", thread_id=item.thread.id)) + "#repondre"


# --- Threads and answers ------------------------------------------------------------------------


@readers.get("/fils", name="staff_threads")
def threads(request: Request, session: SessionDep, tous: bool = False) -> Response:
    """Threads awaiting an answer (oldest first), or every thread."""
    state = None if tous else ThreadState.awaiting_answer
    rows = reading.staff_threads(session, state=state)
    return staff_page(request, "questions/staff/threads.html", {"rows": rows, "all": tous})


def load_thread(thread_id: RowId, session: SessionDep) -> Thread:
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise HTTPException(status_code=404)
    return thread


ThreadDep = Annotated[Thread, Depends(load_thread)]


def _answer_parent(
    session: Session,
    *,
    thread: Thread,
    staff: StaffUser,
    question: Message | None,
    parent_id: int | None,
) -> Message | None:
    """The message the answer form answers, or None when this person cannot answer here."""
    if not staff.has_role(Role.professional):
        return None
    if reading.can_reply(thread):
        picked = session.get(Message, parent_id) if parent_id else None
        if picked is not None and picked.thread_id == thread.id and tree.is_public(picked):
            return picked
        return reading.default_parent(session, thread=thread, author=Author.asker)
    if question is not None and approvable(question, staff):
        return question  # approve and answer in one step
    return None


def fiche_links(request: Request, settings: Settings) -> dict[str, tuple[str, str]]:
    """slug -> (title, Markdown link to the fiche) for the answer form's fiche picker."""
    links = {}
    for slug, title in fiches.fiche_choices(settings):
        label = title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        links[slug] = (title, f"[{label}]({request.app.url_path_for('fiche', slug=slug)})")
    return links


def _snippet(
    request: Request, session: Session, settings: Settings, action: str, chosen: str
) -> tuple[str, dict[str, str]]:
    """The text to insert into the answer (a fiche link or a canned reply), or the problem."""
    if action == "inserer_fiche":
        link = fiche_links(request, settings).get(chosen)
        if link is None:
            return "", {"fiche_lien": "Choisissez la fiche dont vous voulez insérer le lien."}
        return link[1], {}
    reply = session.get(CannedReply, int(chosen)) if chosen.isdigit() else None
    if reply is None or reply.retired_at is not None:
        return "", {"reponse_type": "Choisissez la réponse type à insérer."}
    return reply.body, {}


def approvable(question: Message, staff: StaffUser) -> bool:
    return question.state == MessageState.pending and staff.has_role(Role.moderator)


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
    warnings: list[str] | None = None,
    claim_error: str | None = None,
    preview: object = None,
    status_code: int = 200,
) -> Response:
    view = reading.thread_view(
        session, settings=settings, thread=thread, shown=reading.seen_by_staff
    )
    question = view.root.message if view else None
    ids = []
    if view is not None:
        stack = [view.root]
        while stack:
            node = stack.pop()
            ids.append(node.message.staff_id)
            stack.extend(node.children)
    holder = workqueue.claim_of(session, settings=settings, thread=thread)
    context = {
        "thread": thread,
        "view": view,
        "question": question,
        "approve_first": question is not None and approvable(question, staff),
        "fiche_title": fiches.fiche_title(settings, thread.fiche_slug),
        "parent": _answer_parent(
            session, thread=thread, staff=staff, question=question, parent_id=parent_id
        ),
        "values": values or {},
        "errors": errors or {},
        "warnings": warnings or [],
        "preview": preview,
        "names": reading.staff_names(session, ids),
        "holder": holder,
        "claim_error": claim_error,
        "fiche_links": fiche_links(request, settings),
        "canned_replies": canned.active(session),
        "similar": similar_to(
            session,
            text=question.body if question else "",
            synonyms=request.app.state.search_synonyms,
            skip_thread=thread.id,
        ),
        "last_id": workqueue.last_message_id(session, thread),
    }
    return staff_page(request, "questions/staff/thread.html", context, status_code=status_code)


@readers.get("/fils/{thread_id}", name="staff_thread")
def thread_page(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    thread: ThreadDep,
    parent: RowId | None = None,
) -> Response:
    return _thread_page(request, session, settings, thread=thread, staff=staff, parent_id=parent)


@answerers.post("/fils/{thread_id}/repondre", name="staff_thread_answer")
def answer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    links: MailLinksDep,
    background: BackgroundTasks,
    staff: CurrentStaff,
    thread: ThreadDep,
    reponse: Annotated[str, Form()] = "",
    parent: Annotated[RowId | None, Form()] = None,
    action: Annotated[str, Form()] = "publier",
    fiche_lien: Annotated[str, Form()] = "",
    reponse_type: Annotated[str, Form()] = "",
    vu: Annotated[int, Form()] = 0,
    pris: Annotated[int | None, Form()] = None,
    version_question: Annotated[int | None, Form()] = None,
) -> Response:
    """Preview (``action=apercu``) or publish an answer under the organisation's name, then
    back to the thread or on to the next waiting item (``action=suivante``). On a pending
    question, a moderator publishes the question and the answer in one step."""
    values = {"reponse": textcheck.usable(reponse)}
    page = partial(
        _thread_page, request, session, settings, thread=thread, staff=staff, parent_id=parent
    )
    bad_characters = textcheck.unusable_fields({"reponse": reponse}, formal=True)
    if bad_characters:
        return page(values=values, errors=bad_characters, status_code=400)
    if action in ("inserer_fiche", "inserer_type"):
        chosen = fiche_lien if action == "inserer_fiche" else reponse_type
        snippet, problem = _snippet(request, session, settings, action, chosen)
        if problem:
            return page(values=values, errors=problem, status_code=400)
        return page(values={"reponse": answering.with_inserted(reponse, snippet)})
    question = question_row(session, thread)
    filling = canned_context(request, settings, pseudo=question.author_name)
    if action == "apercu":
        preview = answering.markdown_preview(canned.fill(reponse, filling))
        return page(values=values, preview=preview)
    unknown = canned.placeholder_problem(reponse, filling)
    if unknown:
        return page(values=values, errors={"reponse": unknown}, status_code=400)
    warnings = workqueue.answer_warnings(
        session, settings=settings, thread=thread, staff=staff, seen_last_id=vu, seen_holder=pris
    )
    if warnings:
        return page(values=values, warnings=warnings, status_code=409)
    approving = question.state == MessageState.pending and version_question is not None
    try:
        if approving and not staff.has_role(Role.moderator):
            raise errors.NotAllowedError("Seul un modérateur peut publier la question.")
        answering.answer(
            session,
            settings=settings,
            links=links,
            thread=thread,
            parent_id=parent,
            body=canned.fill(reponse, filling),  # amounts in force today, the day it is published
            staff=staff,
            approve_version=version_question if approving else None,
        )
    except errors.RefusedError as refused:
        session.rollback()
        return page(values=values, errors=refused.errors, status_code=400)
    except (errors.NotAllowedError, errors.ConflictError) as refused:
        session.rollback()
        session.refresh(thread)
        return page(values=values, errors={"reponse": str(refused)}, status_code=409)
    following = None
    if action == "suivante":
        following = workqueue.next_item(
            session, settings=settings, staff=staff, skip_thread=thread.id
        )
    if following is not None:
        target = work_url(request, following, staff)
        path, _, anchor = target.partition("#")
        response: Response = RedirectResponse(
            f"{path}?fait=answer_next" + (f"#{anchor}" if anchor else ""), status_code=303
        )
    elif action == "suivante":
        response = redirect(request, "staff_home", "answer_last")
    else:
        response = redirect(request, "staff_thread", "answer", thread_id=thread.id)
    return send_mail_later(request, background, session, response)


@answerers.post("/fils/{thread_id}/prendre", name="staff_thread_take")
def take(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    thread: ThreadDep,
) -> Response:
    """ "Je m'en occupe": the thread shows it, and a colleague is warned before answering."""
    try:
        workqueue.take(session, settings=settings, thread=thread, staff=staff)
    except errors.NotAllowedError as refused:
        return _thread_page(
            request,
            session,
            settings,
            thread=thread,
            staff=staff,
            claim_error=str(refused),
            status_code=409,
        )
    return redirect(request, "staff_thread", "take", thread_id=thread.id)


@answerers.post("/fils/{thread_id}/liberer", name="staff_thread_release")
def release(
    request: Request, session: SessionDep, staff: CurrentStaff, thread: ThreadDep
) -> Response:
    workqueue.give_back(session, thread=thread, staff=staff)
    return redirect(request, "staff_thread", "release", thread_id=thread.id)


# --- Canned replies ("réponses types") --------------------------------------------------------


def canned_context(request: Request, settings: Settings, **extra: str) -> canned.Context:
    """Placeholders as they would be filled today (to check them; publishing fills them)."""
    return canned.Context(
        pseudo=extra.get("pseudo", ""),
        amounts=canned.site_amounts(settings),
        day=canned.publication_day(),
        fiche_path=lambda slug: str(request.app.url_path_for("fiche", slug=slug)),
        settings=settings,
    )


def _canned_page(
    request: Request,
    session: Session,
    settings: Settings,
    *,
    reply: CannedReply | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    if values is None:
        values = {"titre": reply.title, "texte": reply.body} if reply else {}
    context = {
        "reply": reply,
        "replies": canned.every(session),
        "values": values,
        "errors": errors or {},
        "placeholders": canned.placeholder_help(canned.site_amounts(settings)),
    }
    return staff_page(request, "questions/staff/canned.html", context, status_code=status_code)


def load_canned(reply_id: RowId, session: SessionDep) -> CannedReply:
    reply = session.get(CannedReply, reply_id)
    if reply is None:
        raise HTTPException(status_code=404)
    return reply


CannedDep = Annotated[CannedReply, Depends(load_canned)]


@answerers.get("/reponses-types", name="staff_canned")
def canned_list(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    return _canned_page(request, session, settings)


@answerers.get("/reponses-types/{reply_id}", name="staff_canned_edit")
def canned_edit(
    request: Request, session: SessionDep, settings: SettingsDep, reply: CannedDep
) -> Response:
    return _canned_page(request, session, settings, reply=reply)


def _save_canned(
    request: Request,
    session: Session,
    settings: Settings,
    staff: StaffUser,
    reply: CannedReply | None,
    titre: str,
    texte: str,
) -> Response:
    try:
        canned.save(
            session,
            reply=reply,
            title=titre,
            body=texte,
            context=canned_context(request, settings),
            staff=staff,
        )
    except errors.RefusedError as refused:
        values = {"titre": titre, "texte": texte}
        return _canned_page(
            request,
            session,
            settings,
            reply=reply,
            values=values,
            errors=refused.errors,
            status_code=400,
        )
    return redirect(request, "staff_canned", "canned")


@answerers.post("/reponses-types", name="staff_canned_create")
def canned_create(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    titre: Annotated[str, Form()] = "",
    texte: Annotated[str, Form()] = "",
) -> Response:
    return _save_canned(request, session, settings, staff, None, titre, texte)


@answerers.post("/reponses-types/{reply_id}", name="staff_canned_update")
def canned_update(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    reply: CannedDep,
    titre: Annotated[str, Form()] = "",
    texte: Annotated[str, Form()] = "",
) -> Response:
    return _save_canned(request, session, settings, staff, reply, titre, texte)


@answerers.post("/reponses-types/{reply_id}/retirer", name="staff_canned_retire")
def canned_retire(
    request: Request, session: SessionDep, staff: CurrentStaff, reply: CannedDep
) -> Response:
    canned.retire(session, reply=reply, staff=staff)
    return redirect(request, "staff_canned", "canned_retire")


router.include_router(moderators)
router.include_router(readers)
router.include_router(answerers)
