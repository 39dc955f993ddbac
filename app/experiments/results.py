"""What an experiment shows per variant, counted by the database (three grouped queries,
no loop over rows), and the tests of B against A.

Rates are out of starts (responses begun), as the forms list counts conversion:
completion = completed ÷ started, SQL = SQLs ÷ started. A response's SQL is its lead
reaching SQL when that response made the lead (the lead's origin response), at any
time since. Views come from the daily counters of each version, so on the first and
last day of a test they may include views from outside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.experiments.statistics import ProportionTest, two_proportion_z_test, verdict
from app.models import Experiment, FormVersion, FormView, Lead, Response, utcnow


@dataclass(frozen=True)
class VariantCounts:
    variant: str  # 'a' or 'b'
    version_number: int
    planned_share: int  # percent of visitors sent here
    views: int
    starts: int
    completions: int
    sqls: int

    @property
    def start_rate(self) -> float | None:
        """Starts ÷ views; None without views (or with fewer views than starts, which
        only happens before views were counted)."""
        return self.starts / self.views if self.views and self.views >= self.starts else None

    @property
    def completion_rate(self) -> float | None:
        return self.completions / self.starts if self.starts else None

    @property
    def sql_rate(self) -> float | None:
        return self.sqls / self.starts if self.starts else None


@dataclass(frozen=True)
class ExperimentResults:
    a: VariantCounts
    b: VariantCounts
    completion: ProportionTest
    sql: ProportionTest
    completion_verdict: str
    sql_verdict: str
    first_day: date
    last_day: date  # today while it runs

    @property
    def variants(self) -> tuple[VariantCounts, VariantCounts]:
        return self.a, self.b

    @property
    def starts(self) -> int:
        return self.a.starts + self.b.starts

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def experiment_results(session: Session, experiment: Experiment,
                       now: datetime | None = None) -> ExperimentResults:
    now = now or utcnow()
    first_day = experiment.started_at.date()
    last_day = (experiment.stopped_at or now).date()
    numbers = dict(session.execute(select(FormVersion.id, FormVersion.number).where(
        FormVersion.id.in_((experiment.version_a_id, experiment.version_b_id)))).all())
    responses = {variant: (started, int(completed or 0)) for variant, started, completed
                 in session.execute(
        select(Response.variant, func.count(),
               func.sum(case((Response.state == "completed", 1), else_=0)))
        .where(Response.workspace_id == experiment.workspace_id,
               Response.experiment_id == experiment.id)
        .group_by(Response.variant))}
    sqls = dict(session.execute(
        select(Response.variant, func.count(func.distinct(Lead.id)))
        .select_from(Lead)
        .join(Response, Response.id == Lead.origin_response_id)
        .where(Lead.workspace_id == experiment.workspace_id,
               Lead.origin_form_id == experiment.form_id, Lead.sql_at.is_not(None),
               Response.experiment_id == experiment.id)
        .group_by(Response.variant)).all())
    views = dict(session.execute(
        select(FormView.version_id, func.sum(FormView.views))
        .where(FormView.workspace_id == experiment.workspace_id,
               FormView.form_id == experiment.form_id,
               FormView.version_id.in_((experiment.version_a_id, experiment.version_b_id)),
               FormView.day >= first_day, FormView.day <= last_day)
        .group_by(FormView.version_id)).all())

    def counts(variant: str, version_id: int, share: int) -> VariantCounts:
        started, completed = responses.get(variant, (0, 0))
        return VariantCounts(variant=variant, version_number=numbers.get(version_id, 0),
                             planned_share=share, views=int(views.get(version_id) or 0),
                             starts=started, completions=completed,
                             sqls=int(sqls.get(variant) or 0))

    a = counts("a", experiment.version_a_id, 100 - experiment.split_b)
    b = counts("b", experiment.version_b_id, experiment.split_b)
    completion = two_proportion_z_test(a.completions, a.starts, b.completions, b.starts)
    sql = two_proportion_z_test(a.sqls, a.starts, b.sqls, b.starts)
    running = experiment.status == "running"
    return ExperimentResults(
        a=a, b=b, completion=completion, sql=sql,
        completion_verdict=verdict(completion, "completion", running=running),
        sql_verdict=verdict(sql, "SQL", running=running),
        first_day=first_day, last_day=last_day)


def starts_by_experiment(session: Session, experiment_ids: list[int]) -> dict[int, int]:
    """Responses begun under each experiment, for the list of a form's tests."""
    if not experiment_ids:
        return {}
    return {experiment_id: count for experiment_id, count in session.execute(
        select(Response.experiment_id, func.count())
        .where(Response.experiment_id.in_(experiment_ids))
        .group_by(Response.experiment_id))}
