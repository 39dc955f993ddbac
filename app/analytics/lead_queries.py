"""Closed-loop numbers about leads, counted by the database.

The leads are those created in the range (optionally: made by one form); their
milestones, first touches and outcomes count whenever they happened, so a range
is a cohort that keeps maturing. The counts come from the daily rollups
(app/models/rollup.py), which every change of a lead keeps current; only the
speed-to-lead percentiles read the leads. Every query is scoped to the workspace.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Float, case, func, literal, select, type_coerce
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.analytics.calibration import ScoreCount
from app.analytics.conversion import GROUPS, MILESTONES, ConversionRow, ConversionTable, remainder
from app.analytics.ranges import DateRange
from app.analytics.speed import BUCKETS, UNTOUCHED, SpeedToLead, nearest_rank, speed_to_lead
from app.analytics.sql import seconds_between
from app.models import Form, FormVersion, Lead
from app.models.rollup import LeadDay, LeadScoreDay

GROUP_LIMIT = 25
NO_VALUE = {"source": "(unknown)", "campaign": "(no campaign)", "form": "(not from a form)",
            "version": "(not from a form)"}


def lead_filter(workspace_id: int, period: DateRange, form_id: int | None) -> list[Any]:
    conditions: list[Any] = [Lead.workspace_id == workspace_id, Lead.created_at >= period.start,
                             Lead.created_at < period.end]
    if form_id is not None:
        conditions.append(Lead.origin_form_id == form_id)
    return conditions


def _milestone_counts() -> list[ColumnElement[Any]]:
    return [func.sum(LeadDay.leads).label("leads"),
            *(func.sum(getattr(LeadDay, name)).label(name) for name, _ in MILESTONES)]


def _group_column(group: str) -> tuple[Any, Any]:
    """The rollup column a group reads, and the value it holds for "none" (see LeadDay)."""
    return {"source": (LeadDay.value, ""), "campaign": (LeadDay.value, ""),
            "form": (LeadDay.form_id, 0), "version": (LeadDay.version_id, 0)}[group]


def conversion(session: Session, workspace_id: int, period: DateRange, group: str,
               form_id: int | None = None, limit: int = GROUP_LIMIT) -> ConversionTable:
    """The biggest `limit` groups by leads, everything else together, and the total."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    where: list[Any] = [LeadDay.workspace_id == workspace_id, LeadDay.day >= period.first_day,
                        LeadDay.day < period.end_day,
                        LeadDay.dimension == (group if group == "campaign" else "source")]
    if form_id is not None:
        where.append(LeadDay.form_id == form_id)
    key, none = _group_column(group)
    names = [name for name, _ in MILESTONES]
    leads = func.sum(LeadDay.leads)
    # Ties in size are broken by the group's value, "none" last: as a count of the leads does.
    grouped = [(None if row[0] == none else row[0], *row[1:]) for row in session.execute(
        select(key.label("key"), *_milestone_counts()).where(*where).group_by(key)
        .having(leads > 0)
        .order_by(leads.desc(), case((key == none, 1), else_=0), key.asc()).limit(limit))]
    if len(grouped) < limit:  # every group is here: the total is their sum
        total_row: Any = (None, *(sum(int(row[index] or 0) for row in grouped)
                                  for index in range(1, 2 + len(names))))
    else:
        total_row = session.execute(select(literal(1), *_milestone_counts()).where(*where)).one()
    labels = _labels(session, workspace_id, group, [row[0] for row in grouped])

    def as_row(value: Any, counts: Any, label: str) -> ConversionRow:
        return ConversionRow(key="" if value is None else str(value), label=label,
                             leads=int(counts[0] or 0),
                             **{name: int(counts[1 + index] or 0)
                                for index, name in enumerate(names)})

    rows = [as_row(row[0], row[1:], labels.get(row[0], NO_VALUE[group]) if row[0] is not None
                   else NO_VALUE[group]) for row in grouped]
    total = as_row(None, total_row[1:], "All leads")
    return ConversionTable(group=group, rows=rows,
                           others=remainder(total, rows, "Everything else")
                           if len(rows) == limit else None, total=total)


def _labels(session: Session, workspace_id: int, group: str, values: list[Any]
            ) -> dict[Any, str]:
    """Names for the ids a form or version group has (text groups are their own label)."""
    ids = [value for value in values if value is not None]
    if group in ("source", "campaign"):
        return {value: str(value) for value in ids}
    if not ids:
        return {}
    if group == "form":
        return dict(session.execute(select(Form.id, Form.name).where(
            Form.workspace_id == workspace_id, Form.id.in_(ids))).all())
    return {version_id: f"{name} · v{number}" for version_id, name, number in session.execute(
        select(FormVersion.id, Form.name, FormVersion.number)
        .join(Form, Form.id == FormVersion.form_id)
        .where(FormVersion.workspace_id == workspace_id, FormVersion.id.in_(ids)))}


