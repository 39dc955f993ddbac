"""The SLA compliance report: per rep and per stage, met, missed, pending, time to first touch.

Aggregate SQL, one GROUP BY per grouping: the database counts, never Python over leads.
A lead counts once, with its latest clock (the one in `lead.sla_*`), in the period its
clock started. The rep answerable for it is the owner when an escalation took it away
(from the `sla` history event), else its owner.

Median and p90 of the time to first touch: `percentile_cont` on PostgreSQL; SQLite
has no percentile function, so there the same interpolation between closest ranks is
computed with window functions (`row_number`, `count` over the group), still in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal_column, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from app.models import Lead, LeadEvent, User
from app.qualify.sla import SLA_STAGES, STAGE_LABELS, compliance

QUANTILES = (("median", 0.5), ("p90", 0.9))


@dataclass(frozen=True)
class ComplianceRow:
    key: Any  # a user id (None: unassigned), a stage, or "all"
    label: str
    total: int
    met: int
    missed: int
    pending: int
    median_minutes: float | None
    p90_minutes: float | None

    @property
    def compliance(self) -> float | None:
        return compliance(self.met, self.missed)


@dataclass(frozen=True)
class ComplianceReport:
    reps: list[ComplianceRow]
    stages: list[ComplianceRow]
    total: ComplianceRow


@dataclass(frozen=True)
class ReportFilter:
    start: datetime  # UTC, inclusive: clocks started from then
    end: datetime  # UTC, exclusive
    stage: str | None = None
    team_id: int | None = None


def compliance_report(session: Session, workspace_id: int, window: ReportFilter,
                      now: datetime) -> ComplianceReport:
    responsible = _responsible()
    reps = _rows(session, workspace_id, window, now, responsible)
    names = _names(session, [row["key"] for row in reps if row["key"] is not None])
    rep_rows = sorted((_row(row, names.get(row["key"], "Unassigned")) for row in reps),
                      key=lambda row: (row.key is None, row.label.lower()))
    stage_rows = sorted(
        (_row(row, STAGE_LABELS.get(row["key"], str(row["key"])))
         for row in _rows(session, workspace_id, window, now, Lead.sla_stage)),
        key=lambda row: SLA_STAGES.index(row.key) if row.key in SLA_STAGES else 99)
    totals = _rows(session, workspace_id, window, now, None)
    total = _row(totals[0], "All leads") if totals else ComplianceRow(
        "all", "All leads", 0, 0, 0, 0, None, None)
    return ComplianceReport(rep_rows, stage_rows, total)


def _responsible() -> ColumnElement[Any]:
    """Whose lead it was: the owner an escalation took it from (maybe nobody), else its owner."""
    escalation = (LeadEvent.lead_id == Lead.id, LeadEvent.kind == "sla",
                  LeadEvent.at >= Lead.sla_started_at)
    escalated_from = (
        select(LeadEvent.details["owner_id"].as_integer()).where(*escalation)
        .order_by(LeadEvent.id.desc()).limit(1).correlate(Lead).scalar_subquery())
    was_escalated = and_(Lead.sla_escalated_at.is_not(None),
                         select(LeadEvent.id).where(*escalation).correlate(Lead).exists())
    return case((was_escalated, escalated_from), else_=Lead.owner_id)


def _conditions(workspace_id: int, window: ReportFilter) -> list[ColumnElement[bool]]:
    conditions = [Lead.workspace_id == workspace_id, Lead.sla_due_at.is_not(None),
                  Lead.sla_started_at >= window.start, Lead.sla_started_at < window.end]
    if window.stage:
        conditions.append(Lead.sla_stage == window.stage)
    if window.team_id is not None:
        conditions.append(Lead.team_id == window.team_id)
    return conditions


def _seconds_to_touch(dialect: str) -> ColumnElement[float]:
    if dialect == "postgresql":
        return func.extract("epoch", Lead.first_touch_at - Lead.sla_started_at)
    return (func.julianday(Lead.first_touch_at) - func.julianday(Lead.sla_started_at)) * 86400.0


def _rows(session: Session, workspace_id: int, window: ReportFilter, now: datetime,
          key: ColumnElement[Any] | None) -> list[dict[str, Any]]:
    """Counts and quantiles per value of `key` (None: one row for everything)."""
    dialect = session.get_bind().dialect.name
    touched = Lead.first_touch_at.is_not(None)
    met = and_(touched, Lead.first_touch_at <= Lead.sla_due_at)
    missed = or_(and_(touched, Lead.first_touch_at > Lead.sla_due_at),
                 and_(Lead.first_touch_at.is_(None), Lead.sla_due_at <= now))
    pending = and_(Lead.first_touch_at.is_(None), Lead.sla_due_at > now)
    grouped = (key if key is not None else literal_column("'all'")).label("key")
    columns: list[Any] = [
        grouped, func.count().label("total"),
        func.coalesce(func.sum(case((met, 1), else_=0)), 0).label("met"),
        func.coalesce(func.sum(case((missed, 1), else_=0)), 0).label("missed"),
        func.coalesce(func.sum(case((pending, 1), else_=0)), 0).label("pending"),
    ]
    seconds = _seconds_to_touch(dialect)
    if dialect == "postgresql":
        columns += [func.percentile_cont(fraction).within_group(seconds).label(name)
                    for name, fraction in QUANTILES]
    query = select(*columns).where(*_conditions(workspace_id, window))
    if key is not None:
        query = query.group_by(grouped)
    rows = [dict(row._mapping) for row in session.execute(query) if row.total]
    if dialect != "postgresql":
        quantiles = _ranked_quantiles(session, workspace_id, window, key, seconds)
        for row in rows:
            row.update(quantiles.get(row["key"], {}))
    return rows


def _ranked_quantiles(session: Session, workspace_id: int, window: ReportFilter,
                      key: ColumnElement[Any] | None, seconds: ColumnElement[float]
                      ) -> dict[Any, dict[str, float | None]]:
    """percentile_cont without the function: the values at the two closest ranks, blended."""
    grouped = key if key is not None else literal_column("'all'")
    ranked = (
        select(grouped.label("key"), seconds.label("seconds"),
               (func.row_number().over(partition_by=key, order_by=seconds) - 1).label("rank"),
               func.count().over(partition_by=key).label("n"))
        .where(*_conditions(workspace_id, window), Lead.first_touch_at.is_not(None))
        .subquery())
    columns: list[Any] = [ranked.c.key]
    for name, fraction in QUANTILES:
        position = (ranked.c.n - 1) * fraction
        low = cast(position, Integer)  # positions are never negative: this is floor
        high = low + case((position > low, 1), else_=0)
        low_value = func.max(case((ranked.c.rank == low, ranked.c.seconds)))
        high_value = func.max(case((ranked.c.rank == high, ranked.c.seconds)))
        weight = func.max(position - low)
        columns.append((low_value + (high_value - low_value) * weight).label(name))
    rows = session.execute(select(*columns).group_by(ranked.c.key))
    return {row.key: {name: getattr(row, name) for name, _ in QUANTILES} for row in rows}


def _names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {user_id: name or email for user_id, name, email in session.execute(
        select(User.id, User.name, User.email).where(User.id.in_(ids)))}


def _row(row: dict[str, Any], label: str) -> ComplianceRow:
    def minutes(value: Any) -> float | None:
        return None if value is None else float(value) / 60

    return ComplianceRow(row["key"], label, int(row["total"]), int(row["met"]),
                         int(row["missed"]), int(row["pending"]),
                         minutes(row.get("median")), minutes(row.get("p90")))
