"""Draft revisions: the draft before each editor change, for undo and the change log.

Revision ID: aea88dfea316
Revises: 3031209f193c
Create Date: 2026-11-25 11:43:56.099202
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "aea88dfea316"
down_revision: str | None = "3031209f193c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("before", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                  nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["form_id"], ["form.id"],
                                name=op.f("fk_draft_revision_form_id_form"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_draft_revision_user_id_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"],
                                name=op.f("fk_draft_revision_workspace_id_workspace"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_revision")),
    )
    op.create_index(op.f("ix_draft_revision_form_id"), "draft_revision", ["form_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_draft_revision_form_id"), table_name="draft_revision")
    op.drop_table("draft_revision")
