"""The Scoring page: the workspace's shared scoring model as a table, edited row by row.

Every save stores a new model version (`save_model`), so what a lead was scored
with stays on record. URL rules (under /app/<workspace>, admins and marketers):

    GET  /scoring/                      the model; ?edit=<n> opens rule n for editing
    POST /scoring/rules                 add a rule (at the end)
    POST /scoring/rules/<n>             save rule n
    POST /scoring/rules/<n>/delete      remove rule n
    POST /scoring/rules/<n>/move        direction=up|down
    POST /scoring/thresholds            MQL/SQL thresholds and caps
    POST /scoring/json                  the whole model as JSON

Each POST names the version its page showed (`base`): an edit made against an
older version is refused, so two marketers never overwrite each other unseen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app import db
from app.builder import scoring_rules as edits
from app.builder.rule_text import describe_rule
from app.builder.scoring_rules import EditRefused, RuleInput, ThresholdInput
from app.forms.types import Issue
from app.leads.scoring_models import EMPTY_MODEL, ModelRejected, current_model, save_model
from app.models import Form, ScoringModel, Workspace
from app.qualify.model import DIMENSIONS
from app.web.access import add_nav_item
from app.web.builder import bp, editor_view, is_htmx
from app.web.builder.conditions import (
    PostedCondition,
    builder,
    posted_condition,
    scoring_scope,
)
from app.web.builder.rule_widget import BuilderView

add_nav_item(bp, "Scoring", "builder.scoring", roles=("admin", "marketer"), order=30)

HISTORY = 10
LEGEND = "Give these points when"
NEW_RULE = "rule-new"  # the rule builder's prefix in the "Add a rule" form


@dataclass
class Page:
    """What the page shows besides the model: an open row, typed inputs, messages."""

    editing: int | None = None
    row: RuleInput | None = None
    row_errors: dict[str, str] = field(default_factory=dict)
    row_builder: BuilderView | None = None
    new: RuleInput = field(default_factory=RuleInput)
    new_errors: dict[str, str] = field(default_factory=dict)
    new_builder: BuilderView | None = None
    thresholds: ThresholdInput | None = None
    threshold_errors: dict[str, str] = field(default_factory=dict)
    json_text: str | None = None
    json_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    saved: str = ""


@bp.get("/scoring/")
@editor_view
def scoring(workspace: str) -> ResponseReturnValue:
    page = Page()
    edit = request.args.get("edit", "")
    rules = edits.rules_of(_model())
    if edit.isdigit() and int(edit) < len(rules) and isinstance(rules[int(edit)], dict):
        page.editing = int(edit)
    return _render(page)


@bp.post("/scoring/rules")
@editor_view
def add_rule(workspace: str) -> ResponseReturnValue:
    raw, posted = _rule_input(NEW_RULE)
    page = Page(new=raw, new_builder=posted.builder)
    model = _locked_model(page)
    if model is None:
        return _render(page, 409)
    parsed = edits.parse_rule(raw, edits.rule_ids(model), posted.condition)
    if parsed.rule is None or posted.problem:
        page.new_errors = _with_condition_problem(parsed.errors, posted.problem)
        return _render(page, 422)
    return _store(edits.with_rule(model, parsed.rule), f"Added rule {parsed.rule['id']!r}",
                  page, new_row=len(edits.rules_of(model)))


@bp.post("/scoring/rules/<int:index>")
@editor_view
def save_rule(workspace: str, index: int) -> ResponseReturnValue:
    raw, posted = _rule_input(f"rule-{index}")
    page = Page(editing=index, row=raw, row_builder=posted.builder)
    model = _locked_model(page)
    if model is None:
        return _render(page, 409)
    parsed = edits.parse_rule(raw, edits.rule_ids(model, except_index=index), posted.condition)
    if parsed.rule is None or posted.problem:
        page.row_errors = _with_condition_problem(parsed.errors, posted.problem)
        return _render(page, 422)
    try:
        changed = edits.with_rule(model, parsed.rule, index)
    except EditRefused as refused:
        return _render(replace(page, editing=None, problems=[refused.message]), 409)
    return _store(changed, f"Edited rule {parsed.rule['id']!r}", page)


@bp.post("/scoring/rules/<int:index>/delete")
@editor_view
def delete_rule(workspace: str, index: int) -> ResponseReturnValue:
    page = Page()
    model = _locked_model(page)
    if model is None:
        return _render(page, 409)
    try:
        changed, removed = edits.without_rule(model, index)
    except EditRefused as refused:
        return _render(replace(page, problems=[refused.message]), 409)
    return _store(changed, f"Deleted rule {removed.get('id')!r}", page)


@bp.post("/scoring/rules/<int:index>/move")
@editor_view
def move_rule(workspace: str, index: int) -> ResponseReturnValue:
    page = Page()
    model = _locked_model(page)
    if model is None:
        return _render(page, 409)
    up = request.form.get("direction") == "up"
    try:
        changed = edits.moved(model, index, -1 if up else 1)
    except EditRefused as refused:
        return _render(replace(page, problems=[refused.message]), 409)
    rule_id = edits.rules_of(model)[index].get("id")
    return _store(changed, f"Moved rule {rule_id!r} {'up' if up else 'down'}", page)


@bp.post("/scoring/thresholds")
@editor_view
def save_thresholds(workspace: str) -> ResponseReturnValue:
    raw = ThresholdInput(*(request.form.get(name, "") for name in
                           ("mql", "sql", "fit_cap", "intent_cap")))
    page = Page(thresholds=raw)
    model = _locked_model(page)
    if model is None:
        return _render(page, 409)
    changed, errors = edits.with_thresholds(model, raw)
    if changed is None:
        page.threshold_errors = errors
        return _render(page, 422)
    thresholds = changed["thresholds"]
    return _store(changed, f"Thresholds: MQL {thresholds['mql']}, SQL {thresholds['sql']}", page)


@bp.post("/scoring/json")
@editor_view
def save_json(workspace: str) -> ResponseReturnValue:
    text = request.form.get("model", "")
    page = Page(json_text=text)
    if _locked_model(page) is None:
        return _render(page, 409)
    try:
        model = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        message = (f"{error.msg} (line {error.lineno}, column {error.colno})"
                   if isinstance(error, json.JSONDecodeError) else "nested too deeply")
        page.json_errors = [f"This is not valid JSON: {message}. Nothing was saved."]
        return _render(page, 422)
    return _store(model, "Edited as JSON", page)


# --- helpers -------------------------------------------------------------------------------

def _rule_input(prefix: str) -> tuple[RuleInput, PostedCondition]:
    """The posted rule; its condition from the rule builder (or the raw JSON text)."""
    posted = posted_condition(scoring_scope(), prefix, LEGEND)
    raw = RuleInput(*(request.form.get(name, "") for name in
                      ("id", "condition", "points", "dimension", "reason", "half_life")))
    return replace(raw, condition=posted.text), posted


def _with_condition_problem(errors: dict[str, str], problem: str | None) -> dict[str, str]:
    return {**errors, "condition": problem} if problem else errors


def _model() -> dict[str, Any]:
    version = current_model(db.session(), g.workspace.id)
    return dict(version.model) if version else json.loads(json.dumps(EMPTY_MODEL))


def _locked_model(page: Page) -> dict[str, Any] | None:
    """The model in force, the workspace locked until commit; None when the page is stale."""
    session = db.session()
    session.execute(select(Workspace.id).where(Workspace.id == g.workspace.id).with_for_update())
    version = current_model(session, g.workspace.id)
    number = version.number if version else 0
    if request.form.get("base", "") != str(number):
        page.problems.append(f"The scoring model changed while you were editing (it is now "
                             f"version {number}). Nothing was saved: check the rules below "
                             "and make your change again.")
        return None
    return _model()


def _store(model: Any, note: str, page: Page, new_row: int | None = None
           ) -> ResponseReturnValue:
    session = db.session()
    who = current_user.name or current_user.email
    try:
        saved = save_model(session, g.workspace.id, model, note=f"{note} · {who}")
    except ModelRejected as rejected:
        session.rollback()
        _place(page, rejected.issues, new_row)
        return _render(page, 422)
    session.commit()
    number = saved.version.number
    message = (f"Saved as version {number}." if saved.created
               else f"Nothing changed: version {number} is still in force.")
    if is_htmx():
        return _render(Page(saved=message))
    flash(message, "success")
    return redirect(url_for("builder.scoring", workspace=g.workspace.slug), 303)


def _place(page: Page, issues: list[Issue], new_row: int | None) -> None:
    """The model's issues next to the inputs they concern; the rest at the top."""
    if page.json_text is not None:
        page.json_errors = [f"{i.path or '(model)'}: {i.message}" for i in issues]
        return
    placed = edits.place_issues(issues)
    if page.editing is not None:
        page.row_errors.update(placed.rows.pop(page.editing, {}))
    if new_row is not None:
        page.new_errors.update(placed.rows.pop(new_row, {}))
    for row, messages in sorted(placed.rows.items()):
        page.problems += [f"Rule {row + 1}: {message}" for message in messages.values()]
    for issue in placed.other:
        key = issue.path.removeprefix("/thresholds/")
        if page.thresholds is not None and key in ("mql", "sql"):
            page.threshold_errors[key] = issue.message
        else:
            page.problems.append(f"{issue.path}: {issue.message}" if issue.path
                                 else issue.message)
    if not page.problems and not (page.row_errors or page.new_errors or page.threshold_errors):
        page.problems.append("The scoring model is not valid; nothing was saved.")


