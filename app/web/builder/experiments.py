"""The Experiments tab: start an A/B test of two published versions, stop it, read results.

URL rules (under /app/<workspace>):
    GET  /forms/<form>/experiments                     the running test, a start form, past tests
    POST /forms/<form>/experiments                     start one (name, version_a/b, split_b)
    GET  /forms/<form>/experiments/<experiment>        results per variant, with the tests
    POST /forms/<form>/experiments/<experiment>/stop   stop it: the newest version serves again
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import db
from app.experiments.presentation import interval_chart, percent, test_view
from app.experiments.results import ExperimentResults, experiment_results, starts_by_experiment
from app.experiments.service import (
    ExperimentRefused,
    experiment_of,
    experiments_of,
    published_versions,
    start_experiment,
    stop_experiment,
)
from app.models import Experiment, Form, utcnow
from app.web.builder import bp, editor_view, form_or_404, render_editor

DEFAULT_SPLIT = 50


@bp.get("/forms/<form>/experiments")
@editor_view
def experiments(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form)
    versions = published_versions(db.session(), target)
    values = {"name": "", "version_a": versions[0].id if versions else None,
              "version_b": versions[1].id if len(versions) > 1 else None,
              "split_b": str(DEFAULT_SPLIT)}
    return _page(target, values, {})


@bp.post("/forms/<form>/experiments")
@editor_view
def start(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)  # one start at a time per form
    values = {"name": request.form.get("name", ""),
              "version_a": _number(request.form.get("version_a")),
              "version_b": _number(request.form.get("version_b")),
              "split_b": request.form.get("split_b", "").strip()}
    session = db.session()
    try:
        experiment = start_experiment(
            session, target, name=values["name"], version_a_id=values["version_a"],
            version_b_id=values["version_b"], split_b=_number(values["split_b"], percent=True),
            user_id=int(current_user.id), now=utcnow())
    except ExperimentRefused as refused:
        session.rollback()
        return _page(form_or_404(form), values, refused.errors, status=422)
    session.commit()
    flash(f"“{experiment.name}” is running: {100 - experiment.split_b} % of new visitors get A, "
          f"{experiment.split_b} % get B.", "success")
    return redirect(url_for("builder.experiment", workspace=workspace, form=form,
                            experiment=experiment.id), 303)


@bp.get("/forms/<form>/experiments/<int:experiment>")
@editor_view
def experiment(workspace: str, form: str, experiment: int) -> ResponseReturnValue:
    target = form_or_404(form)
    found = _experiment_or_404(target, experiment)
    return render_editor("builder/experiment.html", target, experiment=found,
                         latest=_latest_number(target),
                         **results_context(experiment_results(db.session(), found)))


@bp.post("/forms/<form>/experiments/<int:experiment>/stop")
@editor_view
def stop(workspace: str, form: str, experiment: int) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    found = _experiment_or_404(target, experiment)
    session = db.session()
    if stop_experiment(session, found, utcnow()):
        session.commit()
        latest = _latest_number(target)
        flash(f"“{found.name}” is stopped: new visitors get v{latest} again, and responses "
              "already begun finish on their version. Its results stay here.", "success")
    else:
        flash(f"“{found.name}” had already stopped.", "info")
    return redirect(url_for("builder.experiment", workspace=workspace, form=form,
                            experiment=found.id), 303)


def _page(form: Form, values: dict[str, Any], errors: dict[str, str], *,
          status: int = 200) -> ResponseReturnValue:
    session = db.session()
    versions = published_versions(session, form)
    past = experiments_of(session, form)
    running = next((each for each in past if each.status == "running"), None)
    return render_editor(
        "builder/experiments.html", form, versions=versions, values=values, errors=errors,
        running=running, past=past, numbers={version.id: version.number for version in versions},
        starts=starts_by_experiment(session, [each.id for each in past]),
        running_results=results_context(experiment_results(session, running)) if running
        else None,
    ), status


def results_context(results: ExperimentResults) -> dict[str, Any]:
    """The results, each test as sentences and strings, and the interval chart."""
    tests = [("Completion rate", results.completion, results.completion_verdict),
             ("SQL rate", results.sql, results.sql_verdict)]
    return {"results": results, "percent": percent,
            "tests": [test_view(label, test, sentence) for label, test, sentence in tests],
            "chart": interval_chart([(label, test) for label, test, _ in tests])}


def _experiment_or_404(form: Form, experiment_id: int) -> Experiment:
    found = experiment_of(db.session(), form, experiment_id)
    if found is None:
        abort(404)
    return found


def _latest_number(form: Form) -> int | None:
    versions = published_versions(db.session(), form)
    return versions[0].number if versions else None


def _number(raw: str | None, *, percent: bool = False) -> int | None:
    """A whole number typed or chosen (a trailing % allowed for the split), else None."""
    text = (raw or "").strip()
    if percent:
        text = text.removesuffix("%").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
