"""The Routing tab: a form's route as an ordered list, the catch-all last, and the test panel.

URL rules (under /app/<workspace>/forms/<form>, admins and marketers):

    GET  /routing                         the rules; ?edit=<n> opens rule n
    POST /routing/start                   "Add routing": a catch-all, maybe a routed ending
    POST /routing/ending                  make an ending show the route's destination
    POST /routing/rules                   add a rule (just before the catch-all)
    POST /routing/rules/<n>               save rule n (the catch-all: its destination only)
    POST /routing/rules/<n>/delete        remove rule n (never the catch-all)
    POST /routing/rules/<n>/move          direction=up|down
    POST /routing/json                    the whole route as JSON
    POST /routing/test                    the test panel (test_panel.py; writes nothing)

Every change goes through `edit_draft`, which refuses what breaks the draft; on top
of that, a destination the workspace does not have (team, meeting type, track) is
refused here. Each POST names the route its page showed (`base`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from flask import flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from app import db
from app.builder import route_rules as routes
from app.builder.drafts import ChangeRefused, edit_draft
from app.builder.route_rules import KIND_LABELS, Known, RouteInput
from app.builder.rule_text import describe_rule
from app.builder.scoring_rules import EditRefused
from app.builder.shapes import objects_of
from app.forms.review import route_issues
from app.models import Form, MeetingType, Team
from app.web.builder import bp, editor_view, form_or_404, is_htmx, render_editor
from app.web.builder.conditions import (
    PostedCondition,
    builder,
    posted_condition,
    routing_scope,
)
from app.web.builder.rule_widget import BuilderView
from app.web.builder.test_panel import panel_context

LEGEND = "Send here when"
NEW_RULE = "route-new"  # the rule builder's prefix in the "Add a rule" form


@dataclass
class RoutePage:
    """What the tab shows besides the draft: an open rule, typed inputs, messages."""

    editing: int | None = None
    row: RouteInput | None = None
    row_errors: dict[str, str] = field(default_factory=dict)
    row_builder: BuilderView | None = None
    new: RouteInput = field(default_factory=lambda: RouteInput(kind="book"))
    new_errors: dict[str, str] = field(default_factory=dict)
    new_builder: BuilderView | None = None
    start: RouteInput = field(default_factory=lambda: RouteInput(kind="nurture"))
    start_errors: dict[str, str] = field(default_factory=dict)
    json_text: str | None = None
    json_errors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    saved: str = ""
    test: dict[str, Any] | None = None  # the test panel's inputs and result


@bp.get("/forms/<form>/routing")
@editor_view
def routing(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form)
    page = RoutePage()
    edit = request.args.get("edit", "")
    route = routes.route_of(target.draft)
    if edit.isdigit() and int(edit) < len(route) and isinstance(route[int(edit)], dict):
        page.editing = int(edit)
    return render_routing(target, page)


@bp.post("/forms/<form>/routing/start")
@editor_view
def start_routing(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    raw = _route_input()
    page = RoutePage(start=raw)
    to, problem = routes.parse_destination(raw)
    if to is None:
        page.start_errors = {"destination": problem or ""}
        return render_routing(target, page, 422)
    ending = request.form.get("ending", "") or None
    return _apply(target, page, lambda draft: routes.start_route(draft, to, ending),
                  "Added routing", errors_to="start")


@bp.post("/forms/<form>/routing/ending")
@editor_view
def route_ending(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    ending = request.form.get("ending", "")

    return _apply(target, RoutePage(), lambda draft: routes.route_ending(draft, ending),
                  f"Ending {ending!r} shows the route's destination")


@bp.post("/forms/<form>/routing/rules")
@editor_view
def add_route_rule(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    raw, posted = _rule_input(target, NEW_RULE)
    page = RoutePage(new=raw, new_builder=posted.builder)
    parsed = routes.parse_route_rule(raw, condition=posted.condition)
    if parsed.rule is None or posted.problem:
        page.new_errors = _with_problem(parsed.errors, posted.problem)
        return render_routing(target, page, 422)
    rule = parsed.rule
    return _apply(target, page, lambda draft: routes.add_rule(draft, rule),
                  f"Added a route to {routes.describe(rule['to'], _known())}", errors_to="new")


@bp.post("/forms/<form>/routing/rules/<int:index>")
@editor_view
def save_route_rule(workspace: str, form: str, index: int) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    count = len(routes.route_of(target.draft))
    catch_all = index == count - 1
    raw, posted = _rule_input(target, f"route-{index}")
    page = RoutePage(editing=index, row=raw, row_builder=posted.builder)
    parsed = routes.parse_route_rule(raw, catch_all=catch_all, condition=posted.condition)
    problem = None if catch_all else posted.problem
    if parsed.rule is None or problem:
        page.row_errors = _with_problem(parsed.errors, problem)
        return render_routing(target, page, 422)
    rule = parsed.rule
    summary = (f"Everyone else: {routes.describe(rule['to'], _known())}" if catch_all
               else f"Edited route {index + 1}")
    return _apply(target, page, lambda draft: routes.replace_rule(draft, index, rule), summary,
                  errors_to="row")


@bp.post("/forms/<form>/routing/rules/<int:index>/delete")
@editor_view
def delete_route_rule(workspace: str, form: str, index: int) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    return _apply(target, RoutePage(), lambda draft: routes.delete_rule(draft, index),
                  f"Deleted route {index + 1}")


@bp.post("/forms/<form>/routing/rules/<int:index>/move")
@editor_view
def move_route_rule(workspace: str, form: str, index: int) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    up = request.form.get("direction") == "up"
    return _apply(target, RoutePage(),
                  lambda draft: routes.move_rule(draft, index, -1 if up else 1),
                  f"Moved route {index + 1} {'up' if up else 'down'}")


@bp.post("/forms/<form>/routing/json")
@editor_view
def save_route_json(workspace: str, form: str) -> ResponseReturnValue:
    target = form_or_404(form, for_update=True)
    text = request.form.get("route", "")
    page = RoutePage(json_text=text)
    try:
        route = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        detail = (f"{error.msg} (line {error.lineno}, column {error.colno})"
                  if isinstance(error, json.JSONDecodeError) else "nested too deeply")
        page.json_errors = [f"This is not valid JSON: {detail}. Nothing was saved."]
        return render_routing(target, page, 422)
    return _apply(target, page, lambda draft: routes.replace_route(draft, route),
                  "Edited the route as JSON", errors_to="json")


# --- helpers -------------------------------------------------------------------------------

def _route_input() -> RouteInput:
    values = request.form
    return RouteInput(condition=values.get("condition", ""), kind=values.get("kind", ""),
                      book=values.get("book", ""), nurture=values.get("nurture", ""),
                      disqualify=values.get("disqualify", ""),
                      redirect=values.get("redirect", ""), confirm=bool(values.get("confirm")))


def _rule_input(form: Form, prefix: str) -> tuple[RouteInput, PostedCondition]:
    """The posted rule; its condition from the rule builder (or the raw JSON text)."""
    posted = posted_condition(routing_scope(form), prefix, LEGEND)
    return replace(_route_input(), condition=posted.text), posted


def _with_problem(errors: dict[str, str], problem: str | None) -> dict[str, str]:
    return {**errors, "condition": problem} if problem else errors


def _known() -> Known:
    """The workspace's teams, meeting types and nurture tracks."""
    session = db.session()
    teams = dict(session.execute(select(Team.slug, Team.name)
                                 .where(Team.workspace_id == g.workspace.id)).all())
    meetings = {
        f"{team_slug}/{slug}": f"{name} with {teams.get(team_slug, team_slug)}"
        for team_slug, slug, name in session.execute(
            select(Team.slug, MeetingType.slug, MeetingType.name)
            .join(Team, Team.id == MeetingType.team_id)
            .where(MeetingType.workspace_id == g.workspace.id)
            .order_by(Team.name, MeetingType.name))
    }
    tracks = (g.workspace.settings or {}).get("nurture_tracks")
    labels = {slug: str(spec.get("title") or slug) if isinstance(spec, dict) else slug
              for slug, spec in tracks.items()} if isinstance(tracks, dict) else None
    return Known(frozenset(teams), meetings, labels)


