"""Form funnels counted by the database: views, starts, steps got past, completions.

The funnel is a cohort: the responses started in the range, and what became of
them (a response started on the last day that completes the next day counts).
Views are the days of the range. Every query is scoped to the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, defer

from app.analytics.funnel import Funnel, StepCounts, build_funnel, step_order
from app.analytics.ranges import DateRange
from app.forms.definitions import attach_definition
from app.models import Form, FormVersion, FormView, Response, ResponseStep


@dataclass(frozen=True)
class FormTotals:
    """One row of the forms table: the top and the bottom of each form's funnel."""

    slug: str
    name: str
    views: int
    started: int
    completed: int

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.started if self.started else None

    @property
    def start_rate(self) -> float | None:
        return self.started / self.views if self.views else None


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


def form_versions(session: Session, form: Form) -> list[FormVersion]:
    """The form's versions, newest first, without their definitions (loaded when needed)."""
    return list(session.scalars(
        select(FormVersion).where(FormVersion.form_id == form.id,
                                  FormVersion.workspace_id == form.workspace_id)
        .options(defer(FormVersion.definition)).order_by(FormVersion.number.desc())))


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
