"""work queue: when a thread started waiting, and who took it

Revision ID: 5c1a7e0b9d21
Revises: 5e1f0c3a9b7d
Create Date: 2026-12-02 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "5c1a7e0b9d21"
down_revision: str | None = "5e1f0c3a9b7d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The oldest published message of the asker that no published answer follows.
BACKFILL = """
UPDATE question_thread SET waiting_since = (
    SELECT MIN(m.created_at) FROM question_message m
    WHERE m.thread_id = question_thread.id AND m.author = 'asker' AND m.state = 'published'
      AND NOT EXISTS (
          SELECT 1 FROM question_message p
          WHERE p.thread_id = m.thread_id AND p.author = 'professional'
            AND p.state = 'published' AND p.created_at >= m.created_at)
)
WHERE state = 'awaiting_answer' AND is_public
"""


def upgrade() -> None:
    with op.batch_alter_table("question_thread") as batch:
        batch.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_question_thread_waiting_since", ["waiting_since"], unique=False)
    op.create_table(
        "question_claim",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["thread_id"], ["question_thread.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("thread_id"),
    )
    op.create_index("ix_question_claim_staff_id", "question_claim", ["staff_id"], unique=False)
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index("ix_question_claim_staff_id", table_name="question_claim")
    op.drop_table("question_claim")
    with op.batch_alter_table("question_thread") as batch:
        batch.drop_index("ix_question_thread_waiting_since")
        batch.drop_column("waiting_since")
