"""Visitors: browsers known by their signed cookie, and the contact they are proven to be.

Revision ID: 919ba3f2e82b
Revises: 4cc12f9ae841
Create Date: 2026-11-25 07:05:37.958046
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "919ba3f2e82b"
down_revision: str | None = "4cc12f9ae841"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visitor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("proof", sa.String(length=10), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "proof IS NULL OR proof IN ('self', 'link')", name=op.f("ck_visitor_proof")
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_visitor_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_visitor_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor")),
        sa.UniqueConstraint("workspace_id", "token", name=op.f("uq_visitor_workspace_id_token")),
    )
    with op.batch_alter_table("visitor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visitor_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visitor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitor_contact_id"))

    op.drop_table("visitor")
