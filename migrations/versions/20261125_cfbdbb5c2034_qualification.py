"""Qualification: scoring models, leads and their history, teams, signals, outbox.

Revision ID: cfbdbb5c2034
Revises: 919ba3f2e82b
Create Date: 2026-11-25 07:14:26.911972
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "cfbdbb5c2034"
down_revision: str | None = "919ba3f2e82b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_owner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("company_domain", sa.String(length=253), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_account_owner_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_account_owner_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_owner")),
        sa.UniqueConstraint(
            "workspace_id",
            "company_domain",
            name=op.f("uq_account_owner_workspace_id_company_domain"),
        ),
    )
    op.create_table(
        "scoring_model",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "model",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_scoring_model_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_model")),
        sa.UniqueConstraint(
            "workspace_id", "number", name=op.f("uq_scoring_model_workspace_id_number")
        ),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "territories",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("fallback_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fallback_user_id"],
            ["user_account.id"],
            name=op.f("fk_team_fallback_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_team_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("workspace_id", "slug", name=op.f("uq_team_workspace_id_slug")),
    )
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_outbox_event_contact_id_contact"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_outbox_event_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_event_id")),
    )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_event_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            "ix_outbox_event_workspace_created", ["workspace_id", "created_at"], unique=False
        )

    op.create_table(
        "signal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("visitor_token", sa.String(length=64), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_signal_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_signal_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal")),
    )
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.create_index(
            "ix_signal_contact", ["workspace_id", "contact_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_signal_visitor", ["workspace_id", "visitor_token", "occurred_at"], unique=False
        )

    op.create_table(
        "team_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("calibration", sa.Float(), nullable=False),
        sa.Column("meetings_assigned", sa.Integer(), nullable=False),
        sa.Column("no_shows", sa.Integer(), nullable=False),
        sa.Column("cancellations", sa.Integer(), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=True),
        sa.Column("load_day", sa.Date(), nullable=True),
        sa.Column("assigned_on_load_day", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_team_member_team_id_team"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_team_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_member")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_team_member_team_id_user_id")),
    )
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("fit", sa.Float(), nullable=False),
        sa.Column("intent", sa.Float(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("scoring_model_id", sa.Integer(), nullable=True),
        sa.Column("last_response_id", sa.Integer(), nullable=True),
        sa.Column(
            "destination",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("assignment_reason", sa.String(length=300), nullable=False),
        sa.Column("nurture_track", sa.String(length=63), nullable=True),
        sa.Column("disposition", sa.String(length=40), nullable=True),
        sa.Column("stage_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "stage IN ('lead', 'mql', 'sql', 'disqualified', 'recycled')",
            name=op.f("ck_lead_stage"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contact.id"],
            name=op.f("fk_lead_contact_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["last_response_id"],
            ["response.id"],
            name=op.f("fk_lead_last_response_id_response"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_lead_owner_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scoring_model_id"],
            ["scoring_model.id"],
            name=op.f("fk_lead_scoring_model_id_scoring_model"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_lead_team_id_team"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_lead_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_lead_contact_id")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lead_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_lead_workspace_stage", ["workspace_id", "stage"], unique=False)

    op.create_table(
        "lead_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("from_stage", sa.String(length=20), nullable=True),
        sa.Column("to_stage", sa.String(length=20), nullable=True),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("cause_id", sa.Integer(), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["lead.id"], name=op.f("fk_lead_event_lead_id_lead"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_lead_event_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_event")),
    )
    with op.batch_alter_table("lead_event", schema=None) as batch_op:
        batch_op.create_index("ix_lead_event_lead", ["lead_id", "at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lead_event_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("lead_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lead_event_workspace_id"))
        batch_op.drop_index("ix_lead_event_lead")

    op.drop_table("lead_event")
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_workspace_stage")
        batch_op.drop_index(batch_op.f("ix_lead_owner_id"))

    op.drop_table("lead")
    with op.batch_alter_table("team_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_member_user_id"))

    op.drop_table("team_member")
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.drop_index("ix_signal_visitor")
        batch_op.drop_index("ix_signal_contact")

    op.drop_table("signal")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_event_workspace_created")
        batch_op.drop_index(batch_op.f("ix_outbox_event_contact_id"))

    op.drop_table("outbox_event")
    op.drop_table("team")
    op.drop_table("scoring_model")
    op.drop_table("account_owner")
