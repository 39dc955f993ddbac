"""Analytics: covering indexes for the funnel's cohort join.

The funnel joins the steps got past (response_step) to the responses started in the
range; with these columns in the indexes PostgreSQL answers both sides from the
indexes alone (index-only scans). bench/analytics.py measured the need at 1 M
responses. The included columns never change after insert, so updates of a response
stay HOT. SQLite has no INCLUDE: there the indexes keep their key columns only.

Revision ID: a1c3e5f7b9d2
Revises: 7375f2beb9a9
Create Date: 2026-12-03 08:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a1c3e5f7b9d2"
down_revision: str | None = "7375f2beb9a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_form_started")
        batch_op.create_index("ix_response_form_started", ["form_id", "started_at"],
                              unique=False, postgresql_include=["id", "version_id"])
    with op.batch_alter_table("response_step", schema=None) as batch_op:
        batch_op.drop_index("ix_response_step_form_at")
        batch_op.create_index("ix_response_step_form_at", ["form_id", "at"], unique=False,
                              postgresql_include=["response_id", "version_id", "step_id"])


def downgrade() -> None:
    with op.batch_alter_table("response_step", schema=None) as batch_op:
        batch_op.drop_index("ix_response_step_form_at")
        batch_op.create_index("ix_response_step_form_at", ["form_id", "at"], unique=False)
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_form_started")
        batch_op.create_index("ix_response_form_started", ["form_id", "started_at"],
                              unique=False)
