"""Canned replies ("réponses types") and the placeholders of an answer.

A canned reply is a title and a Markdown text that a professional inserts into an answer. Its
placeholders stay in the answer until it is published, and are filled then, so that what the
young person reads is true on the day it is published:

- ``{pseudo}``: the asker's pseudonym;
- ``{montant:ris.isole}``: the amount of a category of a scale of ``montants.yaml`` in force
  on the day of publication (with the note of a pending indexation, as the fiches say it);
- ``{depuis:ris}``: the day that amount took effect;
- ``{fiche:slug}``: a link to the fiche, named by its title.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlmodel import Session, col, select

from app.amounts import Amounts, load_amounts
from app.config import Settings
from app.db import utcnow
from app.questions.errors import RefusedError
from app.questions.fiches import fiche_title
from app.questions.forms import clean
from app.questions.models import ANSWER_MAX, CannedReply
from app.staff import audit
from app.staff.models import StaffUser
from app.templating import BELGIUM, date_fr, euros

TITLE_MAX = 120
PLACEHOLDER = re.compile(r"\{(pseudo|montant:[^{}\s]*|depuis:[^{}\s]*|fiche:[^{}\s]*)\}")


@dataclass(frozen=True)
class Context:
    """What the placeholders are filled from."""

    pseudo: str
    amounts: Amounts | None
    day: dt.date
    fiche_path: Callable[[str], str]
    settings: Settings


@lru_cache(maxsize=4)
def _amounts(path: Path, _mtime: float) -> Amounts | None:
    return load_amounts(path.parent)[0]


def site_amounts(settings: Settings) -> Amounts | None:
    """``montants.yaml`` as it is now (read again when the file changes)."""
    path = settings.content_dir / "montants.yaml"
    return _amounts(path, path.stat().st_mtime) if path.exists() else None


def publication_day(moment: dt.datetime | None = None) -> dt.date:
    return (moment or utcnow()).astimezone(BELGIUM).date()


def _value(name: str, context: Context) -> str | None:
    """The text of one placeholder, or None when it names nothing known."""
    if name == "pseudo":
        return context.pseudo
    kind, _, argument = name.partition(":")
    if kind == "fiche":
        title = fiche_title(context.settings, argument)
        if title is None:
            return None
        label = title.replace("[", "\\[").replace("]", "\\]")
        return f"[{label}]({context.fiche_path(argument)})"
    if context.amounts is None:
        return None
    scale_name, _, category = argument.partition(".")
    scale = context.amounts.baremes.get(scale_name)
    if scale is None:
        return None
    try:
        period = scale.on(context.day)
    except LookupError:
        return None
    if kind == "depuis":
        return None if category else date_fr(period.depuis)
    amount = period.montants.get(category)
    if amount is None:
        return None
    text = euros(amount)
    pending = context.amounts.pending_indexation(scale_name, context.day)
    if pending is not None:
        text += f" ({pending.short_notice(period.depuis)})"
    return text


def unknown_placeholders(text: str, context: Context) -> list[str]:
    """The placeholders of ``text`` that name no pseudonym, amount or fiche."""
    return [m.group() for m in PLACEHOLDER.finditer(text) if _value(m.group(1), context) is None]


def fill(text: str, context: Context) -> str:
    """``text`` with each known placeholder replaced by its value on ``context.day``."""

    def replace(match: re.Match[str]) -> str:
        value = _value(match.group(1), context)
        return match.group() if value is None else value

    return PLACEHOLDER.sub(replace, text)


def placeholder_problem(text: str, context: Context) -> str | None:
    unknown = unknown_placeholders(text, context)
    if not unknown:
        return None
    return (
        f"Ces champs à remplir ne correspondent à rien de connu : {', '.join(unknown)}. "
        "Vérifiez le nom du barème, de la catégorie ou de la fiche (voir la liste des champs)."
    )


# --- The canned replies themselves --------------------------------------------------------------


def active(session: Session) -> list[CannedReply]:
    return list(
        session.exec(
            select(CannedReply)
            .where(col(CannedReply.retired_at).is_(None))
            .order_by(col(CannedReply.title))
        ).all()
    )


def every(session: Session) -> list[CannedReply]:
    return list(
        session.exec(
            select(CannedReply).order_by(
                col(CannedReply.retired_at).is_not(None), col(CannedReply.title)
            )
        ).all()
    )


def problems(title: str, body: str, context: Context) -> dict[str, str]:
    """Each field's problem: both filled, lengths, placeholders that name something."""
    errors: dict[str, str] = {}
    if not title:
        errors["titre"] = "Donnez un titre à la réponse type."
    elif len(title) > TITLE_MAX:
        errors["titre"] = f"Le titre ne peut pas dépasser {TITLE_MAX} caractères."
    if not body:
        errors["texte"] = "Écrivez le texte de la réponse type."
    elif len(body) > ANSWER_MAX:
        errors["texte"] = f"Le texte ne peut pas dépasser {ANSWER_MAX} caractères."
    else:
        problem = placeholder_problem(body, context)
        if problem:
            errors["texte"] = problem
    return errors


def save(
    session: Session,
    *,
    reply: CannedReply | None,
    title: str,
    body: str,
    context: Context,
    staff: StaffUser,
) -> CannedReply:
    """Create (``reply`` None) or change a canned reply, with its audit line, in one commit."""
    title, body = clean(title), clean(body)
    errors = problems(title, body, context)
    if errors:
        raise RefusedError(errors)
    now = utcnow()
    created = reply is None
    if reply is None:
        reply = CannedReply(title=title, body=body, created_at=now, updated_at=now)
    else:
        reply.title, reply.body, reply.updated_at = title, body, now
    session.add(reply)
    session.flush()
    audit.record(
        session,
        action="canned_created" if created else "canned_changed",
        staff=staff,
        target=f"réponse type {reply.id}",
        reason=title,
    )
    session.commit()
    session.refresh(reply)
    return reply


def retire(session: Session, *, reply: CannedReply, staff: StaffUser) -> None:
    """No longer offered in the answer form (kept, and can be brought back)."""
    back = reply.retired_at is not None
    reply.retired_at = None if back else utcnow()
    session.add(reply)
    audit.record(
        session,
        action="canned_restored" if back else "canned_retired",
        staff=staff,
        target=f"réponse type {reply.id}",
        reason=reply.title,
    )
    session.commit()


def placeholder_help(amounts: Amounts | None) -> list[tuple[str, str]]:
    """(placeholder, what it becomes) for the page that explains them."""
    rows = [
        ("{pseudo}", "le pseudo de la personne"),
        ("{fiche:etudiant-cpas}", "un lien vers la fiche, nommé par son titre"),
    ]
    for name, scale in amounts.baremes.items() if amounts else []:
        rows.append((f"{{depuis:{name}}}", f"{scale.titre} : date des montants en vigueur"))
        for category, label in scale.categories.items():
            rows.append((f"{{montant:{name}.{category}}}", f"{scale.titre}, {label}"))
    return rows
