"""The test panel on the Routing tab: a sample respondent through the draft, then qualified.

It reads the workspace's scoring model, teams and settings and writes nothing:
the transaction is rolled back before the answer is rendered.
"""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app import db
from app.builder.simulator import (
    SIGNALS,
    Sample,
    TestRun,
    hidden_names,
    read_sample,
    run_sample,
    sample_fields,
)
from app.forms.review import review
from app.leads.scoring_models import current_model
from app.leads.teams import team_state
from app.models import Form, Team, utcnow
from app.web.builder import bp, editor_view, form_or_404, is_htmx


@bp.post("/forms/<form>/routing/test")
@editor_view
def test_routing(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form)
    fields, hidden = sample_fields(target.draft), hidden_names(target.draft)
    sample = Sample(
        answers={spec.id: request.form.getlist(f"answer-{spec.id}") if spec.widget == "multi"
                 else request.form.get(f"answer-{spec.id}", "") for spec in fields},
        known=request.form.get("known", ""),
        signals={name: request.form.get(f"signal-{name}", "") for name, _ in SIGNALS},
        hidden={name: request.form.get(f"hidden-{name}", "") for name in hidden},
    )
    read = read_sample(sample, fields, hidden)
    errors = {**_draft_problem(target.draft), **read.errors}
    test: dict[str, Any] = {"sample": sample, "errors": errors, "run": None}
    if not errors:
        test["run"] = _run(target, read)
    db.session().rollback()  # a test changes nothing, whatever it read
    if is_htmx():
        return render_template("builder/_test_panel.html", form=target,
                               **panel_context(target, test))
    from app.web.builder.routing import RoutePage, render_routing

    return render_routing(target, RoutePage(test=test), 422 if errors else 200)


def _draft_problem(draft: Any) -> dict[str, str]:
    """The walk assumes a well-formed draft; one that is not (stored before a check, or
    edited by hand) is named instead of walked."""
    verdict = review(draft)
    if verdict.schema_valid:
        return {}
    first = verdict.errors[0] if verdict.errors else {"path": "", "message": ""}
    return {"draft": "This draft is not a valid form definition, so it cannot be tested: "
                     f"{first['path'] or '(document)'}: {first['message']}".rstrip(": ")}


def _run(form: Form, read: Any) -> TestRun:
    session = db.session()
    stored = current_model(session, g.workspace.id)
    today = utcnow().date()
    teams = {team.slug: team_state(session, team, today) for team in
             session.scalars(select(Team).where(Team.workspace_id == g.workspace.id))}
    settings = g.workspace.settings or {}
    workspace = {"competitor_domains": list(settings.get("competitor_domains", []))}
    return run_sample(form.draft, read, stored.model if stored else None, teams, workspace,
                      utcnow())


def panel_context(form: Form, test: dict[str, Any] | None) -> dict[str, Any]:
    """What the panel template needs: the draft's inputs and, after a run, the result."""
    return {"sample_fields": sample_fields(form.draft), "signals": SIGNALS,
            "hidden_names": hidden_names(form.draft),
            "test": test or {"sample": Sample(), "errors": {}, "run": None}}
