"""What every staff page shares: never cached nor indexed, knows who is signed in, and the
"done" notice shown after a redirect (``?fait=…``)."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.questions.models import MESSAGE_STATE_LABELS, THREAD_STATE_LABELS
from app.staff.models import ROLE_LABELS, Role, StaffUser
from app.templating import render

STAFF_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
DONE = {
    "approve": "Message publié.",
    "reject": "Message refusé ; la personne a reçu la raison et son texte.",
    "spam": "Message classé indésirable.",
    "hide": "Message masqué.",
    "republish": "Message remis en ligne.",
    "delete": "Message supprimé (restaurable).",
    "restore": "Message restauré.",
    "edit": "Texte modifié ; l'original est gardé dans l'historique.",
    "answer": "Réponse publiée ; la personne est prévenue par e-mail.",
    "answer_next": "Réponse publiée ; la personne est prévenue par e-mail. Voici la suivante.",
    "answer_last": "Réponse publiée ; la personne est prévenue par e-mail. Rien d'autre n'attend.",
    "take": "Vous vous occupez de cette question : vos collègues le voient.",
    "release": "La question est libérée.",
    "report_removed": "Message retiré des pages publiques (masqué ; il peut être remis en ligne "
    "depuis sa page). Ses signalements sont réglés.",
    "report_kept": "Message gardé en ligne ; ses signalements sont écartés.",
    "digest": "Votre choix pour le résumé quotidien est enregistré.",
    "canned": "Réponse type enregistrée.",
    "canned_retire": "Réponse type retirée ou proposée à nouveau, selon le cas.",
    "password": "Mot de passe changé. Vos autres sessions sont fermées.",
    "sessions": "Vos autres sessions sont fermées : seul ce navigateur reste connecté.",
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
    """303 to the route ``name``, with the notice ``done`` shown there."""
    target = str(request.app.url_path_for(name, **params))
    if done:
        target += f"?fait={done}"
    return RedirectResponse(target, status_code=303)
