"""The Publish tab: what blocks publishing and where, publishing, versions, rollback."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from app import db
from app.builder import releases
from app.builder.drafts import ChangeRefused
from app.builder.locations import Location
from app.builder.releases import DraftReview, draft_changes, findings, review_draft, version_history
from app.experiments.service import published_versions, running_experiment
from app.forms import versions
from app.forms.versions import DefinitionRejected, NotFound
from app.models import Form
from app.web.builder import bp, editor_view, form_or_404, render_editor

NOTE_MAX = 500
# The tab that edits each kind of place, and the tab to fall back on until it exists.
TAB_ENDPOINTS = {"logic": "builder.logic", "routing": "builder.routing",
                 "share": "builder.share"}


@bp.get("/forms/<form>/publish")
@editor_view
def publish(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form)
    return _page(target, review_draft(db.session(), target))


@bp.post("/forms/<form>/publish")
@editor_view
def publish_now(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    note = " ".join(request.form.get("note", "").split())
    if len(note) > NOTE_MAX:
        return _page(target, review_draft(db.session(), target), note=note, status=422,
                     note_error=f"Keep the note under {NOTE_MAX + 1} characters.")
    session = db.session()
    try:
        outcome = versions.publish(session, target, note)
    except DefinitionRejected as rejected:
        session.rollback()
        return _page(target, findings(target.draft, rejected.review), note=note, status=422,
                     refused=True)
    session.commit()
    if outcome.created:
        where = ("the form is archived, so its address stays closed until you restore it"
                 if target.status == "archived" else "the form's address serves it now")
        if target.status != "archived" and running_experiment(session, target) is not None:
            where = ("the A/B test keeps serving its two versions until you stop it, then "
                     "the form's address serves this one")
        flash(f"Published v{outcome.version.number}: {where}.", "success")
    else:
        flash(f"Nothing to publish: the draft is the same as v{outcome.version.number}.", "info")
    return redirect(url_for("builder.publish", workspace=workspace, form=form), 303)


@bp.post("/forms/<form>/versions/<int:number>/rollback")
@editor_view
def rollback(workspace: str, form: str, number: int) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    session = db.session()
    try:
        outcome = releases.rollback(session, target, number, user_id=int(current_user.id))
    except NotFound:
        session.rollback()
        return redirect(url_for("builder.publish", workspace=workspace, form=form), 303)
    except (ChangeRefused, DefinitionRejected) as refused:
        session.rollback()
        reason = (refused.message if isinstance(refused, ChangeRefused)
                  else "; ".join(issue["message"] for issue in refused.review.errors[:3]))
        flash(f"v{number} can't be published again as it is: {reason}", "error")
        return redirect(url_for("builder.publish", workspace=workspace, form=form), 303)
    session.commit()
    if outcome.created:
        flash(f"Rolled back: v{outcome.version.number} is v{number} again. Responses keep the "
              "version they were made on.", "success")
    else:
        flash(f"v{number} is already live (as v{outcome.version.number}).", "info")
    return redirect(url_for("builder.publish", workspace=workspace, form=form), 303)


def _page(form: Form, review: DraftReview, *, note: str = "", status: int = 200,
          refused: bool = False, note_error: str = "") -> ResponseReturnValue:
    session = db.session()
    history = version_history(session, form)
    errors = [_issue(form, finding.message, finding.location) for finding in review.errors]
    warnings = [_issue(form, finding.message, finding.location) for finding in review.warnings]
    return render_editor(
        "builder/publish.html", form, errors=errors, warnings=warnings, history=history,
        changes=draft_changes(session, form), note=note, refused=refused,
        note_error=note_error, next_number=(history[0].number if history else 0) + 1,
        experiment=_running_test(form),
    ), status


def _running_test(form: Form) -> dict[str, Any] | None:
    """The A/B test that serves instead of the newest version, for the tab's notice."""
    session = db.session()
    running = running_experiment(session, form)
    if running is None:
        return None
    numbers = {version.id: version.number for version in published_versions(session, form)}
    return {"name": running.name, "a": numbers.get(running.version_a_id),
            "b": numbers.get(running.version_b_id),
            "url": url_for("builder.experiment", workspace=g.workspace.slug, form=form.slug,
                           experiment=running.id)}


def _issue(form: Form, message: str, location: Location) -> dict[str, Any]:
    return {"message": message, "where": location.label, "url": issue_url(form, location)}


def issue_url(form: Form, location: Location) -> str:
    """The editor tab that edits this place, opened at it; the Build tab until that tab exists."""
    args = {"workspace": g.workspace.slug, "form": form.slug}
    endpoint = TAB_ENDPOINTS.get(location.tab)
    if endpoint is not None and endpoint in current_app.view_functions:
        anchor = location.pointer or None
        if location.tab == "logic" and anchor:
            from app.web.builder.logic import logic_anchor

            anchor = logic_anchor(anchor)
        return url_for(endpoint, **args, _anchor=anchor)
    if location.element:
        return url_for("builder.build", **args, at=location.element)
    return url_for("builder.build", **args)