def handed_to_sales() -> ColumnElement[bool]:
    """Leads sales was meant to act on: an SLA clock ran, they qualified, or were touched."""
    return (Lead.sla_started_at.is_not(None) | Lead.mql_at.is_not(None)
            | Lead.first_touch_at.is_not(None))


def wait_seconds() -> ColumnElement[float]:
    return seconds_between(Lead.first_touch_at,
                           func.coalesce(Lead.sla_started_at, Lead.created_at))


def _score_days(workspace_id: int, period: DateRange, form_id: int | None) -> list[Any]:
    where: list[Any] = [LeadScoreDay.workspace_id == workspace_id,
                        LeadScoreDay.day >= period.first_day, LeadScoreDay.day < period.end_day]
    if form_id is not None:
        where.append(LeadScoreDay.form_id == form_id)
    return where


def speed(session: Session, workspace_id: int, period: DateRange,
          form_id: int | None = None) -> SpeedToLead:
    """Leads per wait bucket, with the median and 90th percentile of the touched ones.

    The buckets are counted per day in the rollup. The two percentiles need the waits
    themselves: read from the touched leads only (a partial covering index has them),
    in one pass on PostgreSQL (percentile_disc); SQLite has no percentiles and reads
    the two ranks with ORDER BY … OFFSET.
    """
    row = session.execute(select(
        *(func.sum(getattr(LeadScoreDay, f"wait_{bucket.key}"))
          for bucket in (UNTOUCHED, *BUCKETS)))
        .where(*_score_days(workspace_id, period, form_id))).one()
    counts = {bucket.key: int(row[index] or 0)
              for index, bucket in enumerate((UNTOUCHED, *BUCKETS))}
    touched = sum(counts.values()) - counts[UNTOUCHED.key]
    median = p90 = None
    if touched:
        where = [*lead_filter(workspace_id, period, form_id), Lead.first_touch_at.is_not(None)]
        wait = wait_seconds()
        if session.get_bind().dialect.name == "postgresql":
            median, p90 = _percentiles(session, wait, where)
        else:
            median, p90 = (_nearest(session, wait, where, touched, quantile)
                           for quantile in (0.5, 0.9))
    return speed_to_lead(counts, median, p90)


SORT_MEMORY = "64MB"  # a year of touched leads' waits sorts in memory, not on disk


def _percentiles(session: Session, wait: ColumnElement[float], where: list[Any]
                 ) -> tuple[float, float]:
    """The median and 90th percentile in one sort (percentile_disc of an array), with
    enough work_mem for this statement only (set and restored in the transaction)."""
    before = session.scalar(select(func.current_setting("work_mem")))
    session.execute(select(func.set_config("work_mem", SORT_MEMORY, True)))
    try:
        both = func.percentile_disc(postgresql.array([0.5, 0.9])).within_group(wait)
        values = session.scalar(select(type_coerce(both, postgresql.ARRAY(Float)))
                                .where(*where))
    finally:
        session.execute(select(func.set_config("work_mem", before, True)))
    median, p90 = (float(value) for value in values)
    return median, p90


def _nearest(session: Session, wait: ColumnElement[float], where: list[Any], count: int,
             quantile: float) -> float:
    """The nearest-rank `quantile` of the waits, as PostgreSQL's percentile_disc gives it."""
    return float(session.scalar(select(wait).where(*where).order_by(wait).limit(1)
                                .offset(nearest_rank(count, quantile))) or 0)


def score_histogram(session: Session, workspace_id: int, period: DateRange,
                    form_id: int | None = None) -> list[ScoreCount]:
    """Leads per whole score, with how many were accepted and won."""
    leads = func.sum(LeadScoreDay.leads)
    rows = session.execute(
        select(LeadScoreDay.score, leads, func.sum(LeadScoreDay.accepted),
               func.sum(LeadScoreDay.won))
        .where(*_score_days(workspace_id, period, form_id))
        .group_by(LeadScoreDay.score).having(leads > 0).order_by(LeadScoreDay.score))
    return [ScoreCount(int(value), int(leads), int(accepted or 0), int(won or 0))
            for value, leads, accepted, won in rows]
