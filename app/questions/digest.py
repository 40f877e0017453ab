"""The daily e-mail of each staff member: what waits on their roles and what is late.

Sent by ``python -m app staff-digest`` (and by ``python -m app maintenance``): at most one a day
per person, only when something waits, never to someone who switched it off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlmodel import Session, col, select

from app.config import Settings
from app.db import utcnow
from app.mail import queue_mail
from app.questions import workqueue
from app.questions.reading import excerpt
from app.staff.models import Role, StaffUser

MIN_INTERVAL = dt.timedelta(hours=20)  # run twice the same day: one e-mail
SHOWN = 15

PathFor = Callable[..., str]


def digest_text(
    settings: Settings,
    *,
    staff: StaffUser,
    queue: workqueue.WorkQueue,
    url: Callable[[str, dict[str, object]], str],
) -> tuple[str, str]:
    """(subject, body) of ``staff``'s digest for ``queue``."""
    late = [item for item in queue.items if item.late]
    subject = f"{queue.total} élément{'s' if queue.total > 1 else ''} en attente"
    if late:
        subject += f", dont {len(late)} en retard"
    lines = [
        f"Bonjour {staff.display_name},",
        "",
        f"{queue.total} élément{'s' if queue.total > 1 else ''} attend"
        f"{'ent' if queue.total > 1 else ''} l'équipe sur {settings.site_name}.",
    ]
    if late:
        lines.append(
            f"{len(late)} d'entre eux ont dépassé le délai habituel de "
            f"{settings.usual_answer_days} jours ouvrables."
        )
    lines += ["", "Les plus anciens :", ""]
    for item in queue.items[:SHOWN]:
        age = f"{item.age_days} jour{'s' if item.age_days > 1 else ''} ouvrable"
        age += "s" if item.age_days > 1 else ""
        state = f"EN RETARD, {age}" if item.late else age
        taken = f" ; {item.claimed_by} s'en occupe" if item.claimed_by else ""
        lines.append(f"- {workqueue.KIND_LABELS[item.kind]} ({state}{taken})")
        lines.append(f"  {item.author} : « {excerpt(item.message.body, 90)} »")
        lines.append(f"  {url('staff_thread', {'thread_id': item.thread.id})}")
    lines += [
        "",
        f"Ouvrir la file de travail : {url('staff_home', {})}",
        "",
        "Vous recevez ce résumé parce qu'il est activé pour votre compte. Pour ne plus le "
        f"recevoir : {url('staff_digest', {})}",
    ]
    return subject, "\n".join(lines) + "\n"


def send_digests(
    session: Session,
    *,
    settings: Settings,
    path_for: PathFor,
    now: dt.datetime | None = None,
) -> int:
    """Queue today's digest for each active staff member who wants it; returns how many."""
    now = now or utcnow()
    base = settings.base_url.rstrip("/")

    def url(name: str, params: dict[str, object]) -> str:
        return base + str(path_for(name, **params))

    users = session.exec(
        select(StaffUser)
        .where(col(StaffUser.active).is_(True))
        .where(col(StaffUser.digest_enabled).is_(True))
        .order_by(col(StaffUser.id))
    ).all()
    sent = 0
    for user in users:
        if not user.role_set & {Role.moderator, Role.professional}:
            continue
        if user.digest_sent_at is not None and now - user.digest_sent_at < MIN_INTERVAL:
            continue
        queue = workqueue.work_queue(session, settings=settings, staff=user, now=now)
        if not queue.items:
            continue
        subject, body = digest_text(settings, staff=user, queue=queue, url=url)
        queue_mail(session, recipient=user.email, subject=subject, body=body)
        user.digest_sent_at = now
        session.add(user)
        session.commit()
        sent += 1
    return sent
