"""Sales inbox, SLA, analytics, A/B tests and API tokens.

Leads gain dispositions, milestones, attribution and an SLA clock; responses their
source, campaign and variant; new tables count form views and steps reached, hold
experiments and the API's hashed tokens; teams name a lead for escalations.

Revision ID: 7375f2beb9a9
Revises: 5c9e0ff3a60e
Create Date: 2026-12-02 07:07:45.449013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "7375f2beb9a9"
down_revision: str | None = "5c9e0ff3a60e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_api_token_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_api_token_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_token_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "experiment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version_a_id", sa.Integer(), nullable=False),
        sa.Column("version_b_id", sa.Integer(), nullable=False),
        sa.Column("split_b", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('running', 'stopped')", name=op.f("ck_experiment_status")),
        sa.CheckConstraint("split_b >= 0 AND split_b <= 100", name=op.f("ck_experiment_split_b")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_experiment_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["form_id"], ["form.id"], name=op.f("fk_experiment_form_id_form"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_a_id"],
            ["form_version.id"],
            name=op.f("fk_experiment_version_a_id_form_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_b_id"],
            ["form_version.id"],
            name=op.f("fk_experiment_version_b_id_form_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_experiment_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiment")),
    )
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_experiment_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(
            "uq_experiment_running_form",
            ["form_id"],
            unique=True,
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )

    op.create_table(
        "form_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["form.id"], name=op.f("fk_form_view_form_id_form"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["form_version.id"],
            name=op.f("fk_form_view_version_id_form_version"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_form_view_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_view")),
        sa.UniqueConstraint("version_id", "day", name=op.f("uq_form_view_version_id_day")),
    )
    with op.batch_alter_table("form_view", schema=None) as batch_op:
        batch_op.create_index("ix_form_view_form_day", ["form_id", "day"], unique=False)

    op.create_table(
        "response_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=63), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"], ["form.id"], name=op.f("fk_response_step_form_id_form"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_response_step_response_id_response"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["form_version.id"],
            name=op.f("fk_response_step_version_id_form_version"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_response_step_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_step")),
        sa.UniqueConstraint(
            "response_id", "step_id", name=op.f("uq_response_step_response_id_step_id")
        ),
    )
    with op.batch_alter_table("response_step", schema=None) as batch_op:
        batch_op.create_index("ix_response_step_form_at", ["form_id", "at"], unique=False)

    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disposition_note", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("disposed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("nurture_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("origin_response_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("origin_form_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("origin_version_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("campaign", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("mql_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sql_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("first_touch_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("first_touch_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sla_stage", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("sla_started_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("sla_escalated_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_lead_sla_due", ["sla_due_at"], unique=False)
        batch_op.create_index(
            "ix_lead_workspace_created", ["workspace_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_lead_workspace_origin_form", ["workspace_id", "origin_form_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_lead_origin_form_id_form"),
            "form",
            ["origin_form_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_lead_first_touch_by_id_user_account"),
            "user_account",
            ["first_touch_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_lead_origin_response_id_response"),
            "response",
            ["origin_response_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_lead_origin_version_id_form_version"),
            "form_version",
            ["origin_version_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_lead_outcome"), "outcome IS NULL OR outcome IN ('won', 'lost')"
        )

    with op.batch_alter_table("lead_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_lead_event_user_id_user_account"),
            "user_account",
            ["user_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("campaign", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("experiment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("variant", sa.String(length=1), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_response_experiment_id"), ["experiment_id"], unique=False
        )
        batch_op.create_index("ix_response_form_started", ["form_id", "started_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_response_experiment_id_experiment"),
            "experiment",
            ["experiment_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_response_variant"), "variant IS NULL OR variant IN ('a', 'b')"
        )

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_team_lead_user_id_user_account"),
            "user_account",
            ["lead_user_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_team_lead_user_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("lead_user_id")

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_response_variant"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_response_experiment_id_experiment"), type_="foreignkey"
        )
        batch_op.drop_index("ix_response_form_started")
        batch_op.drop_index(batch_op.f("ix_response_experiment_id"))
        batch_op.drop_column("variant")
        batch_op.drop_column("experiment_id")
        batch_op.drop_column("campaign")
        batch_op.drop_column("source")

    with op.batch_alter_table("lead_event", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_lead_event_user_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("user_id")

    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_lead_outcome"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_lead_origin_version_id_form_version"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_lead_origin_response_id_response"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_lead_first_touch_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_lead_origin_form_id_form"), type_="foreignkey")
        batch_op.drop_index("ix_lead_workspace_origin_form")
        batch_op.drop_index("ix_lead_workspace_created")
        batch_op.drop_index("ix_lead_sla_due")
        batch_op.drop_column("sla_escalated_at")
        batch_op.drop_column("sla_due_at")
        batch_op.drop_column("sla_started_at")
        batch_op.drop_column("sla_stage")
        batch_op.drop_column("first_touch_by_id")
        batch_op.drop_column("first_touch_at")
        batch_op.drop_column("outcome_at")
        batch_op.drop_column("outcome")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("booked_at")
        batch_op.drop_column("sql_at")
        batch_op.drop_column("mql_at")
        batch_op.drop_column("campaign")
        batch_op.drop_column("source")
        batch_op.drop_column("origin_version_id")
        batch_op.drop_column("origin_form_id")
        batch_op.drop_column("origin_response_id")
        batch_op.drop_column("archived_at")
        batch_op.drop_column("nurture_until")
        batch_op.drop_column("disposed_at")
        batch_op.drop_column("disposition_note")

    with op.batch_alter_table("response_step", schema=None) as batch_op:
        batch_op.drop_index("ix_response_step_form_at")

    op.drop_table("response_step")
    with op.batch_alter_table("form_view", schema=None) as batch_op:
        batch_op.drop_index("ix_form_view_form_day")

    op.drop_table("form_view")
    with op.batch_alter_table("experiment", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_experiment_running_form",
            sqlite_where=sa.text("status = 'running'"),
            postgresql_where=sa.text("status = 'running'"),
        )
        batch_op.drop_index(batch_op.f("ix_experiment_workspace_id"))

    op.drop_table("experiment")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_workspace_id"))

    op.drop_table("api_token")
