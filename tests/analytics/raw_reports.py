"""The reference: the analytics counted straight from the raw rows, as before the rollups.

The same queries that app/analytics/funnel_queries.py and lead_queries.py ran on
responses, steps and leads; tests check the rollup-backed reports against them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from app.analytics.calibration import ScoreCount
from app.analytics.conversion import GROUPS, MILESTONES, ConversionRow, ConversionTable, remainder
from app.analytics.funnel import Funnel, StepCounts, build_funnel, step_order
from app.analytics.funnel_queries import FormTotals, form_versions
from app.analytics.lead_queries import NO_VALUE, _labels, handed_to_sales, wait_seconds
from app.analytics.ranges import DateRange
from app.analytics.speed import BUCKETS, UNTOUCHED, SpeedToLead, nearest_rank, speed_to_lead
from app.analytics.sql import whole_floor
from app.forms.definitions import attach_definition
from app.models import Form, FormVersion, FormView, Lead, Response, ResponseStep

GROUP_LIMIT = 25


def form_totals(session: Session, workspace_id: int, period: DateRange) -> list[FormTotals]:
    """Every active form of the workspace with its views, starts and completions."""
    views = (
        select(FormView.form_id, func.sum(FormView.views).label("views"))
        .where(FormView.workspace_id == workspace_id, FormView.day >= period.first_day,
               FormView.day < period.end_day)
        .group_by(FormView.form_id).subquery())
    forms = select(Form.id).where(Form.workspace_id == workspace_id)
    responses = (
        select(Response.form_id, func.count().label("started"),
               func.sum(case((Response.state == "completed", 1), else_=0)).label("completed"))
        .where(Response.form_id.in_(forms.scalar_subquery()),
               Response.started_at >= period.start, Response.started_at < period.end)
        .group_by(Response.form_id).subquery())
    rows = session.execute(
        select(Form.slug, Form.name, views.c.views, responses.c.started, responses.c.completed)
        .outerjoin(views, views.c.form_id == Form.id)
        .outerjoin(responses, responses.c.form_id == Form.id)
        .where(Form.workspace_id == workspace_id, Form.status == "active")
        .order_by(func.coalesce(responses.c.started, 0).desc(), func.lower(Form.name)))
    return [FormTotals(slug, name, int(views_ or 0), int(started or 0), int(completed or 0))
            for slug, name, views_, started, completed in rows]


def step_counts(session: Session, form: Form, period: DateRange,
                version_id: int | None = None) -> StepCounts:
    """Three grouped queries: views; responses by state and screen; steps got past."""
    by_version: list[Any] = [] if version_id is None else [FormView.version_id == version_id]
    views = session.scalar(
        select(func.coalesce(func.sum(FormView.views), 0))
        .where(FormView.form_id == form.id, FormView.workspace_id == form.workspace_id,
               FormView.day >= period.first_day, FormView.day < period.end_day, *by_version))
    cohort = [Response.form_id == form.id, Response.workspace_id == form.workspace_id,
              Response.started_at >= period.start, Response.started_at < period.end]
    if version_id is not None:
        cohort.append(Response.version_id == version_id)
    states: dict[str, int] = {"in_progress": 0, "completed": 0, "abandoned": 0}
    stopped_on: dict[str, int] = {}
    for state, screen, count in session.execute(
            select(Response.state, Response.current_step, func.count())
            .where(*cohort).group_by(Response.state, Response.current_step)):
        states[state] = states.get(state, 0) + int(count)
        if state != "completed" and screen:
            stopped_on[screen] = stopped_on.get(screen, 0) + int(count)
    # Both sides come from covering indexes (form_id, started_at | at): the form, looked
    # up in the workspace, scopes both. A step is got past after its response started,
    # so the `at` bound narrows the steps before the join without changing the count.
    started = [Response.form_id == form.id, Response.started_at >= period.start,
               Response.started_at < period.end]
    passed_query = (
        select(ResponseStep.step_id, func.count())
        .join(Response, Response.id == ResponseStep.response_id)
        .where(ResponseStep.form_id == form.id, ResponseStep.at >= period.start, *started)
        .group_by(ResponseStep.step_id))
    if version_id is not None:
        passed_query = passed_query.where(ResponseStep.version_id == version_id,
                                          Response.version_id == version_id)
    passed = {step_id: int(count) for step_id, count in session.execute(passed_query)}
    return StepCounts(views=int(views or 0), started=sum(states.values()),
                      completed=states["completed"], abandoned=states["abandoned"],
                      in_progress=states["in_progress"], passed=passed, stopped_on=stopped_on)


def form_funnel(session: Session, form: Form, period: DateRange,
                version: FormVersion | None = None,
                versions: list[FormVersion] | None = None) -> Funnel:
    """The funnel of one version, or of all of them in the newest version's step order."""
    counts = step_counts(session, form, period, version.id if version else None)
    if version is not None:
        shown = [version]
    else:
        shown = versions if versions is not None else form_versions(session, form)
    definitions = [attach_definition(session, each).definition for each in shown]
    return build_funnel(counts, step_order(definitions))


