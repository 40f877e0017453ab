"""dashboard: indexes for its aggregates (questions of a period, first answers, answers of a period)

Revision ID: 7d2c4b9e1a05
Revises: 7a2d4e9c1b65
Create Date: 2026-12-03 08:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7d2c4b9e1a05"
down_revision: str | None = "7a2d4e9c1b65"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Each covers its query: the database reads the index, not the rows (see app/questions/dashboard.py).
INDEXES = {
    # the questions asked in a period (a question has no parent)
    "ix_question_message_questions": ["parent_id", "created_at", "state", "thread_id"],
    # a thread's first published answer and who wrote it
    "ix_question_message_thread_answers": ["thread_id", "author", "published_at", "staff_id"],
    # the answers published in a period, per professional
    "ix_question_message_published": ["author", "published_at", "staff_id", "thread_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "question_message", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="question_message")
