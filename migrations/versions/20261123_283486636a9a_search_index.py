"""search index

Revision ID: 283486636a9a
Revises: b2e1be9007e9
Create Date: 2026-11-23 10:15:03.623662
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '283486636a9a'
down_revision: str | None = 'b2e1be9007e9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("heading", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index(op.f("ix_search_entry_kind"), "search_entry", ["kind"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        # French stems computed in Python (app/search/text.py) are indexed as plain words.
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "kind, title, heading, body, tokenize = 'unicode61 remove_diacritics 2')"
        )
        return
    # PostgreSQL: accents removed, then French stems; the tsvector is kept up to date by the
    # database itself. unaccent is a trusted extension: the database owner may create it.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    op.execute("CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = pg_catalog.french)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION fr_unaccent ALTER MAPPING FOR hword, hword_part, word "
        "WITH public.unaccent, french_stem"
    )
    op.execute(
        "ALTER TABLE search_entry ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('fr_unaccent', title), 'A') || "
        "setweight(to_tsvector('fr_unaccent', heading), 'B') || "
        "setweight(to_tsvector('fr_unaccent', body), 'D')) STORED"
    )
    op.execute("CREATE INDEX search_entry_tsv ON search_entry USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_fts")
    else:
        op.execute("DROP TEXT SEARCH CONFIGURATION fr_unaccent")
    op.drop_index(op.f("ix_search_entry_kind"), table_name="search_entry")
    op.drop_table("search_entry")