def lead_filter(workspace_id: int, period: DateRange, form_id: int | None) -> list[Any]:
    conditions: list[Any] = [Lead.workspace_id == workspace_id, Lead.created_at >= period.start,
                             Lead.created_at < period.end]
    if form_id is not None:
        conditions.append(Lead.origin_form_id == form_id)
    return conditions


def _milestone_counts() -> list[ColumnElement[Any]]:
    won = func.sum(case((Lead.outcome == "won", 1), else_=0))
    return [func.count().label("leads"), func.count(Lead.mql_at).label("mql"),
            func.count(Lead.sql_at).label("sql"), func.count(Lead.booked_at).label("booked"),
            func.count(Lead.accepted_at).label("accepted"), won.label("won")]


def _group_column(group: str) -> Any:
    return {"source": Lead.source, "campaign": Lead.campaign, "form": Lead.origin_form_id,
            "version": Lead.origin_version_id}[group]


def conversion(session: Session, workspace_id: int, period: DateRange, group: str,
               form_id: int | None = None, limit: int = GROUP_LIMIT) -> ConversionTable:
    """The biggest `limit` groups by leads, everything else together, and the total."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    where = lead_filter(workspace_id, period, form_id)
    key = _group_column(group)
    names = [name for name, _ in MILESTONES]
    grouped = session.execute(
        select(key.label("key"), *_milestone_counts()).where(*where).group_by(key)
        .order_by(func.count().desc(), key.asc().nulls_last()).limit(limit)).all()
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


def speed(session: Session, workspace_id: int, period: DateRange,
          form_id: int | None = None) -> SpeedToLead:
    """Leads per wait bucket, with the median and 90th percentile of the touched ones.

    One pass on PostgreSQL (its percentile_disc skips the untouched, whose wait is NULL);
    SQLite has no percentiles and reads the two ranks with ORDER BY … OFFSET.
    """
    where = [*lead_filter(workspace_id, period, form_id), handed_to_sales()]
    wait = wait_seconds()
    columns: list[Any] = [func.sum(case((Lead.first_touch_at.is_(None), 1), else_=0))]
    lowers = [None, *(bucket.upper_seconds for bucket in BUCKETS[:-1])]
    for bucket, lower in zip(BUCKETS, lowers, strict=True):
        # Half-open [lower, upper); the first has no lower bound (a touch before the
        # clock started counts as instant), the last no upper; untouched waits are NULL.
        bounds = [wait >= lower] if lower is not None else []
        if bucket.upper_seconds is not None:
            bounds.append(wait < bucket.upper_seconds)
        columns.append(func.sum(case((and_(*bounds), 1), else_=0)))
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        columns += [func.percentile_disc(0.5).within_group(wait),
                    func.percentile_disc(0.9).within_group(wait)]
    row = session.execute(select(*columns).where(*where)).one()
    counts = {UNTOUCHED.key: int(row[0] or 0)}
    counts.update({bucket.key: int(row[1 + index] or 0) for index, bucket in enumerate(BUCKETS)})
    touched = sum(counts.values()) - counts[UNTOUCHED.key]
    median = p90 = None
    if touched and postgres:
        median, p90 = float(row[-2]), float(row[-1])
    elif touched:
        median, p90 = (_nearest(session, wait, [*where, Lead.first_touch_at.is_not(None)],
                                touched, quantile) for quantile in (0.5, 0.9))
    return speed_to_lead(counts, median, p90)


def _nearest(session: Session, wait: ColumnElement[float], where: list[Any], count: int,
             quantile: float) -> float:
    """The nearest-rank `quantile` of the waits, as PostgreSQL's percentile_disc gives it."""
    return float(session.scalar(select(wait).where(*where).order_by(wait).limit(1)
                                .offset(nearest_rank(count, quantile))) or 0)


def score_histogram(session: Session, workspace_id: int, period: DateRange,
                    form_id: int | None = None) -> list[ScoreCount]:
    """Leads per whole score, with how many were accepted and won."""
    score = whole_floor(Lead.total)
    rows = session.execute(
        select(score.label("score"), func.count(), func.count(Lead.accepted_at),
               func.sum(case((Lead.outcome == "won", 1), else_=0)))
        .where(*lead_filter(workspace_id, period, form_id)).group_by(score).order_by(score))
    return [ScoreCount(int(value), int(leads), int(accepted), int(won or 0))
            for value, leads, accepted, won in rows]
