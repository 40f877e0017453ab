"""threads: when a professional first answered, and who (the dashboard's time to first answer)

Revision ID: 9b3e6f2a4c18
Revises: 7d2c4b9e1a05
Create Date: 2026-12-03 08:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b3e6f2a4c18"
down_revision: str | None = "7d2c4b9e1a05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same rule as threads.refresh_thread: a professional's message that was ever published.
BACKFILL = """
UPDATE question_thread SET
    first_answer_at = (
        SELECT MIN(m.published_at) FROM question_message m
        WHERE m.thread_id = question_thread.id AND m.author = 'professional'
          AND m.published_at IS NOT NULL),
    first_answer_by = (
        SELECT m.staff_id FROM question_message m
        WHERE m.thread_id = question_thread.id AND m.author = 'professional'
          AND m.published_at IS NOT NULL
        ORDER BY m.published_at, m.id LIMIT 1)
"""


def upgrade() -> None:
    with op.batch_alter_table("question_thread") as batch:
        batch.add_column(sa.Column("first_answer_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("first_answer_by", sa.Integer(), nullable=True))
        batch.create_index("ix_question_thread_first_answer_at", ["first_answer_at"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("question_thread") as batch:
        batch.drop_index("ix_question_thread_first_answer_at")
        batch.drop_column("first_answer_by")
        batch.drop_column("first_answer_at")
