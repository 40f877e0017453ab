"""``/staff…``: login, home, password, accounts and the audit log.

Two routers: ``public_router`` for the login and logout pages, and ``router``, guarded once by
``require_staff`` (a visitor is sent to the login page). The questions' side of the staff work
(moderation, answers) lives with the questions, in ``app/questions/staff_routes.py``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import textcheck
from app.db import RowId, SessionDep
from app.questions.routes import AddressDep, SettingsDep
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
    DEVICE_COOKIE,
    CurrentStaff,
    authenticate,
    clear_session_cookie,
    require_role,
    require_staff,
    safe_next,
    set_device_cookie,
    set_session_cookie,
    staff_from_cookie,
)
from app.staff.models import ROLE_LABELS, Role, StaffUser
from app.staff.pages import redirect, staff_page
from app.staff.sessions import end_other_sessions, end_session, open_session

public_router = APIRouter(prefix="/staff", include_in_schema=False)
router = APIRouter(prefix="/staff", dependencies=[Depends(require_staff)], include_in_schema=False)
admin = APIRouter(dependencies=[Depends(require_role(Role.admin))])


# --- Login and logout ---------------------------------------------------------------------------


@public_router.get("/connexion", name="staff_login")
def login_form(
    request: Request, session: SessionDep, settings: SettingsDep, suite: str | None = None
) -> Response:
    if staff_from_cookie(session, settings=settings, cookie=request.cookies.get(COOKIE_NAME)):
        return RedirectResponse(safe_next(request, suite), status_code=303)
    context: dict[str, object] = {
        "values": {},
        "errors": {},
        "suite": safe_next(request, suite),
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
    suite: Annotated[str, Form()] = "",
) -> Response:
    errors = textcheck.unusable_fields({"email": email}, formal=True)
    email = textcheck.usable(email)
    if not email.strip():
        errors["email"] = "Indiquez votre adresse e-mail."
    if not mot_de_passe:
        errors["mot_de_passe"] = "Indiquez votre mot de passe."
    outcome = None
    if not errors:
        outcome = authenticate(
            session,
            settings=settings,
            email=email,
            password=mot_de_passe,
            address=address,
            device=request.cookies.get(DEVICE_COOKIE),
        )
    if outcome is None or outcome.user is None:
        context = {
            "values": {"email": email.strip()[:254]},
            "errors": errors,
            "suite": safe_next(request, suite),
            "refused": outcome.refusal if outcome else None,
        }
        return staff_page(request, "staff/login.html", context, status_code=400 if errors else 401)
    cookie = open_session(session, settings=settings, user=outcome.user)
    session.commit()
    response = RedirectResponse(safe_next(request, suite), status_code=303)
    set_session_cookie(response, settings=settings, cookie=cookie)
    set_device_cookie(response, settings=settings, email=outcome.user.email)
    return response


@public_router.post("/deconnexion", name="staff_logout")
def logout(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    user = end_session(session, settings=settings, cookie=request.cookies.get(COOKIE_NAME))
    if user is not None:
        audit.record(session, action="logout", staff=user)
        session.commit()
    response = RedirectResponse(request.app.url_path_for("staff_login"), status_code=303)
    clear_session_cookie(response, settings=settings)
    return response


# --- Sessions and password (every staff member; the home page, the work queue, is in
# app/questions/staff_routes.py) ---------------------------------------------------------------


@router.post("/sessions/fermer-les-autres", name="staff_end_other_sessions")
def end_others(request: Request, session: SessionDep, staff: CurrentStaff) -> Response:
    """End every session of this account but the one making the request."""
    ended = end_other_sessions(session, user=staff, keep=request.state.staff_session)
    audit.record(session, action="sessions_ended", staff=staff, reason=f"{ended} session(s)")
    session.commit()
    return redirect(request, "staff_home", "sessions")


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
    cookie = open_session(session, settings=settings, user=staff)
    session.commit()
    response = redirect(request, "staff_home", "password")
    set_session_cookie(response, settings=settings, cookie=cookie)
    return response


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
    errors = textcheck.unusable_fields({"email": email, "nom": nom}, formal=True)
    email, nom = textcheck.usable(email), textcheck.usable(nom)
    values: dict[str, object] = {"email": email.strip(), "nom": nom.strip(), "roles": picked}
    if not errors:
        try:
            create_staff(
                session,
                email=email,
                display_name=nom,
                password=mot_de_passe,
                roles=picked,
                by=staff,
            )
        except AccountError as error:
            errors = error.errors
        else:
            return redirect(request, "staff_accounts", "account")
    return _accounts_page(request, session, errors=errors, values=values, status_code=400)


def load_account(account_id: RowId, session: SessionDep) -> StaffUser:
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


router.include_router(admin)
