"""Starting and stopping a form's A/B test. Works in the caller's transaction.

A start is checked as a whole (name, two different published versions of this form,
a split of 1–99 % to B, no other test running) and refused with a message per field,
saving nothing. The database keeps a second running test out even under a race (a
partial unique index), and that refusal reads the same.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.experiments.assignment import SplitError, check_split
from app.models import Experiment, Form, FormVersion

NAME_MAX = 200
ALREADY_RUNNING = "Another A/B test is running on this form: stop it before starting one."


class ExperimentRefused(ValueError):
    """A start that cannot be done as asked; `errors` says why, per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def running_experiment(session: Session, form: Form) -> Experiment | None:
    return session.scalar(select(Experiment).where(Experiment.form_id == form.id,
                                                   Experiment.status == "running"))


def experiments_of(session: Session, form: Form) -> list[Experiment]:
    """The form's experiments, the newest first."""
    return list(session.scalars(select(Experiment).where(Experiment.form_id == form.id)
                                .order_by(Experiment.started_at.desc(), Experiment.id.desc())))


def experiment_of(session: Session, form: Form, experiment_id: int) -> Experiment | None:
    """One of this form's experiments; another form's (or workspace's) id finds nothing."""
    return session.scalar(select(Experiment).where(Experiment.id == experiment_id,
                                                   Experiment.form_id == form.id,
                                                   Experiment.workspace_id == form.workspace_id))


def published_versions(session: Session, form: Form) -> list[FormVersion]:
    """The form's versions, the newest first (what an experiment can compare)."""
    return list(session.scalars(select(FormVersion).where(FormVersion.form_id == form.id)
                                .order_by(FormVersion.number.desc())))


def start_experiment(session: Session, form: Form, *, name: str, version_a_id: int | None,
                     version_b_id: int | None, split_b: int | None, user_id: int | None,
                     now: datetime) -> Experiment:
    """Start serving A and B of `form` to a `split_b` percent share; refuse it whole."""
    name = " ".join((name or "").split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Give the test a name, e.g. “Shorter first step”."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep the name under {NAME_MAX + 1} characters."
    if form.status == "archived":
        errors["form"] = "This form is archived: restore it before testing it."
    versions = {version.id: version for version in published_versions(session, form)}
    for field, version_id in (("version_a", version_a_id), ("version_b", version_b_id)):
        if version_id is None:
            errors[field] = "Choose a published version."
        elif version_id not in versions:
            errors[field] = "Choose one of this form's published versions."
    if _free(errors, "version_a", "version_b") and version_a_id == version_b_id:
        errors["version_b"] = "Choose a different version from A: a test compares two."
    try:
        check_split(split_b if split_b is not None else -1)
    except SplitError as error:
        errors["split_b"] = str(error) if split_b is not None else (
            "Enter the percentage of visitors who get B, from 1 to 99.")
    if running_experiment(session, form) is not None:
        errors["form"] = ALREADY_RUNNING
    if errors:
        raise ExperimentRefused(errors)
    assert version_a_id is not None and version_b_id is not None and split_b is not None
    experiment = Experiment(workspace_id=form.workspace_id, form_id=form.id, name=name,
                            version_a_id=version_a_id, version_b_id=version_b_id,
                            split_b=split_b, status="running", created_by_id=user_id,
                            started_at=now)
    try:
        with session.begin_nested():
            session.add(experiment)
    except IntegrityError:  # another start won the race to the running slot
        raise ExperimentRefused({"form": ALREADY_RUNNING}) from None
    return experiment


def stop_experiment(session: Session, experiment: Experiment, now: datetime) -> bool:
    """End it: the form serves its newest version again. False if it had already ended."""
    if experiment.status != "running":
        return False
    experiment.status, experiment.stopped_at = "stopped", now
    session.flush()
    return True


def _free(errors: dict[str, str], *fields: str) -> bool:
    return not any(field in errors for field in fields)
