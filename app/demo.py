"""Demonstration data for ``make run``: staff accounts and question threads to try the site."""

from __future__ import annotations

from collections.abc import Iterator

from sqlmodel import Session, select

from app.config import Settings
from app.questions.demo import seed_demo_threads
from app.staff.accounts import create_staff
from app.staff.models import Role, StaffUser

DEMO_PASSWORD = "demo-reperes-2026"  # noqa: S105 - development only; seed-demo refuses production
DEMO_STAFF = [
    ("admin@demo.invalid", "Admin démo", [Role.admin]),
    ("moderation@demo.invalid", "Modération démo", [Role.moderator]),
    ("pro@demo.invalid", "Conseillère démo", [Role.professional, Role.moderator]),
]


def seed_demo(session: Session, settings: Settings) -> Iterator[str]:
    """Create what is missing of the demo; safe to run again."""
    for email, name, roles in DEMO_STAFF:
        if session.exec(select(StaffUser).where(StaffUser.email == email)).first():
            continue
        # .invalid: reserved addresses that no e-mail can reach, refused to real accounts.
        create_staff(
            session,
            email=email,
            display_name=name,
            password=DEMO_PASSWORD,
            roles=roles,
            check_address=False,
        )
        yield f"Compte de démonstration : {email} / {DEMO_PASSWORD}"
    yield from seed_demo_threads(
        session,
        settings,
        moderator=_staff(session, "moderation@demo.invalid"),
        professional=_staff(session, "pro@demo.invalid"),
    )


def _staff(session: Session, email: str) -> StaffUser:
    return session.exec(select(StaffUser).where(StaffUser.email == email)).one()
