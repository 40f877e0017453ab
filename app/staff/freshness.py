"""``/staff/fraicheur``: what may be out of date, for every signed-in staff member.

The logic is in ``app.fiches.freshness``; this module reads the published answers and renders.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.amounts import load_amounts
from app.db import SessionDep
from app.fiches.changes import french, questionnaire_data
from app.fiches.freshness import (
    Answer,
    behind_changes,
    outdated_amounts,
    past_review,
    questionnaire_behind,
    stale_answer,
    stale_scales,
)
from app.fiches.routes import LibraryDep
from app.questions.models import Author, Message, MessageRevision, MessageState, Thread
from app.staff.auth import require_staff
from app.staff.models import Role
from app.templating import BELGIUM, render

router = APIRouter(prefix="/staff", dependencies=[Depends(require_staff)], include_in_schema=False)


def belgian_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BELGIUM).date()


def published_answers(session: Session) -> list[Answer]:
    """Every published answer of the team, with the day it was last written (edits count)."""
    last_edit = (
        select(MessageRevision.message_id, func.max(MessageRevision.created_at).label("edited"))
        .group_by(col(MessageRevision.message_id))
        .subquery()
    )
    rows = session.exec(
        select(Message, Thread.fiche_slug, last_edit.c.edited)
        .join(Thread, col(Thread.id) == col(Message.thread_id))
        .outerjoin(last_edit, last_edit.c.message_id == col(Message.id))
        .where(Message.author == Author.professional, Message.state == MessageState.published)
        .order_by(col(Message.id))
    ).all()
    answers = []
    for message, fiche_slug, edited in rows:
        moments = [message.published_at or message.created_at, edited]
        written = max(belgian_day(moment) for moment in moments if moment is not None)
        assert message.id is not None
        answers.append(Answer(message.id, message.thread_id, fiche_slug, message.body, written))
    return answers


@router.get("/fraicheur", name="staff_freshness")
def freshness_page(request: Request, session: SessionDep, library: LibraryDep) -> Response:
    day = library.rendered_on
    content_dir = request.app.state.settings.content_dir
    amounts, _problems = load_amounts(content_dir)
    metas = {slug: fiche.meta for slug, fiche in library.fiches.items()}
    outdated = outdated_amounts(amounts, library.changes, day=day)
    answers = [
        found
        for answer in published_answers(session)
        if (found := stale_answer(answer, outdated=outdated, changes=library.changes, fiches=metas))
    ]
    context = {
        "staff": request.state.staff,
        "Role": Role,
        "done": None,
        "day": day,
        "fiches": library.fiches,
        "past_review": past_review(metas.values(), day=day),
        "behind": behind_changes(metas.values(), library.changes),
        "parts": questionnaire_behind(library.changes, questionnaire_data(content_dir), day=day),
        "scales": stale_scales(amounts, library.changes, day=day),
        "answers": answers,
        "announced": library.changes.announced,
        "fr": french,
    }
    response = render(request, "staff/freshness.html", context)
    response.headers.update({"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})
    return response
