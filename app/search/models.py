"""What search reads: one row per fiche section and per published message.

The full-text structures beside this table depend on the database and are made by the
migration: a FTS5 table ``search_fts`` fed with French stems on SQLite; a generated ``tsv``
column with the ``fr_unaccent`` configuration and a GIN index on PostgreSQL.
"""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Field, SQLModel


class EntryKind(StrEnum):
    fiche = "fiche"
    question = "question"


class SearchEntry(SQLModel, table=True):
    __tablename__ = "search_entry"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)  # an EntryKind value
    # "fiche:<slug>#<anchor>" or "message:<id>": what the entry stands for, unique.
    key: str = Field(max_length=300, unique=True)
    url: str = Field(max_length=300)
    title: str = Field(max_length=300)
    heading: str = Field(default="", max_length=300)
    body: str
