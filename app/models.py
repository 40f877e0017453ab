"""Every table of the site, imported in one place so Alembic and the tests see them all."""

from sqlmodel import SQLModel

from app.mail import OutgoingMail
from app.questions.models import Message, MessageRevision, PublicChange, Thread
from app.ratelimit import RateCounter
from app.search.models import SearchEntry
from app.staff.models import AuditEntry, StaffUser

metadata = SQLModel.metadata

# Made by the search migration for one database only, so absent from the models on purpose.
DATABASE_SPECIFIC = {"search_fts", "search_entry_tsv", "tsv", "fr_unaccent"}


def include_name(name: str | None, type_: str, _parents: dict[str, str | None]) -> bool:
    """Alembic's filter: leave the search engine's own tables, columns and indexes alone."""
    if name is None:
        return True
    return not (name in DATABASE_SPECIFIC or (type_ == "table" and name.startswith("search_fts")))


__all__ = [
    "AuditEntry",
    "Message",
    "MessageRevision",
    "OutgoingMail",
    "PublicChange",
    "RateCounter",
    "SearchEntry",
    "StaffUser",
    "Thread",
    "include_name",
    "metadata",
]