def _render(page: Page, status: int = 200) -> ResponseReturnValue:
    session = db.session()
    version = current_model(session, g.workspace.id)
    model = _model()
    rules = edits.rules_of(model)
    history = session.execute(
        select(ScoringModel.number, ScoringModel.created_at, ScoringModel.note)
        .where(ScoringModel.workspace_id == g.workspace.id)
        .order_by(ScoringModel.number.desc()).limit(HISTORY)).all()
    forms = session.execute(select(Form.slug, Form.name).where(
        Form.workspace_id == g.workspace.id, Form.status == "active").order_by(Form.name)).all()
    row_input, row_builder, new_builder = page.row, page.row_builder, page.new_builder
    scope = scoring_scope()
    if page.editing is not None and page.editing < len(rules):
        stored = rules[page.editing] if isinstance(rules[page.editing], dict) else {}
        row_input = row_input or RuleInput.of(stored)
        row_builder = row_builder or builder(scope, f"rule-{page.editing}", stored.get("if"),
                                             LEGEND)
    context = {
        "page": page, "version": version, "model": model, "history": history, "forms": forms,
        "rows": [RuleInput.of(rule) if isinstance(rule, dict) else RuleInput() for rule in rules],
        "row_input": row_input, "dimensions": DIMENSIONS, "row_builder": row_builder,
        "new_builder": new_builder or builder(scope, NEW_RULE, None, LEGEND),
        "words": [describe_rule(rule.get("if") if isinstance(rule, dict) else None,
                                scope.variables) for rule in rules],
        "thresholds": page.thresholds or ThresholdInput.of(model),
        "json_text": page.json_text if page.json_text is not None
        else json.dumps(model, indent=2, ensure_ascii=False),
        "base": version.number if version else 0,
    }
    # htmx swaps only 2xx answers: an answer with inline errors is still a page to show.
    return render_template("builder/scoring.html", **context), 200 if is_htmx() else status
