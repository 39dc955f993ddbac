"""Analytics: daily rollups of responses, steps and leads, backfilled from the raw rows.

The analytics pages read counters per UTC day (app/models/rollup.py) instead of a
year of rows; the app keeps them current in the transaction of each change. This
migration fills them once with INSERT … SELECT (the SQL is frozen here, as the
schema was at this revision; `flask analytics rebuild` recounts with the app's
code). A partial covering index lets speed to lead's percentiles read the touched
leads' waits from the index alone.

Revision ID: b2d4f6a8c0e1
Revises: a1c3e5f7b9d2
Create Date: 2026-12-03 09:00:00.000000
"""

# The SQL below is put together from this file's constants only (no input reaches it).
# ruff: noqa: S608

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2d4f6a8c0e1"
down_revision: str | None = "a1c3e5f7b9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITS = ("wait_lt5m", "wait_5to15m", "wait_15to60m", "wait_1to4h", "wait_4to24h",
         "wait_gt1d", "wait_untouched")
BUCKET_UPPER_SECONDS = (300, 900, 3600, 14400, 86400, None)


def _counter(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), nullable=False)


def _fk(column: str, target: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [target], ondelete="CASCADE",
                                   name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"))


def upgrade() -> None:
    op.create_table(
        "analytics_response_day",
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("screen", sa.String(length=63), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        _counter("responses"),
        _fk("form_id", "form.id", "analytics_response_day"),
        _fk("version_id", "form_version.id", "analytics_response_day"),
        _fk("workspace_id", "workspace.id", "analytics_response_day"),
        sa.PrimaryKeyConstraint("form_id", "day", "version_id", "state", "screen",
                                name=op.f("pk_analytics_response_day")),
    )
    op.create_index("ix_analytics_response_day_workspace", "analytics_response_day",
                    ["workspace_id", "day"], unique=False)
    op.create_table(
        "analytics_step_day",
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=63), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        _counter("passed"),
        _fk("form_id", "form.id", "analytics_step_day"),
        _fk("version_id", "form_version.id", "analytics_step_day"),
        _fk("workspace_id", "workspace.id", "analytics_step_day"),
        sa.PrimaryKeyConstraint("form_id", "day", "version_id", "step_id",
                                name=op.f("pk_analytics_step_day")),
    )
    op.create_table(
        "analytics_lead_day",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        *(_counter(name) for name in ("leads", "mql", "sql", "booked", "accepted", "won")),
        _fk("workspace_id", "workspace.id", "analytics_lead_day"),
        sa.PrimaryKeyConstraint("workspace_id", "day", "dimension", "value", "form_id",
                                "version_id", name=op.f("pk_analytics_lead_day")),
    )
    op.create_table(
        "analytics_lead_score_day",
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        *(_counter(name) for name in ("leads", "accepted", "won", *WAITS)),
        _fk("workspace_id", "workspace.id", "analytics_lead_score_day"),
        sa.PrimaryKeyConstraint("workspace_id", "day", "form_id", "score",
                                name=op.f("pk_analytics_lead_score_day")),
    )
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.create_index(
            "ix_lead_workspace_touched", ["workspace_id", "created_at"], unique=False,
            postgresql_include=["first_touch_at", "sla_started_at", "origin_form_id"],
            postgresql_where=sa.text("first_touch_at IS NOT NULL"),
            sqlite_where=sa.text("first_touch_at IS NOT NULL"))
    _backfill(op.get_bind().dialect.name)


def _backfill(dialect: str) -> None:
    postgres = dialect == "postgresql"

    def day(column: str) -> str:
        return f"CAST(timezone('UTC', {column}) AS DATE)" if postgres else f"date({column})"

    def floor(column: str) -> str:
        if postgres:
            return f"CAST(floor({column}) AS INTEGER)"
        return f"(CAST({column} AS INTEGER) - ({column} < CAST({column} AS INTEGER)))"

    start = "coalesce(sla_started_at, created_at)"
    wait = (f"EXTRACT(EPOCH FROM (first_touch_at - {start}))" if postgres else
            f"round((julianday(first_touch_at) - julianday({start})) * 86400.0, 3)")
    handed = "(sla_started_at IS NOT NULL OR mql_at IS NOT NULL OR first_touch_at IS NOT NULL)"
    waits, lower = [], None
    for upper in BUCKET_UPPER_SECONDS:
        bounds = [handed, *([f"{wait} >= {lower}"] if lower is not None else []),
                  *([f"{wait} < {upper}"] if upper is not None else [])]
        waits.append(f"sum(CASE WHEN {' AND '.join(bounds)} THEN 1 ELSE 0 END)")
        lower = upper
    waits.append(f"sum(CASE WHEN {handed} AND first_touch_at IS NULL THEN 1 ELSE 0 END)")
    won = "sum(CASE WHEN outcome = 'won' THEN 1 ELSE 0 END)"
    started = day("started_at")
    op.execute(f"""
        INSERT INTO analytics_response_day (form_id, day, version_id, state, screen,
                                            workspace_id, responses)
        SELECT form_id, {started}, version_id, state, coalesce(current_step, ''),
               workspace_id, count(*)
        FROM response
        GROUP BY form_id, {started}, version_id, state, coalesce(current_step, ''),
                 workspace_id""")
    op.execute(f"""
        INSERT INTO analytics_step_day (form_id, day, version_id, step_id, workspace_id,
                                        passed)
        SELECT s.form_id, {day("r.started_at")}, s.version_id, s.step_id, s.workspace_id,
               count(*)
        FROM response_step AS s JOIN response AS r ON r.id = s.response_id
        GROUP BY s.form_id, {day("r.started_at")}, s.version_id, s.step_id, s.workspace_id""")
    created = day("created_at")
    for dimension in ("source", "campaign"):
        op.execute(f"""
            INSERT INTO analytics_lead_day (workspace_id, day, dimension, value, form_id,
                                            version_id, leads, mql, sql, booked, accepted, won)
            SELECT workspace_id, {created}, '{dimension}', coalesce({dimension}, ''),
                   coalesce(origin_form_id, 0), coalesce(origin_version_id, 0), count(*),
                   count(mql_at), count(sql_at), count(booked_at), count(accepted_at), {won}
            FROM lead
            GROUP BY workspace_id, {created}, coalesce({dimension}, ''),
                     coalesce(origin_form_id, 0), coalesce(origin_version_id, 0)""")
    op.execute(f"""
        INSERT INTO analytics_lead_score_day (workspace_id, day, form_id, score, leads,
                                              accepted, won, {', '.join(WAITS)})
        SELECT workspace_id, {created}, coalesce(origin_form_id, 0), {floor("total")},
               count(*), count(accepted_at), {won}, {', '.join(waits)}
        FROM lead
        GROUP BY workspace_id, {created}, coalesce(origin_form_id, 0), {floor("total")}""")


def downgrade() -> None:
    with op.batch_alter_table("lead", schema=None) as batch_op:
        batch_op.drop_index("ix_lead_workspace_touched",
                            postgresql_where=sa.text("first_touch_at IS NOT NULL"),
                            sqlite_where=sa.text("first_touch_at IS NOT NULL"))
    for table in ("analytics_lead_score_day", "analytics_lead_day", "analytics_step_day",
                  "analytics_response_day"):
        op.drop_table(table)
