"""Staff accounts: who may moderate, answer, or manage the accounts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class Role(StrEnum):
    admin = "admin"
    moderator = "moderator"
    professional = "professional"


ROLE_LABELS = {
    Role.admin: "Administrateur (gère les comptes)",
    Role.moderator: "Modérateur (publie, refuse, corrige)",
    Role.professional: "Professionnel (répond aux questions)",
}


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    roles: str = Field(default="", max_length=100)
    active: bool = Field(default=True)
    # The daily e-mail of what waits (app/questions/digest.py): on unless switched off.
    digest_enabled: bool = Field(default=True)
    digest_sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles.split(",") if r)

    def has_role(self, role: Role) -> bool:
        return role in self.role_set


class AuditEntry(SQLModel, table=True):
    """One line of the audit log: who did what, from which state to which, why, and when.

    Append-only: ``app.staff.audit.record`` adds lines; no function changes or deletes them.
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    # The name at the time ("Demandeur", "Système" or a staff member's name).
    actor: str = Field(max_length=120)
    action: str = Field(max_length=40)
    target: str = Field(default="", max_length=80)
    from_state: str | None = Field(default=None, max_length=20)
    to_state: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=500)


class StaffSession(SQLModel, table=True):
    """One signed-in browser. The cookie holds a random key; the table keeps only its hash, so
    that reading the table gives no usable cookie. Ending a session is a row update that every
    worker and machine sees on the next request."""

    __tablename__ = "staff_session"

    key_hash: str = Field(primary_key=True, max_length=64)
    staff_id: int = Field(foreign_key="staff_user.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ended_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
