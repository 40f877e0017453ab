"""The audit log: every moderation action, answer, login and failed login, append-only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.staff.models import AuditEntry, StaffUser

SYSTEM = "Système"
ASKER = "Demandeur"
VISITOR = "Visiteur"

ACTION_LABELS = {
    "login": "Connexion",
    "login_failed": "Connexion refusée",
    "logout": "Déconnexion",
    "sessions_ended": "Autres sessions fermées",
    "password_changed": "Mot de passe changé",
    "account_created": "Compte créé",
    "account_changed": "Compte modifié",
    "approve": "Publication",
    "reject": "Refus",
    "spam": "Indésirable",
    "edit": "Modification du texte",
    "hide": "Masquage",
    "republish": "Remise en ligne",
    "delete": "Suppression",
    "restore": "Restauration",
    "purge": "Effacement définitif",
    "answer": "Réponse",
    "claim": "Prise en charge",
    "digest_on": "Résumé quotidien activé",
    "digest_off": "Résumé quotidien désactivé",
    "canned_created": "Réponse type créée",
    "canned_changed": "Réponse type modifiée",
    "canned_retired": "Réponse type retirée",
    "canned_restored": "Réponse type proposée à nouveau",
    "release": "Question libérée",
    "report_kept": "Signalement écarté (message gardé)",
    "asker_reply": "Réponse du demandeur",
    "asker_delete": "Suppression par le demandeur",
    "close": "Fermeture du fil",
    "erase_email": "Effacement de l'e-mail",
}


def record(
    session: Session,
    *,
    action: str,
    staff: StaffUser | None = None,
    actor: str | None = None,
    target: str = "",
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
) -> AuditEntry:
    """Add a line to the log; it is saved with the caller's transaction."""
    entry = AuditEntry(
        staff_id=staff.id if staff else None,
        actor=(staff.display_name if staff else actor or SYSTEM)[:120],
        action=action,
        target=target[:80],
        from_state=from_state,
        to_state=to_state,
        reason=reason[:500] if reason else None,
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    pages: int
    total: int


def audit_page(session: Session, *, page: int, per_page: int = 50) -> AuditPage:
    """The log, newest first, one page at a time."""
    total = session.exec(select(func.count()).select_from(AuditEntry)).one()
    entries = session.exec(
        select(AuditEntry)
        .order_by(col(AuditEntry.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    pages = max(1, -(-total // per_page))
    return AuditPage(entries=list(entries), page=page, pages=pages, total=total)