def _apply(form: Form, page: RoutePage, edit: Callable[[dict[str, Any]], Any], summary: str,
           errors_to: str = "") -> ResponseReturnValue:
    """Apply one change through `edit_draft`; refused: the page again, with why, inline."""
    session = db.session()
    if request.form.get("base", "") != routes.fingerprint(routes.route_of(form.draft)):
        session.rollback()
        page.problems.append("The routing changed while you were editing (in another tab or "
                             "by someone else). Nothing was saved: check the rules below and "
                             "make your change again.")
        return render_routing(form, page, 409)
    known = _known()

    def change(draft: dict[str, Any]) -> None:
        before = copy.deepcopy(draft.get("route"))
        try:
            edit(draft)
        except EditRefused as refused:
            raise ChangeRefused(refused.message, []) from None
        fresh = routes.new_problems(before, draft.get("route"), known)
        if fresh:
            raise ChangeRefused(fresh[0]["message"], fresh)

    try:
        edit_draft(session, form, change, summary=summary, user_id=int(current_user.id))
    except ChangeRefused as refused:
        session.rollback()
        _place(form, page, refused, errors_to)
        return render_routing(form, page, 422)
    session.commit()
    if is_htmx():
        return render_routing(form, RoutePage(saved=f"Saved: {summary}."))
    flash(f"Saved: {summary}.", "success")
    return redirect(url_for("builder.routing", workspace=g.workspace.slug, form=form.slug), 303)


