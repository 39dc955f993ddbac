"""Form funnels counted by the database: views, starts, steps got past, completions.

The funnel is a cohort: the responses started in the range, and what became of
them (a response started on the last day that completes the next day counts).
Views are the days of the range. The counts come from the daily rollups
(app/models/rollup.py: per day a response started, its state and screen, and
the steps got past), so a year reads a few thousand rows, not a million; ranges
are whole UTC days, so no raw rows are needed. Every query is scoped to the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, defer

from app.analytics.funnel import Funnel, StepCounts, build_funnel, step_order
from app.analytics.ranges import DateRange
from app.forms.definitions import attach_definition
from app.models import Form, FormVersion, FormView
from app.models.rollup import ResponseDay, StepDay


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
    responses = (
        select(ResponseDay.form_id, func.sum(ResponseDay.responses).label("started"),
               func.sum(case((ResponseDay.state == "completed", ResponseDay.responses),
                             else_=0)).label("completed"))
        .where(ResponseDay.workspace_id == workspace_id, ResponseDay.day >= period.first_day,
               ResponseDay.day < period.end_day)
        .group_by(ResponseDay.form_id).subquery())
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
    """Three grouped reads of daily counters: views; responses by state and screen; steps."""
    by_version: list[Any] = [] if version_id is None else [FormView.version_id == version_id]
    views = session.scalar(
        select(func.coalesce(func.sum(FormView.views), 0))
        .where(FormView.form_id == form.id, FormView.workspace_id == form.workspace_id,
               FormView.day >= period.first_day, FormView.day < period.end_day, *by_version))
    cohort: list[Any] = [ResponseDay.form_id == form.id,
                         ResponseDay.workspace_id == form.workspace_id,
                         ResponseDay.day >= period.first_day, ResponseDay.day < period.end_day]
    if version_id is not None:
        cohort.append(ResponseDay.version_id == version_id)
    states: dict[str, int] = {"in_progress": 0, "completed": 0, "abandoned": 0}
    stopped_on: dict[str, int] = {}
    for state, screen, count in session.execute(
            select(ResponseDay.state, ResponseDay.screen, func.sum(ResponseDay.responses))
            .where(*cohort).group_by(ResponseDay.state, ResponseDay.screen)):
        states[state] = states.get(state, 0) + int(count)
        if state != "completed" and screen and count:
            stopped_on[screen] = stopped_on.get(screen, 0) + int(count)
    # The steps of the responses started in the range, counted by the day they started.
    passed_query = (
        select(StepDay.step_id, func.sum(StepDay.passed))
        .where(StepDay.form_id == form.id, StepDay.workspace_id == form.workspace_id,
               StepDay.day >= period.first_day, StepDay.day < period.end_day)
        .group_by(StepDay.step_id).having(func.sum(StepDay.passed) != 0))
    if version_id is not None:
        passed_query = passed_query.where(StepDay.version_id == version_id)
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
