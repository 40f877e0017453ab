"""``/staff…``: login, moderation queue, answers, accounts, password and audit log.

Two routers: ``public_router`` for the login and logout pages, and ``router``, guarded once by
``require_staff`` (a visitor is sent to the login page), which gathers one sub-router per role.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app.config import Settings
from app.db import SessionDep
from app.questions import moderation, reading, service, tree
from app.questions.models import (
    MESSAGE_STATE_LABELS,
    THREAD_STATE_LABELS,
    Author,
    Message,
    Thread,
    ThreadState,
)
from app.questions.routes import (
    AddressDep,
    MailLinksDep,
    SettingsDep,
    send_mail_later,
)
from app.staff import audit
from app.staff.accounts import (
    AccountError,
    all_accounts,
    change_password,
    create_staff,
    update_account,
)
from app.staff.auth import (
    COOKIE_NAME,
    LOGIN_REFUSED,
    CurrentStaff,
    authenticate,
    clear_session_cookie,
    require_role,
    require_staff,
    safe_next,
    set_session_cookie,
    staff_from_cookie,
)
from app.staff.models import ROLE_LABELS, Role, StaffUser
from app.templating import render

public_router = APIRouter(prefix="/staff", include_in_schema=False)
router = APIRouter(prefix="/staff", dependencies=[Depends(require_staff)], include_in_schema=False)
moderators = APIRouter(dependencies=[Depends(require_role(Role.moderator))])
readers = APIRouter(dependencies=[Depends(require_role(Role.moderator, Role.professional))])
answering = APIRouter(dependencies=[Depends(require_role(Role.professional))])
admin = APIRouter(dependencies=[Depends(require_role(Role.admin))])

STAFF_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
DONE = {
    "approve": "Message publié.",
    "reject": "Message refusé ; la personne a reçu la raison et son texte.",
    "spam": "Message classé indésirable.",
    "hide": "Message masqué.",
    "republish": "Message remis en ligne.",
    "delete": "Message supprimé (restaurable).",
    "restore": "Message restauré.",
    "edit": "Texte modifié ; l'original est gardé dans l'historique.",
    "answer": "Réponse publiée ; la personne est prévenue par e-mail.",
    "password": "Mot de passe changé. Vos autres sessions sont fermées.",
    "account": "Compte enregistré.",
}


def staff_page(
    request: Request, name: str, context: Mapping[str, object], status_code: int = 200
) -> Response:
    """A staff page: never cached, never indexed; knows who is signed in."""
    staff: StaffUser | None = getattr(request.state, "staff", None)
    done = DONE.get(request.query_params.get("fait", ""))
    full = {
        "staff": staff,
        "Role": Role,
        "done": done,
        "message_labels": MESSAGE_STATE_LABELS,
        "thread_labels": THREAD_STATE_LABELS,
        "role_labels": ROLE_LABELS,
        **context,
    }
    response = render(request, name, full, status_code=status_code)
    response.headers.update(STAFF_HEADERS)
    return response


def redirect(request: Request, name: str, done: str | None = None, **params: object) -> Response:
    target = str(request.app.url_path_for(name, **params))
    if done:
        target += f"?fait={done}"
    return RedirectResponse(target, status_code=303)


# --- Login and logout ---------------------------------------------------------------------------


@public_router.get("/connexion", name="staff_login")
def login_form(
    request: Request, session: SessionDep, settings: SettingsDep, suite: str | None = None
) -> Response:
    if staff_from_cookie(session, settings=settings, cookie=request.cookies.get(COOKIE_NAME)):
        return RedirectResponse(safe_next(suite), status_code=303)
    context: dict[str, object] = {
        "values": {},
        "errors": {},
        "suite": safe_next(suite),
        "refused": None,
    }
    return staff_page(request, "staff/login.html", context)


@public_router.post("/connexion", name="staff_login_post")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    address: AddressDep,
    email: Annotated[str, Form()] = "",
    mot_de_passe: Annotated[str, Form()] = "",
    suite: Annotated[str, Form()] = "/staff",
) -> Response:
    errors = {}
    if not email.strip():
        errors["email"] = "Indiquez votre adresse e-mail."
    if not mot_de_passe:
        errors["mot_de_passe"] = "Indiquez votre mot de passe."
    user = None
    if not errors:
        user = authenticate(
            session, settings=settings, email=email, password=mot_de_passe, address=address
        )
    if user is None:
        context = {
            "values": {"email": email.strip()[:254]},
            "errors": errors,
            "suite": safe_next(suite),
            "refused": None if errors else LOGIN_REFUSED,
        }
        return staff_page(request, "staff/login.html", context, status_code=400 if errors else 401)
    response = RedirectResponse(safe_next(suite), status_code=303)
    set_session_cookie(response, settings=settings, user=user)
    return response


@public_router.post("/deconnexion", name="staff_logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    user = staff_from_cookie(session, settings=settings, cookie=request.cookies.get(COOKIE_NAME))
    if user is not None:
        audit.record(session, action="logout", staff=user)
        session.commit()
    response = RedirectResponse(request.app.url_path_for("staff_login"), status_code=303)
    clear_session_cookie(response, settings=settings)
    return response


# --- Home and password (every staff member) -----------------------------------------------------


@router.get("", name="staff_home")
def home(request: Request, session: SessionDep, staff: CurrentStaff) -> Response:
    context = {
        "pending": reading.pending_count(session),
        "awaiting": reading.awaiting_count(session),
    }
    return staff_page(request, "staff/home.html", context)


@router.get("/mot-de-passe", name="staff_password")
def password_form(request: Request) -> Response:
    return staff_page(request, "staff/password.html", {"errors": {}})


@router.post("/mot-de-passe", name="staff_password_post")
def password_change(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    staff: CurrentStaff,
    actuel: Annotated[str, Form()] = "",
    nouveau: Annotated[str, Form()] = "",
    confirmation: Annotated[str, Form()] = "",
) -> Response:
    errors = change_password(
        session, user=staff, current=actuel, new=nouveau, confirmation=confirmation
    )
    if errors:
        session.rollback()
        return staff_page(request, "staff/password.html", {"errors": errors}, status_code=400)
    audit.record(session, action="password_changed", staff=staff)
    session.commit()
    session.refresh(staff)
    response = redirect(request, "staff_home", "password")
    set_session_cookie(response, settings=settings, user=staff)
    return response


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
    return staff_page(request, "staff/queue.html", {"items": items, "fiche_titles": titles})


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
    return staff_page(request, "staff/message.html", context, status_code=status_code)


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
    return staff_page(request, "staff/threads.html", {"rows": rows, "all": tous})


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
    return staff_page(request, "staff/thread.html", context, status_code=status_code)


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


# --- Accounts and audit log (admin) -------------------------------------------------------------


def _accounts_page(
    request: Request,
    session: Session,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "accounts": all_accounts(session),
        "role_labels": ROLE_LABELS,
        "errors": errors or {},
        "values": values or {},
    }
    return staff_page(request, "staff/accounts.html", context, status_code=status_code)


@admin.get("/comptes", name="staff_accounts")
def accounts(request: Request, session: SessionDep) -> Response:
    return _accounts_page(request, session)


@admin.post("/comptes", name="staff_account_create")
def account_create(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    email: Annotated[str, Form()] = "",
    nom: Annotated[str, Form()] = "",
    mot_de_passe: Annotated[str, Form()] = "",
    roles: Annotated[list[str] | None, Form()] = None,
) -> Response:
    picked = [Role(r) for r in roles or [] if r in Role.__members__]
    values: dict[str, object] = {"email": email.strip(), "nom": nom.strip(), "roles": picked}
    errors: dict[str, str] = {}
    if not service.normalised_email(email):
        errors["email"] = "Indiquez une adresse e-mail valable."
    if not nom.strip() or len(nom.strip()) > 120:
        errors["nom"] = "Indiquez un nom de 1 à 120 caractères."
    if not picked:
        errors["roles"] = "Choisissez au moins un rôle."
    if not errors:
        try:
            user = create_staff(
                session, email=email, display_name=nom, password=mot_de_passe, roles=picked
            )
        except AccountError as error:
            field = "mot_de_passe" if "mot de passe" in str(error) else "email"
            errors[field] = str(error)
        else:
            audit.record(
                session,
                action="account_created",
                staff=staff,
                target=f"compte {user.id}",
                reason=", ".join(sorted(user.role_set)),
            )
            session.commit()
            return redirect(request, "staff_accounts", "account")
    return _accounts_page(request, session, errors=errors, values=values, status_code=400)


def load_account(account_id: int, session: SessionDep) -> StaffUser:
    account = session.get(StaffUser, account_id)
    if account is None:
        raise HTTPException(status_code=404)
    return account


AccountDep = Annotated[StaffUser, Depends(load_account)]


@admin.post("/comptes/{account_id}", name="staff_account_update")
def account_update(
    request: Request,
    session: SessionDep,
    staff: CurrentStaff,
    account: AccountDep,
    roles: Annotated[list[str] | None, Form()] = None,
    actif: Annotated[str, Form()] = "",
) -> Response:
    picked = [Role(r) for r in roles or [] if r in Role.__members__]
    before = f"{'actif' if account.active else 'inactif'} {account.roles}"
    try:
        update_account(session, account=account, roles=picked, active=actif == "oui", by=staff)
    except AccountError as error:
        session.rollback()
        return _accounts_page(
            request, session, errors={f"compte-{account.id}": str(error)}, status_code=400
        )
    audit.record(
        session,
        action="account_changed",
        staff=staff,
        target=f"compte {account.id}",
        from_state=before[:20],
        to_state=f"{'actif' if account.active else 'inactif'}",
        reason=account.roles,
    )
    session.commit()
    return redirect(request, "staff_accounts", "account")


@admin.get("/journal", name="staff_audit")
def audit_log(
    request: Request, session: SessionDep, page: Annotated[int, Query(ge=1, le=100000)] = 1
) -> Response:
    """The audit log, newest first (read-only: no page changes it)."""
    log_page = audit.audit_page(session, page=page)
    return staff_page(
        request, "staff/audit.html", {"log": log_page, "action_labels": audit.ACTION_LABELS}
    )


router.include_router(moderators)
router.include_router(readers)
router.include_router(answering)
router.include_router(admin)
