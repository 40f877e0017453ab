"""Staff accounts: creating them and checking passwords (argon2id)."""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from app.questions.forms import normalised_email
from app.staff import audit
from app.staff.models import Role, StaffUser
from app.staff.sessions import end_other_sessions

hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD_LENGTH = 12
NAME_MAX = 120


class AccountError(ValueError):
    """A refused account change; ``errors`` maps each field of the account form to its message
    in French (``compte`` when it is about the account as a whole)."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"compte": errors}
        super().__init__(" ".join(self.errors.values()))


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    if len(password) > 256:
        return "Le mot de passe ne peut pas dépasser 256 caractères."
    return None


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_staff(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    roles: Iterable[Role],
    by: StaffUser | None = None,
    check_address: bool = True,
) -> StaffUser:
    """Create an account and its audit line (by ``by``, or the system), in one commit.

    Every rule of a new account is checked here, for the admin's form and the command alike,
    and all problems are raised at once: a valid e-mail address not in use, a name, a strong
    password, a role. ``check_address=False`` only for the demo's reserved ``.invalid`` ones.
    """
    email, display_name, roles = email.strip().lower(), display_name.strip(), set(roles)
    errors: dict[str, str] = {}
    if check_address and normalised_email(email) is None:
        errors["email"] = "Indiquez une adresse e-mail valable."
    elif session.exec(select(StaffUser).where(StaffUser.email == email)).first():
        errors["email"] = f"Un compte existe déjà pour {email}."
    if not display_name or len(display_name) > NAME_MAX:
        errors["nom"] = f"Indiquez un nom de 1 à {NAME_MAX} caractères."
    problem = password_problem(password)
    if problem:
        errors["mot_de_passe"] = problem
    if not roles:
        errors["roles"] = "Choisissez au moins un rôle."
    if errors:
        raise AccountError(errors)
    user = StaffUser(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        roles=",".join(sorted(set(roles))),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        action="account_created",
        staff=by,
        target=f"compte {user.id}",
        reason=user.roles.replace(",", ", "),
    )
    session.commit()
    session.refresh(user)
    return user


def change_password(
    session: Session, *, user: StaffUser, current: str, new: str, confirmation: str
) -> dict[str, str]:
    """Change ``user``'s password; ends their other sessions. Returns the errors, if any."""
    errors: dict[str, str] = {}
    if not verify_password(user.password_hash, current):
        errors["actuel"] = "Le mot de passe actuel n'est pas le bon."
    problem = password_problem(new)
    if problem:
        errors["nouveau"] = problem
    elif new != confirmation:
        errors["confirmation"] = "Les deux nouveaux mots de passe ne sont pas identiques."
    if errors:
        return errors
    user.password_hash = hash_password(new)
    session.add(user)
    end_other_sessions(session, user=user)
    return {}


def update_account(
    session: Session, *, account: StaffUser, roles: Iterable[Role], active: bool, by: StaffUser
) -> None:
    """Change an account's roles or deactivate it (which ends its sessions)."""
    roles = set(roles)
    if account.id == by.id and (Role.admin not in roles or not active):
        raise AccountError(
            "Vous ne pouvez ni retirer votre propre rôle d'administrateur ni désactiver votre "
            "propre compte : demandez-le à un autre administrateur."
        )
    if not roles:
        raise AccountError("Un compte doit avoir au moins un rôle.")
    if account.active and not active:
        end_other_sessions(session, user=account)
    account.roles = ",".join(sorted(roles))
    account.active = active
    session.add(account)


def all_accounts(session: Session) -> list[StaffUser]:
    return list(session.exec(select(StaffUser).order_by(StaffUser.display_name)).all())
