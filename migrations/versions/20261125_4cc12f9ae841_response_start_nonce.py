"""Response start nonce: a double-clicked first step starts one response.

Revision ID: 4cc12f9ae841
Revises: 45448845e929
Create Date: 2026-11-25 06:53:49.743005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4cc12f9ae841"
down_revision: str | None = "45448845e929"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_nonce", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_response_start_nonce"), ["start_nonce"])


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_response_start_nonce"), type_="unique")
        batch_op.drop_column("start_nonce")
