"""Booking: reps' calendars, busy times from feeds, meeting types, bookings and claims.

On PostgreSQL an exclusion constraint (btree_gist) forbids overlapping active
bookings of one rep; SQLite uses booking_claim rows instead (see app/models/booking.py).

Revision ID: 3031209f193c
Revises: ab059a1735b2
Create Date: 2026-11-25 09:38:59.938698
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3031209f193c"
down_revision: str | None = "ab059a1735b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "busy_time",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_busy_time_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_busy_time_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_busy_time")),
    )
    with op.batch_alter_table("busy_time", schema=None) as batch_op:
        batch_op.create_index("ix_busy_time_user_start", ["user_id", "start_at"], unique=False)

    op.create_table(
        "rep_calendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "weekly_hours",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "overrides",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("feed_url", sa.String(length=2000), nullable=True),
        sa.Column("feed_etag", sa.String(length=200), nullable=True),
        sa.Column("feed_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feed_error", sa.String(length=500), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_rep_calendar_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_rep_calendar_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rep_calendar")),
        sa.UniqueConstraint(
            "workspace_id", "user_id", name=op.f("uq_rep_calendar_workspace_id_user_id")
        ),
    )
    with op.batch_alter_table("rep_calendar", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rep_calendar_user_id"), ["user_id"], unique=False)

    op.create_table(
        "meeting_type",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer(), nullable=False),
        sa.Column("min_notice_minutes", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("slot_step_minutes", sa.Integer(), nullable=False),
        sa.Column("daily_cap", sa.Integer(), nullable=True),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_meeting_type_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_meeting_type_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_type")),
        sa.UniqueConstraint("team_id", "slug", name=op.f("uq_meeting_type_team_id_slug")),
    )
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("meeting_type_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("uid", sa.String(length=100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("attendee_email", sa.String(length=320), nullable=True),
        sa.Column("attendee_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.String(length=300), nullable=True),
        sa.CheckConstraint("status IN ('active', 'cancelled')", name=op.f("ck_booking_status")),
        sa.CheckConstraint("end_at > start_at", name=op.f("ck_booking_positive_length")),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_booking_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_booking_lead_id_lead"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_type_id"],
            ["meeting_type.id"],
            name=op.f("fk_booking_meeting_type_id_meeting_type"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rep_id"],
            ["user_account.id"],
            name=op.f("fk_booking_rep_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_booking_response_id_response"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_booking_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking")),
        sa.UniqueConstraint("uid", name=op.f("uq_booking_uid")),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_meeting_type_id"), ["meeting_type_id"], unique=False
        )
        batch_op.create_index("ix_booking_rep_start", ["rep_id", "start_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_response_id"), ["response_id"], unique=False)

    op.create_table(
        "booking_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("rep_id", sa.Integer(), nullable=False),
        sa.Column("cell_start", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["booking.id"],
            name=op.f("fk_booking_claim_booking_id_booking"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_claim")),
        sa.UniqueConstraint(
            "rep_id", "cell_start", name=op.f("uq_booking_claim_rep_id_cell_start")
        ),
    )
    with op.batch_alter_table("booking_claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_booking_claim_booking_id"), ["booking_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist "
            "(rep_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&) "
            "WHERE (status = 'active')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE booking DROP CONSTRAINT booking_no_overlap")
    with op.batch_alter_table("booking_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_claim_booking_id"))

    op.drop_table("booking_claim")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_response_id"))
        batch_op.drop_index("ix_booking_rep_start")
        batch_op.drop_index(batch_op.f("ix_booking_meeting_type_id"))

    op.drop_table("booking")
    op.drop_table("meeting_type")
    with op.batch_alter_table("rep_calendar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rep_calendar_user_id"))

    op.drop_table("rep_calendar")
    with op.batch_alter_table("busy_time", schema=None) as batch_op:
        batch_op.drop_index("ix_busy_time_user_start")

    op.drop_table("busy_time")
