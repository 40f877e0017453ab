"""message reports ("Signaler ce message")

Revision ID: 7a2d4e9c1b65
Revises: 3d9a5c7e2f18
Create Date: 2026-12-03 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a2d4e9c1b65"
down_revision: str | None = "3d9a5c7e2f18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "question_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["question_message.id"]),
        sa.ForeignKeyConstraint(["resolved_by"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question_report") as batch:
        batch.create_index("ix_question_report_message_id", ["message_id"], unique=False)
        batch.create_index("ix_question_report_resolved_at", ["resolved_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("question_report") as batch:
        batch.drop_index("ix_question_report_resolved_at")
        batch.drop_index("ix_question_report_message_id")
    op.drop_table("question_report")
