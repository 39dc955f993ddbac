"""Invitations: join a workspace with a role, by a one-week link whose token is stored hashed.

Revision ID: 5c9e0ff3a60e
Revises: aea88dfea316
Create Date: 2026-11-25 11:48:36.238490
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c9e0ff3a60e"
down_revision: str | None = "aea88dfea316"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'marketer', 'sales')",
                           name=op.f("ck_invitation_role")),
        sa.ForeignKeyConstraint(["invited_by_id"], ["user_account.id"],
                                name=op.f("fk_invitation_invited_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspace.id"],
                                name=op.f("fk_invitation_workspace_id_workspace"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    op.create_index(op.f("ix_invitation_workspace_id"), "invitation", ["workspace_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_invitation_workspace_id"), table_name="invitation")
    op.drop_table("invitation")