def _place(form: Form, page: RoutePage, refused: ChangeRefused, errors_to: str) -> None:
    """Messages next to the rule and input they concern; anything else at the top."""
    if errors_to == "json":
        page.json_errors = [f"{issue['path']}: {issue['message']}" for issue in refused.issues] \
            or [refused.message]
        return
    if errors_to == "start":
        messages = [issue["message"] for issue in refused.issues] or [refused.message]
        page.start_errors = {"destination": " ".join(dict.fromkeys(messages))}
        return
    count = len(routes.route_of(form.draft))
    own = {"row": page.editing, "new": max(count - 1, 0)}.get(errors_to)
    by_rule, other = routes.issues_by_rule(refused.issues, count + 1)
    mine = by_rule.pop(own, {}) if own is not None else {}
    if not refused.issues and errors_to:
        mine = {"rule": [refused.message]}
    inputs = page.row_errors if errors_to == "row" else page.new_errors
    for part, messages in mine.items():
        inputs[part] = " ".join(dict.fromkeys(messages))
    for index, parts in sorted(by_rule.items()):
        page.problems += [f"Route {index + 1}: {message}"
                          for messages in parts.values() for message in messages]
    page.problems += other
    if not (page.problems or page.row_errors or page.new_errors):
        page.problems.append(refused.message)


def render_routing(form: Form, page: RoutePage, status: int = 200) -> ResponseReturnValue:
    """The tab with the draft's route, its current lint per rule, and the test panel."""
    draft = form.draft
    route = routes.route_of(draft)
    known = _known()
    tracks = set(known.tracks) if known.tracks is not None else None
    lint = [issue.as_dict() for issue in route_issues(draft, set(known.teams), tracks)]
    lint += routes.workspace_problems(route, known)
    lint_by_rule, lint_other = routes.issues_by_rule(lint, len(route))
    rules = [{"index": index, "input": RouteInput.of(rule) if isinstance(rule, dict)
              else RouteInput(), "condition": json.dumps(rule.get("if"), ensure_ascii=False)
              if isinstance(rule, dict) else "", "catch_all": index == len(route) - 1
              and routes.has_catch_all(route), "to": routes.describe(
                  rule.get("to") if isinstance(rule, dict) else None, known),
              "confirm": isinstance(rule, dict) and rule.get("confirm") is True,
              "issues": list(dict.fromkeys(message for messages in lint_by_rule.get(
                  index, {}).values() for message in messages))}
             for index, rule in enumerate(route)]
    endings = objects_of(draft.get("endings"))
    row_input, row_builder, new_builder = page.row, page.row_builder, page.new_builder
    if not known.meetings and page.new == RouteInput(kind="book"):
        page.new = RouteInput(kind="nurture")  # nothing to book yet: suggest a track
    scope = routing_scope(form)
    if page.editing is not None and page.editing < len(rules):
        row_input = row_input or rules[page.editing]["input"]
        stored = route[page.editing] if isinstance(route[page.editing], dict) else {}
        row_builder = row_builder or builder(scope, f"route-{page.editing}", stored.get("if"),
                                             LEGEND)
    # htmx swaps only 2xx answers: a page with inline errors is still a page to show.
    return render_editor(
        "builder/routing.html", form, page=page, rules=rules, route=route, known=known,
        kinds=KIND_LABELS, lint_other=list(dict.fromkeys(lint_other)), endings=endings,
        routed=routes.routed_endings(draft), row_input=row_input, row_builder=row_builder,
        new_builder=new_builder or builder(scope, NEW_RULE, None, LEGEND),
        words=[describe_rule(rule.get("if") if isinstance(rule, dict) else None, scope.variables)
               for rule in route],
        editable=routes.has_catch_all(route), base=routes.fingerprint(route),
        json_text=page.json_text if page.json_text is not None
        else json.dumps(route, indent=2, ensure_ascii=False) if route else "[]",
        **panel_context(form, page.test),
    ), 200 if is_htmx() else status
